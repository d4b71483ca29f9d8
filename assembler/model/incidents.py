"""Data breaches (art. 7): the incident record, its counts, and what the plan says per customer."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

Precision = Literal["exact", "estimated", "unknown"]
"""How sure a count of data subjects or records is."""
Phase = Literal["initial", "update", "final"]
"""The phase of a breach notice (GDPR art. 33(4): information may be given in phases)."""
PHASES: tuple[Phase, ...] = ("initial", "update", "final")
"""The phases in the order they are sent."""
BreachStatus = Literal["on_time", "overdue", "notified", "notified_late"]
"""What `incidents plan` says about one affected customer's initial notice."""


@dataclass(frozen=True)
class Count:
    """An approximate number of data subjects or records, with how sure it is."""

    count: int | None
    """The number; None when `precision` is ``unknown``."""
    precision: Precision
    """``exact``, ``estimated`` or ``unknown``."""


@dataclass(frozen=True)
class Incident:
    """A security or data breach as recorded in ``var/incidents/<id>.toml`` (never in git)."""

    id: str
    """The incident's id, e.g. ``"2027-001"``; also the file's name."""
    path: str
    """The file it was read from."""
    detected_at: dt.datetime
    """When VoIP Express detected it, aware, in Europe/Amsterdam: the art. 7.1 clock starts here."""
    occurred_from: dt.datetime | None
    """When it began, if known (Europe/Amsterdam)."""
    occurred_to: dt.datetime | None
    """When it ended, if known (Europe/Amsterdam)."""
    nature: str
    """Art. 7.3 (I): what happened, in Dutch words (confidentiality, integrity, availability)."""
    services: tuple[str, ...]
    """Catalogue service ids affected."""
    categories: tuple[str, ...]
    """Catalogue data-category ids affected."""
    customers: tuple[str, ...]
    """Customer ids named as affected, when known exactly."""
    subjects: Count
    """Art. 7.3 (I): approximately how many data subjects."""
    records: Count
    """Art. 7.3 (I): approximately how many records of personal data."""
    consequences: str
    """Art. 7.3 (II): the likely consequences, in Dutch ("" while not yet known)."""
    measures: str
    """Art. 7.3 (III): the measures taken or proposed, in Dutch ("" while not yet known)."""
    contact: str
    """GDPR art. 33(3)(b): the contact point for more information."""
    next_update: str = ""
    """When the next update is promised, in Dutch words ("uiterlijk 30 maart 2027")."""
    record_sha256: str = ""
    """The SHA-256 of the record file as read: kept with each notice built from it."""


@dataclass(frozen=True)
class BreachRow:
    """What `incidents plan` says about one affected customer."""

    customer_id: str
    company_name: str
    reason: str
    """Why affected, in English: ``"uses gespreksopname"``, ``"named in the record"``."""
    status: BreachStatus
    """``on_time``, ``overdue``, ``notified`` or ``notified_late`` (the initial notice)."""
    sent_at: str | None = None
    """When the server accepted the initial notice (ISO 8601 UTC)."""
    agreement_ended: dt.date | None = None
    """For a customer told because we still held their data after their agreement ended: the
    first day no version bound them; None while it ran in the breach window."""
