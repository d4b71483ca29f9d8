"""The sub-processor register (art. 4.1–4.3): its entries, and what changed between two lists."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

from assembler.model.notices import EventKind, NoticeState

TransferBasis = Literal["", "adequaatheidsbesluit", "SCC", "BCR", "EU-US DPF"]
"""The ground for processing outside the EU/EEA (art. 4.3, GDPR chapter V); ``""`` inside it."""
RegisterChangeKind = Literal["added", "removed", "changed"]
"""What happened to an entry between two lists."""


@dataclass(frozen=True)
class SubProcessor:
    """One entry of ``subverwerkers.toml``: a sub-processor VoIP Express uses (or will, or did)."""

    id: str
    """Stable id, never reused: ``"voorbeeld-hosting"``; the subject of its notices."""
    name: str
    """Legal name: ``"Voorbeeld Hosting B.V."``."""
    registration: str
    """Trade register and number: ``"KvK 12345678"``."""
    country: str
    """Where it is established (ISO 3166 alpha-2)."""
    locations: tuple[str, ...]
    """Where it processes (ISO 3166 alpha-2)."""
    purpose: str
    """What for, in Dutch, as a customer reads it."""
    services: tuple[str, ...]
    """Catalogue service ids it is used for: it concerns exactly the customers with one of them."""
    categories: tuple[str, ...]
    """Catalogue data-category ids it processes."""
    transfer: TransferBasis
    """The transfer basis when a location is outside the EU/EEA."""
    added: dt.date
    """The day it was put on the list."""
    effective: dt.date
    """The first day VoIP Express may use it."""
    removed: dt.date | None
    """The first day it is no longer used, if any."""
    replaces: str
    """The id of the entry it replaces, or ``""``."""
    line: int
    """Line of its ``[[subverwerker]]`` header in the register."""

    def in_use(self, day: dt.date) -> bool:
        """Return whether it is on the list of sub-processors in use on `day`."""
        return self.effective <= day and (self.removed is None or day < self.removed)


@dataclass(frozen=True)
class Register:
    """The register of one contract, as read from the work tree or a commit."""

    path: str
    """``contracts/<contract>/subverwerkers.toml``."""
    entries: tuple[SubProcessor, ...]
    """In file order."""
    sha256: str
    """SHA-256 of the file's bytes."""
    text: str = field(default="", repr=False, compare=False)
    """The file's text, so that lint can name the line of each field."""
    commit: str | None = None
    """The git commit it was read from; None for the work tree."""

    def entry(self, entry_id: str) -> SubProcessor | None:
        """Return the entry with `entry_id`, or None."""
        return next((e for e in self.entries if e.id == entry_id), None)


@dataclass(frozen=True)
class RegisterChange:
    """One difference between two lists of sub-processors."""

    kind: RegisterChangeKind
    """``added``, ``removed`` or ``changed``."""
    entry_id: str
    old: SubProcessor | None
    """The entry in the old list (None when added)."""
    new: SubProcessor | None
    """The entry in the new list (None when removed)."""
    fields: tuple[str, ...] = ()
    """The fields that differ, for ``changed``."""


SubprocessorNoticeStatus = Literal["on_time", "late", "notified"]
"""What `subprocessors plan` says about one customer and change."""


@dataclass(frozen=True)
class PendingChange:
    """An addition or replacement on the list whose ``effective`` lies ahead: it must be announced."""

    entry: SubProcessor
    replaced: SubProcessor | None
    """The entry it replaces, if any."""
    latest_send: dt.date
    """The last day to announce it (``effective`` minus the notice period)."""
    objection_deadline: dt.date
    """The last day a customer can object (the day before ``effective``)."""


@dataclass(frozen=True)
class SubprocessorPlanRow:
    """What `subprocessors plan` says about one customer and one pending change."""

    change_id: str
    """The entry id: the subject of the notice in the ledger."""
    customer_id: str
    company_name: str
    latest_send: dt.date
    status: SubprocessorNoticeStatus
    """``on_time`` (still to send, in time), ``late`` (cannot be in time any more) or ``notified``."""
    ledger_state: NoticeState | None = None
    """The notice's state in the ledger, if built."""
    sent_at: str | None = None
    """When the SMTP server accepted it (ISO 8601 UTC)."""
    events: tuple[EventKind, ...] = ()
    """What followed (``objected``, ``resolved``, ``terminated``, ``bounced``), oldest first."""
