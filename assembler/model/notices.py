"""Notices and their ledger: documents, sends, events, and the rows of a plan."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Literal

NoticeKind = Literal["revision", "subprocessor", "breach"]
"""What a notice announces: a version (art. 11.2), a sub-processor change (art. 4.1), a breach (art. 7)."""
DocumentKind = Literal["letter", "email", "redline", "contract", "list", "report"]
"""The documents of a notice the ledger proves (``list``: sub-processor list; ``report``: breach report)."""
NoticeState = Literal["pending", "sending", "sent", "failed", "unknown"]
"""Where a notice stands in the ledger."""
EventKind = Literal["bounced", "objected", "resolved", "terminated"]
"""What can happen to a notice after it was sent."""
PlanStatus = Literal["on_time", "late", "notified", "not_affected"]
"""What `notices plan` says about one customer."""


@dataclass(frozen=True)
class NoticeDocument:
    """One document of a notice, as the ledger proves it."""

    kind: DocumentKind
    """``letter``, ``email``, ``redline``, ``contract``, ``list`` or ``report``."""
    name: str
    """File name (the attachment's name in the e-mail)."""
    sha256: str
    """SHA-256 of the exact bytes."""
    size: int
    """Size in bytes."""


def sha256(data: bytes) -> str:
    """Return the SHA-256 of `data` in hex: what the ledger records of each document."""
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class LedgerNotice:
    """One customer's notice of one subject in the ledger (the kind is the `Ledger`'s)."""

    version: str
    """The subject announced: the version (revision), the change id (sub-processor), the incident
    id and phase (breach); the ledger's ``subject`` column."""
    customer_id: str
    from_version: str
    """The version the customer was on when the notice was built."""
    reference: str
    """Our reference ("kenmerk") printed on the letter: ``VWO-1.1-C-1042``."""
    address: str
    """The e-mail address the notice is (to be) sent to."""
    message_id: str
    """The stable Message-ID, angle brackets included."""
    eml_path: str
    """Where the built .eml is, relative to the project root when inside it."""
    eml_sha256: str
    """SHA-256 of the .eml bytes: what is sent is what was built."""
    state: NoticeState
    """``pending``, ``sending``, ``sent``, ``failed`` or ``unknown``."""
    built_at: str
    """When the notice was built (ISO 8601 UTC)."""
    sent_at: str | None = None
    """When the server accepted the message (ISO 8601 UTC)."""
    reply_code: int | None = None
    """The server's last reply code."""
    reply: str | None = None
    """The server's last reply text."""
    states_effective: dt.date | None = None
    """The effective date the letter states (revision notices): the version's E, or a late
    letter's own date; None for the other kinds."""


@dataclass(frozen=True)
class LedgerEvent:
    """Something that happened to a notice after it was sent."""

    customer_id: str
    event: EventKind
    """``bounced`` (the notice does not count as given), ``objected``, ``resolved`` (the objection
    was met) or ``terminated``."""
    on: dt.date
    """The day it happened."""
    recorded_at: str
    """When it was recorded (ISO 8601 UTC)."""


@dataclass(frozen=True)
class ClauseChange:
    """One changed clause for the letter's before/after table."""

    article: str
    """The article number the clause belongs to (in the new text; the old one when deleted)."""
    old_label: str
    """``"7.3."``, or ``""`` for an inserted clause."""
    old_text: str
    """The old text, or ``""`` for an inserted clause."""
    new_label: str
    """``"7.3."``, or ``""`` for a deleted clause."""
    new_text: str
    """The new text, or ``""`` for a deleted clause."""


@dataclass(frozen=True)
class PlanRow:
    """What `notices plan` says about one customer."""

    customer_id: str
    company_name: str
    current_version: str
    """The version the customer is on."""
    affected: bool
    """Whether the new version changes anything for this customer (their Bijlage 1 included)."""
    reason: str
    """Why (not) affected, in English: ``"articles 7, 11 change"``."""
    latest_send: dt.date
    """The last day to send the notice (art. 11.2, with the channel's delivery buffer)."""
    status: PlanStatus
    """``on_time``, ``late``, ``notified`` or ``not_affected``."""
    ledger_state: NoticeState | None = None
    """The notice's state in the ledger, if built."""
    sent_at: str | None = None
    """When it was accepted by the SMTP server."""
    note: str = ""
    """Anything else worth knowing: a bounce, a notice sent too late."""
    annex_changes: bool = False
    """Whether the customer's own Bijlage 1 reads differently in the new version."""
    bounced_on: dt.date | None = None
    """The day the notice sent last bounced (it then does not count as given)."""
