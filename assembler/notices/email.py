"""The revision notice e-mail: RFC 5322 bytes around the letter, the redline and the contract.

Its head, digest and bytes are those every notice e-mail shares (`notices.message`); its
Message-ID derives from the contract, version and customer and from that digest.
"""

from __future__ import annotations

import hashlib
import html
import re
from email.headerregistry import Address
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
)
from assembler.notices.message import (
    addressed_mail,
    content_digest,
    date_header,
    message_bytes,
    pdf_part,
)
from assembler.notices.salutation import salutation


def message_id(contract: str, version: str, customer_id: str, domain: str, content: str) -> str:
    """Return the Message-ID of a customer's notice of `version` whose content digest is `content`.

    RFC 5322 3.6.4: a Message-ID names one message; a message with other content is another
    message and must not reuse it (mail clients would show only one of the two).
    """
    key = f"{contract}\0{version}\0{customer_id}\0{content}"
    digest = hashlib.sha256(key.encode()).hexdigest()[:12]
    safe = re.sub(r"[^A-Za-z0-9_-]", "_", customer_id)
    return f"<notice.{version}.{safe}.{digest}@{domain}>"


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
        msg.attach(pdf_part(data, name))
    return message_bytes(msg, "notice")
