"""The notice e-mail: RFC 5322 bytes around the letter, deterministic to the byte.

The Date header is when the notices were built (`date_header`), MIME boundaries derive from the
Message-ID, so the same input at the same minute gives the same bytes. The Message-ID derives
from the contract, version and customer and from a digest of everything else the message says
(`content_digest`): a changed message (rebuilt later, to another address, with another letter)
gets a new Message-ID, while the same bytes sent again (a resend after an interrupted run) keep
their own.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import re
from email.headerregistry import Address
from email.utils import format_datetime
from typing import Any

from assembler.model import Customer
from assembler.notices.annex_email import html_annex_rows, plain_annex_rows
from assembler.notices.email_html import (
    html_document,
    linked,
    paragraphs,
    signature_html,
    signature_lines,
)
from assembler.notices.letter import (
    SharedParts,
    annex_by_version,
    attachment_names,
    letter_texts,
    reference,
    salutation,
)
from assembler.notices.mime import Mail
from assembler.render.typst_pdf import timestamp_of


def message_id(contract: str, version: str, customer_id: str, domain: str, content: str) -> str:
    """Return the Message-ID of a customer's notice of `version` whose content digest is `content`.

    RFC 5322 3.6.4: a Message-ID names one message; a message with other content is another
    message and must not reuse it (mail clients would show only one of the two).
    """
    key = f"{contract}\0{version}\0{customer_id}\0{content}"
    digest = hashlib.sha256(key.encode()).hexdigest()[:12]
    safe = re.sub(r"[^A-Za-z0-9_-]", "_", customer_id)
    return f"<notice.{version}.{safe}.{digest}@{domain}>"


def date_header(composed_at: dt.datetime | None, notice_date: dt.date) -> str:
    """Return the Date header: when the message was written, to the minute, in Amsterdam time.

    RFC 5322 3.6.1: the origination date is "the date and time at which the creator of the
    message indicated that the message was complete and ready to enter the mail delivery
    system", which for a notice is its build: `send` refuses a notice built on an earlier day, so
    the header is also the day it goes out. Parts made by hand (tests, benches) have no time:
    midnight UTC of the notice day.
    """
    moment = composed_at.replace(second=0, microsecond=0) if composed_at else timestamp_of(notice_date)
    return format_datetime(moment)


def content_digest(headers: dict[str, str], texts: list[str], attachments: list[bytes]) -> str:
    """Return the SHA-256 of everything a message says but its Message-ID and MIME boundaries."""
    h = hashlib.sha256()
    for name, value in sorted(headers.items()):
        h.update(f"{name}: {value}\0".encode())
    for text in texts:
        h.update(hashlib.sha256(text.encode()).digest())
    for data in attachments:
        h.update(hashlib.sha256(data).digest())
    return h.hexdigest()


_MESSAGE_ID_HEADER = re.compile(rb"^Message-ID:(?:[ \t]|\r\n[ \t])*(<[^>\r\n]+>)[ \t]*\r?$",
                                re.IGNORECASE | re.MULTILINE)
"""The header, also when folded onto a continuation line (a long id, RFC 5322 2.2.3)."""


def message_id_of(eml: bytes) -> str:
    """Return the Message-ID header of the RFC 5322 message `eml` (what the ledger records)."""
    head = eml.split(b"\r\n\r\n", 1)[0]
    found = _MESSAGE_ID_HEADER.search(head)
    if found is None:
        raise ValueError("message without a Message-ID header")
    return found.group(1).decode("ascii")


def _attachments(shared: SharedParts, customer: Customer) -> list[tuple[str, str]]:
    names = attachment_names(shared, customer)
    return [(names["letter"], "deze mededeling als brief (PDF)"),
            (names["redline"], f"overzicht van de wijzigingen ten opzichte van versie "
                               f"{shared.from_version}"),
            (names["contract"], f"de volledige tekst van versie {shared.version} met uw eigen "
                                "Bijlage 1")]


def _plain(shared: SharedParts, customer: Customer, texts: dict[str, Any]) -> str:
    heads = texts["headings"]
    out = [salutation(customer), ""]
    out += [str(p) + "\n" for p in texts["intro"]]
    out += [heads["changes"], ""]
    for a in shared.articles:
        if len(a.by_version) > 1:
            out.append(f"- {a.heading}:")
            out += [f"  Versie {n}: {t}" for n, t in a.by_version]
        else:
            out.append(f"- {a.heading}: {a.toelichting}")
    if texts["annex_note"]:
        out.append(f"- {texts['annex_note']}")
        out += [f"  Versie {n}: {t}" for n, t in annex_by_version(shared, customer)]
        out += plain_annex_rows(shared, customer)
    out += ["", "In de bijlagen bij deze e-mail vindt u:"]
    out += [f"- {name}: {what}" for name, what in _attachments(shared, customer)]
    out += ["", heads["rights"], ""]
    out += [str(p) + "\n" for p in texts["rights"]]
    out += [heads["fulltext"], "", str(texts["fulltext"]), shared.sha256, "", heads["contact"], "",
            str(texts["contact"]), "", str(texts["closing"]), ""]
    out += signature_lines(shared.meta.processor, shared.meta.website)
    return "\n".join(out) + "\n"


def _html(shared: SharedParts, customer: Customer, texts: dict[str, Any]) -> str:
    e, heads = html.escape, texts["headings"]
    parts = [f"<p>{e(salutation(customer))}</p>"]
    parts += paragraphs(texts["intro"])
    parts.append(f"<h2>{e(heads['changes'])}</h2>")
    for a in shared.articles:
        parts.append(f"<h3>{e(a.heading)}</h3>")
        if len(a.by_version) > 1:
            parts += [f"<h4>Versie {e(n)}</h4><p>{linked(t)}</p>" for n, t in a.by_version]
        else:
            parts.append(f"<p>{linked(a.toelichting)}</p>")
    if texts["annex_note"]:
        parts.append(f"<h3>Bijlage 1</h3><p>{linked(str(texts['annex_note']))}</p>")
        parts += [f"<h4>Versie {e(n)}</h4><p>{linked(t)}</p>"
                  for n, t in annex_by_version(shared, customer)]
        parts += html_annex_rows(shared, customer)
    parts.append("<h2>Bijlagen bij deze e-mail</h2><ul>")
    parts += [f"<li>{e(name)}: {e(what)}</li>" for name, what in _attachments(shared, customer)]
    parts.append(f"</ul><h2>{e(heads['rights'])}</h2>")
    parts += paragraphs(texts["rights"])
    parts.append(f"<h2>{e(heads['fulltext'])}</h2>")
    parts.append(f"<p>{linked(str(texts['fulltext']))}<br><code>{shared.sha256}</code></p>")
    parts.append(f"<h2>{e(heads['contact'])}</h2><p>{linked(str(texts['contact']))}</p>")
    parts.append(signature_html(str(texts["closing"]),
                                signature_lines(shared.meta.processor, shared.meta.website)))
    return html_document(str(texts["subject"]), parts)


def addressed_mail(sender: Address, to: Address, headers: dict[str, str], message_id: str,
                   texts: tuple[str, str]) -> Mail:
    """Return a notice e-mail's head and its plain and HTML parts, the same for every kind.

    From and To first, then `headers` in their order with the Message-ID right after the Date,
    then the plain text and its HTML alternative (`texts`), both quoted-printable.
    """
    msg = Mail()
    msg["From"] = sender
    msg["To"] = to
    for name, value in headers.items():
        msg[name] = value
        if name == "Date":
            msg["Message-ID"] = message_id
    msg.set_content(texts[0], cte="quoted-printable")
    msg.add_alternative(texts[1], subtype="html", cte="quoted-printable")
    return msg


def _pdf_part(data: bytes, filename: str) -> Mail:
    """Return a PDF attachment part (base64 in 76-character lines, encoded once per distinct PDF)."""
    part = Mail()
    part.set_pdf(data, filename)
    return part


def compose_email(shared: SharedParts, customer: Customer, annex_changes: bool, letter_pdf: bytes,
                  contract_pdf: bytes) -> bytes:
    """Return the notice e-mail as RFC 5322 bytes (CRLF line ends), deterministic."""
    p = shared.meta.processor
    texts = letter_texts(shared, customer, annex_changes, medium="e-mail")
    names = attachment_names(shared, customer)
    sender = Address(p.name, addr_spec=shared.sender)
    to = Address(customer.contact_name or customer.company_name, addr_spec=customer.contact_email)
    headers = {"Subject": str(texts["subject"]),
               "Date": date_header(shared.composed_at, shared.notice_date),
               "X-Assembler-Reference": reference(shared.version, customer.customer_id)}
    plain, rich = _plain(shared, customer, texts), _html(shared, customer, texts)
    attached = [(names["letter"], letter_pdf), (names["redline"], shared.annex(customer).redline_pdf),
                (names["contract"], contract_pdf)]
    content = content_digest({**headers, "From": str(sender), "To": str(to),
                              "Attachments": "\0".join(n for n, _ in attached)},
                             [plain, rich], [data for _, data in attached])
    mid = message_id(shared.meta.id, shared.version, customer.customer_id,
                     shared.sender.rpartition("@")[2], content)
    msg = addressed_mail(sender, to, headers, mid, (plain, rich))
    msg.make_mixed()
    for name, data in attached:
        msg.attach(_pdf_part(data, name))
    return message_bytes(msg, "notice")


def message_bytes(msg: Mail, kind: str) -> bytes:
    """Return `msg` as RFC 5322 bytes (CRLF), the same bytes for the same message every time.

    MIME boundaries derive from the Message-ID (``=_<kind>_<hash>_<n>``) instead of being random,
    so a rebuilt notice is byte-identical and its SHA-256 in the ledger stays true. Every kind of
    notice (revision, sub-processor, breach) is written here.
    """
    seed = hashlib.sha256(str(msg["Message-ID"]).encode()).hexdigest()[:24]
    for i, part in enumerate(msg.walk()):
        if part.parts is not None:
            part.set_boundary(f"=_{kind}_{seed}_{i}")
    return msg.to_bytes()
