"""The breach notice e-mail: RFC 5322 bytes around the letter, threaded across the phases.

Every phase of one incident shares the reference; an update or final notice carries
``In-Reply-To`` (the phase before) and ``References`` (every earlier phase), so a mail client
shows the phases as one conversation. Message-IDs derive from incident, phase and customer, and
MIME boundaries from the Message-ID, so the same input gives the same bytes. The plain and the HTML
part say the same (headings, links, the contact point as a ``mailto:`` link) and end in the
signature of every notice e-mail (`notices.email_html`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from email.headerregistry import Address
from email.utils import format_datetime
from typing import Any

from assembler.incidents.letter import BreachParts, breach_texts, file_stem
from assembler.model import Customer, Phase
from assembler.notices.email_html import heading, html_document, paragraphs, signature_html, signature_lines
from assembler.notices.message import addressed_mail, content_digest, message_bytes


def breach_message_id(incident_id: str, phase: Phase, customer_id: str, domain: str,
                      content: str) -> str:
    """Return the Message-ID of a customer's breach notice in `phase` with content digest `content`.

    As for revision notices (`notices.email.message_id`): another message gets another id, the
    same bytes keep theirs (RFC 5322 3.6.4). Later phases thread on the ids the ledger recorded.
    """
    key = f"breach\0{incident_id}\0{phase}\0{customer_id}\0{content}"
    digest = hashlib.sha256(key.encode()).hexdigest()
    safe = ".".join(re.sub(r"[^A-Za-z0-9_-]", "_", part) for part in (incident_id, phase, customer_id))
    return f"<breach.{safe}.{digest[:12]}@{domain}>"


def _plain(texts: dict[str, Any], signature: list[str]) -> str:
    heads = texts["headings"]
    out = [str(texts["salutation"]), ""]
    out += [f"{p}\n" for p in texts["intro"]]
    for s in texts["sections"]:
        out.append(f"{s['heading']}\n")
        out += [f"{p}\n" for p in s["paragraphs"]]
    out += [f"{heads['unknown']}\n", f"{texts['unknown']}\n", f"{texts['next']}\n",
            f"{heads['contact']}\n", f"{texts['contact']}\n", str(texts["closing"]), ""]
    return "\n".join(out + signature) + "\n"


def _html(texts: dict[str, Any], signature: list[str]) -> str:
    """Return the HTML part: the plain part's content with headings and links."""
    heads = texts["headings"]
    body = paragraphs([texts["salutation"], *texts["intro"]])
    for s in texts["sections"]:
        body += [heading(s["heading"]), *paragraphs(s["paragraphs"])]
    body += [heading(heads["unknown"]), *paragraphs([texts["unknown"], texts["next"]]),
             heading(heads["contact"]), *paragraphs([texts["contact"]]),
             signature_html(str(texts["closing"]), signature)]
    return html_document(str(texts["subject"]), body)


def compose_breach_email(parts: BreachParts, customer: Customer, letter_pdf: bytes,
                         earlier: list[str], ended: dt.date | None = None) -> bytes:
    """Return one customer's breach notice e-mail (CRLF line ends), the letter attached.

    `earlier` are the Message-IDs of the notices this customer was sent in earlier phases,
    oldest first: the thread's ``References``, the last of them ``In-Reply-To``. `ended`: the
    day their agreement ended when they are told because we still held their data
    (`letter.why_you`).
    """
    texts = breach_texts(parts, customer, ended)
    signature = signature_lines(parts.processor, parts.website)
    domain = parts.sender.rpartition("@")[2]
    sender = Address(parts.processor.name, addr_spec=parts.sender)
    to = Address(customer.contact_name or customer.company_name, addr_spec=customer.contact_email)
    thread = {"In-Reply-To": earlier[-1], "References": " ".join(earlier)} if earlier else {}
    headers = {"Subject": str(texts["subject"]),
               "Date": format_datetime(parts.notice_at.replace(second=0, microsecond=0)),
               **thread, "X-Assembler-Reference": str(texts["reference"]), "Importance": "high"}
    plain, rich = _plain(texts, signature), _html(texts, signature)
    filename = f"{file_stem(parts, customer)}.pdf"
    content = content_digest({**headers, "From": str(sender), "To": str(to), "Attachments": filename},
                             [plain, rich], [letter_pdf])
    mid = breach_message_id(parts.incident.id, parts.phase, customer.customer_id, domain, content)
    msg = addressed_mail(sender, to, headers, mid, (plain, rich))
    msg.add_attachment(letter_pdf, maintype="application", subtype="pdf", filename=filename)
    return message_bytes(msg, "breach")
