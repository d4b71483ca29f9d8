"""The breach notice e-mail: RFC 5322 bytes around the letter, threaded across the phases.

Every phase of one incident shares the reference; an update or final notice carries
``In-Reply-To`` (the phase before) and ``References`` (every earlier phase), so a mail client
shows the phases as one conversation. Message-IDs derive from incident, phase and customer, and
MIME boundaries from the Message-ID, so the same input gives the same bytes.
"""

from __future__ import annotations

import hashlib
import html
import re
from email.headerregistry import Address
from email.utils import format_datetime

from assembler.incidents.letter import BreachParts, breach_texts, file_stem
from assembler.model import Customer, Phase
from assembler.notices.email import message_bytes
from assembler.notices.mime import Mail


def breach_message_id(incident_id: str, phase: Phase, customer_id: str, domain: str) -> str:
    """Return the stable Message-ID of a customer's breach notice in `phase`."""
    digest = hashlib.sha256(f"breach\0{incident_id}\0{phase}\0{customer_id}".encode()).hexdigest()
    safe = re.sub(r"[^A-Za-z0-9_-]", "_", f"{incident_id}.{phase}.{customer_id}")
    return f"<breach.{safe}.{digest[:12]}@{domain}>"


def _plain(texts: dict[str, object]) -> str:
    out = [str(texts["salutation"]), ""]
    out += [f"{p}\n" for p in texts["intro"]]  # type: ignore[attr-defined]
    for s in texts["sections"]:  # type: ignore[attr-defined]
        out.append(f"{s['heading']}\n")
        out += [f"{p}\n" for p in s["paragraphs"]]
    out += ["Nog niet bekend\n", f"{texts['unknown']}\n", f"{texts['next']}\n",
            "Contactpunt\n", f"{texts['contact']}\n", str(texts["closing"]), ""]
    out += [str(x) for x in texts["signature"]]  # type: ignore[attr-defined]
    return "\n".join(out) + "\n"


def _html(texts: dict[str, object]) -> str:
    e = html.escape
    parts = [f"<p>{e(str(texts['salutation']))}</p>"]
    parts += [f"<p>{e(str(p))}</p>" for p in texts["intro"]]  # type: ignore[attr-defined]
    for s in texts["sections"]:  # type: ignore[attr-defined]
        parts.append(f"<h2>{e(s['heading'])}</h2>")
        parts += [f"<p>{e(p)}</p>" for p in s["paragraphs"]]
    parts += ["<h2>Nog niet bekend</h2>", f"<p>{e(str(texts['unknown']))}</p>",
              f"<p>{e(str(texts['next']))}</p>", "<h2>Contactpunt</h2>",
              f"<p>{e(str(texts['contact']))}</p>", f"<p>{e(str(texts['closing']))}</p>",
              "<p>" + "<br>".join(e(str(x)) for x in texts["signature"]) + "</p>"]  # type: ignore[attr-defined]
    return ('<!DOCTYPE html>\n<html lang="nl"><head><meta charset="utf-8"><title>'
            f'{e(str(texts["subject"]))}</title></head><body>\n' + "\n".join(parts)
            + "\n</body></html>\n")


def compose_breach_email(parts: BreachParts, customer: Customer, letter_pdf: bytes,
                         earlier: list[str]) -> bytes:
    """Return one customer's breach notice e-mail (CRLF line ends), the letter attached.

    `earlier` are the Message-IDs of the notices this customer was sent in earlier phases,
    oldest first: the thread's ``References``, the last of them ``In-Reply-To``.
    """
    texts = breach_texts(parts, customer)
    domain = parts.sender.rpartition("@")[2]
    mid = breach_message_id(parts.incident.id, parts.phase, customer.customer_id, domain)
    msg = Mail()
    msg["From"] = Address(parts.processor.name, addr_spec=parts.sender)
    msg["To"] = Address(customer.contact_name or customer.company_name,
                        addr_spec=customer.contact_email)
    msg["Subject"] = str(texts["subject"])
    msg["Date"] = format_datetime(parts.notice_at.replace(second=0, microsecond=0))
    msg["Message-ID"] = mid
    if earlier:
        msg["In-Reply-To"] = earlier[-1]
        msg["References"] = " ".join(earlier)
    msg["X-Assembler-Reference"] = str(texts["reference"])
    msg["Importance"] = "high"
    msg.set_content(_plain(texts), cte="quoted-printable")
    msg.add_alternative(_html(texts), subtype="html", cte="quoted-printable")
    msg.add_attachment(letter_pdf, maintype="application", subtype="pdf",
                       filename=f"{file_stem(parts, customer)}.pdf")
    return message_bytes(msg, "breach")
