"""The Dutch notice of a sub-processor change (art. 4.1–4.2): its texts, the letter PDF, the e-mail.

Each notice names who the sub-processor is, what for, which data, where, on what basis data
leave the EU/EEA, from when, until when and how the customer can object, what follows an
objection (art. 4.2), and where the full list is; the e-mail attaches the list for the
customer's services. The same input gives the same bytes: the PDF
timestamp and the Date header are the notice date, MIME boundaries derive from the Message-ID.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from email.headerregistry import Address
from email.utils import format_datetime

from assembler.dutch import format_date_nl
from assembler.model import Catalogue, ContractMeta, Customer, PendingChange
from assembler.notices.email import message_bytes
from assembler.notices.letter import salutation
from assembler.notices.mime import Mail
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


def reference(change_id: str, customer_id: str) -> str:
    """Return our reference (kenmerk) of a sub-processor notice: ``SUB-voorbeeld-hosting-C-1042``."""
    return f"SUB-{change_id}-{customer_id}"


def message_id(contract: str, change_id: str, customer_id: str, domain: str) -> str:
    """Return the stable Message-ID of a customer's notice of `change_id`."""
    digest = hashlib.sha256(f"subprocessor\0{contract}\0{change_id}\0{customer_id}".encode()).hexdigest()
    safe = re.sub(r"[^A-Za-z0-9_-]", "_", f"{change_id}.{customer_id}")
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
        "details": [["Wie", f"{e['name']} ({e['registration']}), gevestigd in {e['country']}"],
                    ["Waarvoor", e["purpose"]],
                    ["Welke gegevens", e["categories"]],
                    ["Waar", e["locations"]],
                    ["Doorgifte buiten de EER", e["transfer"]],
                    ["Ingangsdatum", effective],
                    ["Bezwaar mogelijk tot en met", deadline]],
        "objection": [
            f"U kunt tot en met {deadline} bezwaar maken tegen deze sub-verwerker. Stuur uw bezwaar, "
            f"met de reden ervan, per e-mail naar {p.email} of per post naar {p.name}, {p.street}, "
            f"{p.postcode} {p.city}, en vermeld daarbij het kenmerk van dit bericht.",
            "Is uw bezwaar redelijk en gegrond, dan zoeken wij samen met u naar een redelijke "
            "oplossing om het bezwaar weg te nemen (artikel 4.2). Komen wij niet tot een werkbare "
            "oplossing, dan mag u de Verwerkersovereenkomst en de overeenkomsten die daarmee "
            "verband houden, zoals de Hoofdovereenkomst, beëindigen met een opzegtermijn van één dag, "
            "zonder rekening te houden met de looptijden en opzegtermijnen van de Hoofdovereenkomst.",
            f"Maakt u geen bezwaar, dan schakelen wij {c.entry.name} vanaf {effective} in.",
        ],
        "list": (f"De volledige en actuele lijst van onze sub-verwerkers vindt u op {parts.list_url}. "
                 "De lijst van sub-verwerkers voor uw diensten, met de stand per "
                 f"{format_date_nl(parts.notice_date)}, sturen wij met dit bericht mee."),
        "contact": f"Heeft u vragen? Neem dan contact met ons op via {p.email}, onder vermelding van "
                   "het kenmerk van dit bericht.",
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
        "intro": (f"Met dit bericht informeren wij u, zoals artikel 4.1 van de Verwerkersovereenkomst "
                  f"voorschrijft, dat {p.name} vanaf {format_date_nl(c.entry.effective)} een nieuwe "
                  f"sub-verwerker inschakelt{replacing}. Deze sub-verwerker verwerkt persoonsgegevens "
                  f"voor {'de dienst' if len(yours) == 1 else 'de diensten'} {', '.join(yours)} die "
                  f"{customer.company_name} bij ons afneemt."),
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
              "place_date": f"{p.city}, {format_date_nl(parts.notice_date)}"}
    own = {**customer_texts(parts, customer), "recipient": recipient,
           "customer_id": customer.customer_id, "salutation": salutation(customer)}
    return render_subprocessor_letter(shared, own, timestamp_of(parts.notice_date))


def _plain(texts: dict[str, object], customer: Customer) -> str:
    out = [salutation(customer), "", str(texts["intro"]), "", f"Ons kenmerk: {texts['reference']}", ""]
    out += [f"- {k}: {v}" for k, v in texts["details"]]  # type: ignore[attr-defined]
    out += ["", "Bezwaar maken", ""]
    out += [str(t) + "\n" for t in texts["objection"]]  # type: ignore[attr-defined]
    out += [str(texts["list"]), "", "In de bijlagen bij deze e-mail vindt u:"]
    out += [f"- {name}: {what}" for name, what in texts["attachments"]]  # type: ignore[attr-defined]
    out += ["", str(texts["contact"]), "", str(texts["closing"]), ""]
    out += list(texts["signature"])  # type: ignore[call-overload]
    return "\n".join(out) + "\n"


def compose_email(parts: ChangeParts, customer: Customer, letter_pdf: bytes,
                  list_pdf: bytes) -> bytes:
    """Return the notice e-mail (RFC 5322, CRLF), the letter and the list attached; deterministic.

    `list_pdf` is the "Lijst van sub-verwerkers" for the customer's services (`list_cache`).
    """
    p, change_id = parts.meta.processor, parts.change.entry.id
    names = {**file_names(change_id, customer.customer_id),
             "list": list_attachment_name(parts.notice_date)}
    texts = {**change_texts(parts), **customer_texts(parts, customer), "attachments": [
        (names["letter"], "dit bericht als brief (PDF)"),
        (names["list"], "de lijst van sub-verwerkers voor uw diensten, stand per "
                        f"{format_date_nl(parts.notice_date)} (PDF)")]}
    mid = message_id(parts.meta.id, change_id, customer.customer_id, parts.sender.rpartition("@")[2])
    msg = Mail()
    msg["From"] = Address(p.name, addr_spec=parts.sender)
    msg["To"] = Address(customer.contact_name or customer.company_name, addr_spec=customer.contact_email)
    msg["Subject"] = str(texts["subject"])
    msg["Date"] = format_datetime(timestamp_of(parts.notice_date))
    msg["Message-ID"] = mid
    msg["X-Assembler-Reference"] = str(texts["reference"])
    msg.set_content(_plain(texts, customer), cte="quoted-printable")
    for kind, data in (("letter", letter_pdf), ("list", list_pdf)):
        msg.add_attachment(data, maintype="application", subtype="pdf", filename=names[kind])
    return message_bytes(msg, "subprocessor")
