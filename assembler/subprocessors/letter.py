"""The Dutch notice of a sub-processor change (art. 4.1–4.2): its texts, the letter PDF, the e-mail.

Each notice names who the sub-processor is, what for, which data, where, on what basis data
leave the EU/EEA, from when, until when and how the customer can object, what follows an
objection (art. 4.2), and where the full list is; the e-mail, a plain and an HTML part with the
same words and the signature of every notice e-mail (`notices.email_html`), attaches the list for
the customer's services. The same input gives the same bytes: the PDF timestamp is the notice
date, the Date header the minute they were built, MIME boundaries derive from the Message-ID.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from email.headerregistry import Address
from typing import Any

from assembler.dutch import format_date_nl, join_nl
from assembler.model import Catalogue, ContractMeta, Customer, PendingChange
from assembler.notices.email_html import (
    bullet_list,
    heading,
    html_document,
    paragraphs,
    signature_html,
    signature_lines,
)
from assembler.notices.message import addressed_mail, content_digest, date_header, message_bytes
from assembler.notices.salutation import salutation
from assembler.render.subprocessor_pdf import render_subprocessor_letter
from assembler.render.typst_pdf import timestamp_of
from assembler.subprocessors.document import entry_nl
from assembler.subprocessors.list_cache import list_attachment_name


@dataclass(frozen=True)
class ChangeParts:
    """What every notice of one change shares; prepared once per change."""

    change: PendingChange
    meta: ContractMeta
    catalogue: Catalogue
    notice_date: dt.date
    sender: str
    """The From address; its domain ends each Message-ID."""
    list_url: str
    """Where the full, current list is published."""
    composed_at: dt.datetime | None = None
    """When the notices were written (the real clock at build): the e-mail's Date header."""


OBJECTION_HEADER = "X-Assembler-Objection-Deadline"
"""The header in which a notice e-mail states its last day to object (YYYY-MM-DD), as its letter does."""
ATTACHED = "In de bijlagen bij deze e-mail vindt u:"
"""The sentence before the list of attachments."""


def reference(change_id: str, customer_id: str) -> str:
    """Return our reference (kenmerk) of a sub-processor notice: ``SUB-voorbeeld-hosting-C-1042``."""
    return f"SUB-{change_id}-{customer_id}"


def message_id(contract: str, change_id: str, customer_id: str, domain: str, content: str) -> str:
    """Return the Message-ID of a customer's notice of `change_id` whose content digest is `content`.

    As for revision notices (`notices.email.message_id`): another message gets another id, the
    same bytes keep theirs (RFC 5322 3.6.4).
    """
    key = f"subprocessor\0{contract}\0{change_id}\0{customer_id}\0{content}"
    digest = hashlib.sha256(key.encode()).hexdigest()
    safe = ".".join(re.sub(r"[^A-Za-z0-9_-]", "_", part) for part in (change_id, customer_id))
    return f"<subprocessor.{safe}.{digest[:12]}@{domain}>"


def file_names(change_id: str, customer_id: str) -> dict[str, str]:
    """Return the file names of a notice's letter and e-mail."""
    ref = re.sub(r"[^A-Za-z0-9_.-]", "_", reference(change_id, customer_id))
    return {"letter": f"brief-{ref}.pdf", "email": f"{ref}.eml"}


def change_texts(parts: ChangeParts) -> dict[str, object]:
    """Return the Dutch texts every notice of the change shares (one layout for Typst to reuse)."""
    c, p = parts.change, parts.meta.processor
    e = entry_nl(c.entry, parts.catalogue)
    effective, deadline = format_date_nl(c.entry.effective), format_date_nl(c.objection_deadline)
    return {
        "subject": (f"Nieuwe sub-verwerker per {effective}: {c.entry.name}" if not c.replaced else
                    f"Vervanging van sub-verwerker {c.replaced.name} door {c.entry.name} per {effective}"),
        "headings": {"details": "De nieuwe sub-verwerker", "objection": "Bezwaar maken",
                     "list": "De volledige lijst", "contact": "Vragen"},
        "details": [["Wie", f"{e['name']} ({e['registration']}), gevestigd in {e['country']}"],
                    ["Waarvoor", e["purpose"]],
                    ["Welke gegevens", e["categories"]],
                    ["Waar", e["locations"]],
                    ["Doorgifte buiten de EER", e["transfer"]],
                    ["Ingangsdatum", effective],
                    ["Bezwaar mogelijk tot en met", deadline]],
        "objection": [
            f"U kunt tot en met {deadline} bezwaar maken tegen de inschakeling van deze "
            f"sub-verwerker. Uw bezwaar, met opgave van redenen, kunt u per e-mail sturen naar "
            f"{p.email} of per post naar {p.name}, {p.street}, {p.postcode} {p.city}, onder "
            "vermelding van het kenmerk van dit bericht.",
            "Is uw bezwaar redelijk en gegrond, dan zoeken wij samen met u naar een redelijke "
            "oplossing om het bezwaar weg te nemen (artikel 4.2 van de Verwerkersovereenkomst). "
            "Komen wij niet tot een werkbare oplossing, dan mag u de Verwerkersovereenkomst en de "
            "overeenkomsten die daarmee verband houden, zoals de Hoofdovereenkomst, beëindigen "
            "met een opzegtermijn van één dag, zonder rekening te houden met de looptijden en "
            "opzegtermijnen van de Hoofdovereenkomst.",
            f"Maakt u geen bezwaar, dan schakelen wij {c.entry.name} vanaf {effective} in."
            if c.objection_deadline < c.entry.effective else
            # a late notice (`late_objection_deadline`): the window runs past the effective date
            "Dit bericht bereikt u later dan de termijn die wij vóór de ingangsdatum in acht "
            f"nemen. Daarom kunt u tot en met {deadline} bezwaar maken, ook als wij "
            f"{c.entry.name} vanaf {effective} al inschakelen; een bezwaar in die periode "
            "behandelen wij op dezelfde wijze als hierboven beschreven.",
        ],
        "list": (f"De volledige en actuele lijst van onze sub-verwerkers vindt u op {parts.list_url}. "
                 "De lijst van sub-verwerkers voor uw diensten, met de stand per "
                 f"{format_date_nl(parts.notice_date)}, sturen wij met dit bericht mee."),
        "contact": f"Heeft u vragen over dit bericht? Neem dan contact met ons op via {p.email}, "
                   "onder vermelding van het kenmerk van dit bericht.",
        "closing": "Met vriendelijke groet,",
        "signature": [x for x in (p.signatory_name, p.signatory_role, p.name) if x],
    }


def customer_texts(parts: ChangeParts, customer: Customer) -> dict[str, str]:
    """Return the Dutch texts of one customer's notice: the introduction and the reference."""
    c, p = parts.change, parts.meta.processor
    labels = {s.id: s.label for s in parts.catalogue.services}
    yours = [labels.get(s, s) for s in c.entry.services if s in customer.services]
    replacing = f", ter vervanging van {c.replaced.name}" if c.replaced else ""
    return {
        "intro": (f"Hierbij delen wij u, zoals artikel 4.1 van de Verwerkersovereenkomst "
                  f"voorschrijft, mee dat {p.name} vanaf {format_date_nl(c.entry.effective)} een "
                  f"nieuwe sub-verwerker inschakelt{replacing}. Deze sub-verwerker verwerkt "
                  f"persoonsgegevens voor {'de dienst' if len(yours) == 1 else 'de diensten'} "
                  f"{join_nl(yours)} die {customer.company_name} bij ons afneemt."),
        "reference": reference(c.entry.id, customer.customer_id),
    }


def render_letter(parts: ChangeParts, customer: Customer) -> bytes:
    """Return the letter PDF (PDF/A-2b) for one customer."""
    p = parts.meta.processor
    recipient = [customer.company_name]
    if customer.contact_name:
        recipient.append(f"t.a.v. {customer.contact_name}")
    recipient += [customer.street, f"{customer.postcode}  {customer.city}"]
    shared = {**change_texts(parts),
              "sender": {"name": p.name, "lines": [p.street, f"{p.postcode} {p.city}", f"KvK {p.kvk}",
                                                   p.email]},
              "footer": f"{p.name} · KvK {p.kvk} · {p.email}",
              "place_date": f"{p.city}, {format_date_nl(parts.notice_date)}",
              "date": format_date_nl(parts.notice_date)}
    own = {**customer_texts(parts, customer), "recipient": recipient,
           "customer_id": customer.customer_id, "salutation": salutation(customer)}
    return render_subprocessor_letter(shared, own, timestamp_of(parts.notice_date))


def _plain(texts: dict[str, Any], customer: Customer, signature: list[str]) -> str:
    heads = texts["headings"]
    out = [salutation(customer), "", str(texts["intro"]), "", f"Ons kenmerk: {texts['reference']}",
           "", heads["details"], ""]
    out += [f"- {k}: {v}" for k, v in texts["details"]]
    out += ["", heads["objection"], ""]
    out += [str(t) + "\n" for t in texts["objection"]]
    out += [heads["list"], "", str(texts["list"]), "", ATTACHED]
    out += [f"- {name}: {what}" for name, what in texts["attachments"]]
    out += ["", heads["contact"], "", str(texts["contact"]), "", str(texts["closing"]), ""]
    return "\n".join(out + signature) + "\n"


def _html(texts: dict[str, Any], customer: Customer, signature: list[str]) -> str:
    """Return the HTML part: the plain part's content with headings, a list and links."""
    heads = texts["headings"]
    body = paragraphs([salutation(customer), texts["intro"], f"Ons kenmerk: {texts['reference']}"])
    body += [heading(heads["details"]), bullet_list(f"{k}: {v}" for k, v in texts["details"]),
             heading(heads["objection"]), *paragraphs(texts["objection"]),
             heading(heads["list"]), *paragraphs([texts["list"], ATTACHED]),
             bullet_list(f"{name}: {what}" for name, what in texts["attachments"]),
             heading(heads["contact"]), *paragraphs([texts["contact"]]),
             signature_html(str(texts["closing"]), signature)]
    return html_document(str(texts["subject"]), body)


def compose_email(parts: ChangeParts, customer: Customer, letter_pdf: bytes,
                  list_pdf: bytes) -> bytes:
    """Return the notice e-mail (RFC 5322, CRLF), the letter and the list attached; deterministic.

    `list_pdf` is the "Lijst van sub-verwerkers" for the customer's services (`list_cache`). The
    plain and the HTML part say the same; the signature is the revision notice's.
    """
    p, change_id = parts.meta.processor, parts.change.entry.id
    names = {**file_names(change_id, customer.customer_id),
             "list": list_attachment_name(parts.notice_date)}
    texts = {**change_texts(parts), **customer_texts(parts, customer), "attachments": [
        (names["letter"], "dit bericht als brief (PDF)"),
        (names["list"], "de lijst van sub-verwerkers voor uw diensten, stand per "
                        f"{format_date_nl(parts.notice_date)} (PDF)")]}
    signature = signature_lines(p, parts.meta.website)
    sender = Address(p.name, addr_spec=parts.sender)
    to = Address(customer.contact_name or customer.company_name, addr_spec=customer.contact_email)
    headers = {"Subject": str(texts["subject"]),
               "Date": date_header(parts.composed_at, parts.notice_date),
               "X-Assembler-Reference": str(texts["reference"]),
               # what send checks a late notice against (`lateness`), as the letter states it
               OBJECTION_HEADER: parts.change.objection_deadline.isoformat()}
    plain, rich = _plain(texts, customer, signature), _html(texts, customer, signature)
    content = content_digest({**headers, "From": str(sender), "To": str(to),
                              "Attachments": "\0".join((names["letter"], names["list"]))},
                             [plain, rich], [letter_pdf, list_pdf])
    mid = message_id(parts.meta.id, change_id, customer.customer_id, parts.sender.rpartition("@")[2],
                     content)
    msg = addressed_mail(sender, to, headers, mid, (plain, rich))
    for kind, data in (("letter", letter_pdf), ("list", list_pdf)):
        msg.add_attachment(data, maintype="application", subtype="pdf", filename=names[kind])
    return message_bytes(msg, "subprocessor")
