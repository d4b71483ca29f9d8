"""Each customer's agreement over time: the events of their history and the version in force."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

Basis = Literal["signed", "notice", "countersigned", "terminated"]
"""Why a version binds a customer (or, for ``terminated``, why none does any more)."""
HistoryKind = Literal["signed", "notice", "countersigned", "terminated", "objected", "destroyed"]
"""What a history event records: the four bases, and events that bind nothing themselves
(an objection to a notice, the destruction of the customer's data under art. 11.1)."""
CustomerStatus = Literal["active", "terminating", "terminated"]
"""Where a customer's agreement stands on a day."""
VersionState = Literal["announced", "in_force", "superseded"]
"""Where a released version stands on a day, across the customers."""
OwedBasis = Literal["agreement", "data_held"]
"""Why a customer is owed a notice: their agreement ran, or it had ended and we still held
their data (a breach only)."""


@dataclass(frozen=True)
class HistoryEvent:
    """One fact in a customer's history, with the evidence it rests on."""

    customer_id: str
    kind: HistoryKind
    version: str
    """The version concerned (for ``terminated`` and ``destroyed``: the version in force then, or "")."""
    on: dt.date
    """The Dutch calendar day it happened: signed, the notice reached the customer (accepted by
    their server), the copy was countersigned, the termination was received."""
    effective: dt.date | None = None
    """For a notice: the version's effective date E; for a termination: the first day no version
    binds any more. None otherwise."""
    bounced_on: dt.date | None = None
    """For a notice: the day a bounce of it was recorded (it then does not count as given)."""
    evidence: str = ""
    """What proves it: a Message-ID and the server's reply, a file name, "CSV import"."""
    sha256: str = ""
    """SHA-256 of the document that proves it, if there is one."""
    detail: str = ""
    """Anything else worth keeping: the signer's name, the reason for a termination."""
    contract: str = ""
    recorded_at: str = ""
    """When the registry learnt of it (ISO 8601 UTC); "" for facts derived from the customer row."""


@dataclass(frozen=True)
class InForce:
    """Which version binds a customer on a day, since when, and on what basis."""

    version: str
    since: dt.date
    """The first day this version binds the customer."""
    basis: Basis
    evidence: str = ""
    """The evidence of the event it rests on."""


@dataclass(frozen=True)
class OwedNotice:
    """That a customer is owed a notice about some days, and on what ground."""

    basis: OwedBasis
    """``agreement``: their agreement ran on one of the days; ``data_held``: it had ended, but
    their data were not yet destroyed (art. 11.1)."""
    ended: dt.date | None = None
    """For ``data_held``: the first day no version bound them any more."""
    destroyed: dt.date | None = None
    """For ``data_held``: the day the destruction statement was issued; None while we hold the data."""


@dataclass(frozen=True)
class Standing:
    """Where one customer's agreement stands on a day: for `customers list` and the plans."""

    customer_id: str
    company_name: str
    in_force: InForce | None
    """The version that binds them that day; None before signing and after a termination."""
    status: CustomerStatus
