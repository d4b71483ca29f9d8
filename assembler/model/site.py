"""A version as the published site shows it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from assembler.model.agreement import Agreement
from assembler.model.versions import Version

PublishedState = Literal["in_force", "announced", "superseded", "withdrawn"]
"""Where a version stands on the published site."""


@dataclass(frozen=True)
class PublishedVersion:
    """A version as the published site shows it."""

    version: Version
    """The manifest."""
    agreement: Agreement
    """The pinned text."""
    state: PublishedState
    """``"in_force"`` (the current version), ``"announced"`` (takes effect later),
    ``"superseded"`` (a later version took over) or ``"withdrawn"``."""
    until: dt.date | None = None
    """For ``superseded``: the day the next version took effect."""
    previous: str | None = None
    """The version the redline on the site compares this one with (None for the first)."""
