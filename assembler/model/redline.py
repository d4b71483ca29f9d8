"""A redline: what changed between two texts, down to the words."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from assembler.model.agreement import Source
from assembler.model.versions import Resolved, version_key


@dataclass(frozen=True)
class Op:
    """One word-level edit: a run of text kept, inserted or deleted."""

    op: str
    """``"equal"``, ``"insert"`` or ``"delete"``."""
    text: str
    """The literal text of the run (whitespace included)."""


@dataclass(frozen=True)
class Change:
    """One change between two versions, at the level of an article, a clause or the annex."""

    kind: str
    """``"added"``, ``"removed"``, ``"changed"``, ``"renumbered"`` or ``"moved"``."""
    level: str
    """``"article"``, ``"clause"``, ``"annex"``, or ``"preamble"`` (title and preamble)."""
    old_number: str | None
    """Number in the old version (``"4.3"``, ``"4"``, annex item ``"VII"``); None when added."""
    new_number: str | None
    """Number in the new version; None when removed."""
    article: str
    """The article the change is in: its new number, or its old number for removals.

    ``"Bijlage 1"`` for annex changes, ``""`` for the preamble."""
    ops: tuple[Op, ...] = ()
    """Word-level edits whenever the text differs (also for renumbered and moved clauses)."""
    old_text: str = ""
    """The old text (without the number); empty when added."""
    new_text: str = ""
    """The new text (without the number); empty when removed."""
    related: tuple[str, ...] = ()
    """Numbers of clauses this one was split from / merged into (see `note`)."""
    note: str = ""
    """Machine-readable detail: ``"split-from"``, ``"merged-into"``, ``"relabelled"``,
    ``"services"``, ``"title"`` (article heading) or ``""``."""
    item: str = ""
    """For catalogue changes: ``"data_categories:belhistorie"``, ``"service:fax2mail"``."""
    services_added: tuple[str, ...] = ()
    """For catalogue items: service ids the item now also applies to."""
    services_removed: tuple[str, ...] = ()
    """For catalogue items: service ids the item no longer applies to."""

    @property
    def text_changed(self) -> bool:
        """Return whether the words changed (not only the number or place)."""
        return any(o.op != "equal" for o in self.ops)


@dataclass(frozen=True)
class ReferenceWarning:
    """A reference ("artikel 4.1") that a renumbering left pointing at another clause."""

    source: Source
    """Where the reference is in the new text."""
    clause: str
    """The new number of the clause (or ``"Bijlage 1"``) that contains the reference."""
    reference: str
    """The reference as written: ``"artikel 4.1"``."""
    target_old: str
    """What the reference meant in the old version (the old number)."""
    target_new: str | None
    """Where that old target is now (None: removed)."""
    message: str
    """One English sentence explaining the problem."""


@dataclass(frozen=True)
class Block:
    """One paragraph of the merged document: the new text with the old text's changes inline."""

    kind: str
    """``"title"``, ``"preamble"``, ``"article"`` (heading), ``"clause"``, ``"annex"`` (heading),
    ``"annex-heading"``, ``"annex-paragraph"`` or ``"annex-list"``."""
    status: str
    """``"equal"``, ``"changed"``, ``"inserted"`` (a whole new paragraph) or ``"deleted"``."""
    ops: tuple[Op, ...]
    """The paragraph's text as word-level edits; for equal blocks one ``equal`` op."""
    number: str = ""
    """Article or clause number this paragraph belongs to (new, or old for deleted blocks)."""
    note: str = ""
    """Why it is inserted / deleted when it is a move: ``"moved-from:4.3"``, ``"moved-to:2.6"``."""

    @property
    def old_text(self) -> str:
        """Return the paragraph as it was (empty for inserted blocks)."""
        return "".join(o.text for o in self.ops if o.op != "insert")

    @property
    def new_text(self) -> str:
        """Return the paragraph as it is (empty for deleted blocks)."""
        return "".join(o.text for o in self.ops if o.op != "delete")


@dataclass(frozen=True)
class Redline:
    """Everything every redline renderer needs: both texts, their identity, and the changes."""

    old: Resolved
    """The old text and where it came from (ref, commit, version)."""
    new: Resolved
    """The new text and where it came from."""
    changes: tuple[Change, ...]
    """Changes in reading order of the new text (removals at their old place)."""
    blocks: tuple[Block, ...]
    """The merged document: every paragraph of the new text, with deleted old paragraphs at
    their old place; joining ``old_text`` of non-inserted blocks gives the old text, and
    ``new_text`` of non-deleted blocks the new text."""
    warnings: tuple[ReferenceWarning, ...] = ()
    """References that renumbering left pointing at a different clause."""
    date: dt.date = dt.date(1980, 1, 1)
    """The date of the change (revision date in the DOCX, timestamp of the PDF)."""
    author: str = "VoIP Express"
    """Author of the tracked changes in the DOCX."""

    @property
    def contract(self) -> str:
        """Return the contract id."""
        return self.new.agreement.contract

    @property
    def backwards(self) -> bool:
        """Return whether NEW is an older released version than OLD."""
        o, n = self.old.version, self.new.version
        return bool(o and n and version_key(n.number) < version_key(o.number))

    @property
    def identical(self) -> bool:
        """Return whether the two texts are the same."""
        return not self.changes
