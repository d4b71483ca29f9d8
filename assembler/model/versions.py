"""Released versions, and a text resolved from a ref."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

from assembler.model.agreement import Agreement

VersionStatus = Literal["released", "withdrawn"]
"""A manifest's status: released (the only status one is written with) or withdrawn later."""


TOELICHTING_TODO = "TODO: toelichting invullen"
"""Marker `release` writes for an article whose explanation still has to be written by hand."""


@dataclass(frozen=True)
class Version:
    """A released version, as pinned by its manifest in versions/<contract>/<version>.toml."""

    contract: str
    """Contract id."""
    number: str
    """Version number, ``"1.0"``."""
    effective: dt.date
    """The day the version takes effect."""
    status: VersionStatus
    """``"released"`` (the only status a manifest is written with) or ``"withdrawn"``."""
    sha256: str
    """SHA-256 of the canonical text pinned at release."""
    released: dt.date | None = None
    """The day the manifest was written."""
    tree: str = ""
    """Git tree id of the contract folder at release: a fast path to find the text in history."""
    toelichting: dict[str, str] = field(default_factory=dict, hash=False, compare=False)
    """Per changed article number: the Dutch explanation the notice letter quotes."""
    annex_toelichting: dict[str, str] = field(default_factory=dict, hash=False, compare=False)
    """Per catalogue id (a service, data category or data subject of Bijlage 1): the explanation
    only customers with that item in their Bijlage 1 read (``[toelichting-bijlage-1]``)."""
    path: str = ""
    """Path of the manifest file."""

    @property
    def key(self) -> tuple[int, ...]:
        """Return a sort key: ``"1.10"`` after ``"1.9"``."""
        return version_key(self.number)


@lru_cache(maxsize=1024)
def version_key(number: str) -> tuple[int, ...]:
    """Return the numeric sort key of a version number like ``"1.10"`` (cached: a plan compares
    the few version numbers there are for every one of thousands of customers)."""
    return tuple(int(p) for p in number.split("."))


@dataclass(frozen=True)
class Resolved:
    """A ref resolved to a contract text: where it came from and what it is."""

    ref: str
    """What the user asked for: ``"1.0"``, ``"HEAD"``, a commit, or ``"worktree"``."""
    commit: str | None
    """The commit the text was read from; None for the work tree."""
    version: Version | None
    """The released version whose pinned hash this text has, if any."""
    agreement: Agreement
    """The parsed text."""

    @property
    def number(self) -> str | None:
        """Return the released version's number, or None for a text that is no released version."""
        return self.version.number if self.version else None

    @property
    def label(self) -> str:
        """Return how a reader names this text: the version number, or "concept"."""
        return self.version.number if self.version else "concept"
