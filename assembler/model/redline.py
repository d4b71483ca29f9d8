"""A redline: what changed between two texts, down to the words."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from assembler.model.agreement import Source
from assembler.model.versions import Resolved, version_key

OpKind = Literal["equal", "insert", "delete"]
"""A word-level edit: a run kept, inserted or deleted."""
ChangeKind = Literal["added", "removed", "changed", "renumbered", "moved"]
"""What happened to an article, clause or annex element."""
ChangeLevel = Literal["article", "clause", "annex", "preamble"]
"""Where a change is: an article heading, a clause, the annex, or the title and preamble."""
ChangeNote = Literal["", "split-from", "merged-into", "relabelled", "services", "title"]
"""Machine-readable detail of a change."""
ItemList = Literal["", "service", "data_categories", "data_subjects"]
"""Which catalogue list a catalogue change is about (``""``: not a catalogue change)."""
BlockKind = Literal["title", "preamble", "article", "clause", "annex", "annex-heading",
                    "annex-paragraph", "annex-list"]
"""The role of one paragraph of the merged document."""
BlockStatus = Literal["equal", "changed", "inserted", "deleted"]
"""Whether a paragraph of the merged document is kept, changed, new or gone."""
MoveKind = Literal["", "to", "from"]
"""A block deleted because it moved away (``to``), or inserted because it moved here (``from``)."""


@dataclass(frozen=True)
class Op:
    """One word-level edit: a run of text kept, inserted or deleted."""

    op: OpKind
    """``"equal"``, ``"insert"`` or ``"delete"``."""
    text: str
    """The literal text of the run (whitespace included)."""


@dataclass(frozen=True)
class Change:
    """One change between two versions, at the level of an article, a clause or the annex."""

    kind: ChangeKind
    """``"added"``, ``"removed"``, ``"changed"``, ``"renumbered"`` or ``"moved"``."""
    level: ChangeLevel
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
    note: ChangeNote = ""
    """Machine-readable detail: ``"split-from"``, ``"merged-into"``, ``"relabelled"``,
    ``"services"``, ``"title"`` (article heading) or ``""``."""
    item_list: ItemList = ""
    """For catalogue changes: the list the item is in (``"service"`` for the services)."""
    item_id: str = ""
    """For catalogue changes: the item's stable id, ``"belhistorie"``, ``"fax2mail"``."""
    services_added: tuple[str, ...] = ()
    """For catalogue items: service ids the item now also applies to."""
    services_removed: tuple[str, ...] = ()
    """For catalogue items: service ids the item no longer applies to."""

    @property
    def text_changed(self) -> bool:
        """Return whether the words changed (not only the number or place)."""
        return any(o.op != "equal" for o in self.ops)

    @property
    def item(self) -> str:
        """Return the catalogue item as one key, ``"service:fax2mail"`` (``""`` if none).

        The form the JSON output carries; code reads `item_list` and `item_id`.
        """
        return f"{self.item_list}:{self.item_id}" if self.item_list else ""


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

    kind: BlockKind
    """``"title"``, ``"preamble"``, ``"article"`` (heading), ``"clause"``, ``"annex"`` (heading),
    ``"annex-heading"``, ``"annex-paragraph"`` or ``"annex-list"``."""
    status: BlockStatus
    """``"equal"``, ``"changed"``, ``"inserted"`` (a whole new paragraph) or ``"deleted"``."""
    ops: tuple[Op, ...]
    """The paragraph's text as word-level edits; for equal blocks one ``equal`` op."""
    number: str = ""
    """Article or clause number this paragraph belongs to (new, or old for deleted blocks)."""
    move: MoveKind = ""
    """Why it is inserted / deleted when it is a move: it moved ``to`` or ``from`` elsewhere."""
    move_target: str = ""
    """For a move: the number of the clause at the other end (``"4.3"``)."""

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
