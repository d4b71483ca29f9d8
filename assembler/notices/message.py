"""What every notice e-mail shares (revision, sub-processor, breach): its head, digest and bytes.

Each is deterministic to the byte. The Date header is when the notices were built
(`date_header`) and MIME boundaries derive from the Message-ID (`message_bytes`), so the same
input at the same minute gives the same bytes. Each kind derives its Message-ID from its
subject and customer and from a digest of everything else the message says (`content_digest`):
a changed message (rebuilt later, to another address, with another letter) gets a new
Message-ID, while the same bytes sent again (a resend after an interrupted run) keep their own.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from email.headerregistry import Address
from email.utils import format_datetime

from assembler.notices.mime import Mail
from assembler.render.typst_pdf import timestamp_of


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


def pdf_part(data: bytes, filename: str) -> Mail:
    """Return a PDF attachment part (base64 in 76-character lines, encoded once per distinct PDF)."""
    part = Mail()
    part.set_pdf(data, filename)
    return part


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
