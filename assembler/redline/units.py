"""An agreement as the diff sees it: a list of paragraphs in reading order, each with its role."""

from __future__ import annotations

from dataclasses import dataclass, field

from assembler.model import Agreement, BlockKind, Clause, Resolved, Source
from assembler.render.plain_text import annex_block_text

_ANNEX_KINDS: dict[str, BlockKind] = {
    "heading": "annex-heading", "paragraph": "annex-paragraph", "catalogue": "annex-list"}


@dataclass(frozen=True)
class Unit:
    """One paragraph of a text, with what it belongs to (the diff's unit of alignment)."""

    kind: BlockKind
    """The paragraph's role; it becomes the kind of its block in the merged document."""
    text: str
    """The paragraph's text; a clause's first paragraph starts with its label (``"7.3. …"``)."""
    number: str = ""
    """Article, clause or annex number; for an annex list its list name."""
    clause: int = -1
    """Index in ``Agreement.clauses()`` of the clause it belongs to, -1 when none."""
    source: Source | None = None
    """File and line of the paragraph (None for the title)."""


@dataclass(frozen=True)
class UnitIndex:
    """Where each part of a text is in its list of units (indexes into `Side.units`)."""

    preamble: list[int] = field(default_factory=list)
    """The preamble's paragraphs."""
    articles: dict[str, int] = field(default_factory=dict)
    """Article number → its heading."""
    clauses: dict[int, list[int]] = field(default_factory=dict)
    """Index in ``Agreement.clauses()`` → its paragraphs, the numbered one first."""
    annexes: dict[str, int] = field(default_factory=dict)
    """Annex number → its heading."""
    annex_blocks: dict[str, list[int]] = field(default_factory=dict)
    """Annex number → its subheadings, paragraphs and lists."""


@dataclass(frozen=True)
class Side:
    """One side of a comparison: the text, its clauses and its paragraphs with their index."""

    resolved: Resolved
    """The text and where it came from."""
    clauses: tuple[Clause, ...]
    """Every clause in reading order (``Agreement.clauses()``)."""
    units: list[Unit]
    """The paragraphs in reading order, the title first."""
    index: UnitIndex
    """Where each part is in `units`."""

    @property
    def agreement(self) -> Agreement:
        """Return the text."""
        return self.resolved.agreement


@dataclass(frozen=True)
class Pairing:
    """How the old side's parts map onto the new side's, and where they sit in the merged document."""

    clauses: dict[int, int]
    """Old clause index → new clause index, for clauses that are the same clause."""
    articles: dict[str, str]
    """Old article number → new article number."""
    units: dict[int, int]
    """Old unit index → new unit index, for paragraphs that are the same paragraph."""
    anchored: set[int]
    """New units whose pair kept its place (in order); a paired unit not anchored has moved."""
    old_pos: dict[int, int]
    """Old unit index → index of its block in the merged document."""
    new_pos: dict[int, int]
    """New unit index → index of its block in the merged document."""


def side_of(resolved: Resolved) -> Side:
    """Return the paragraphs of a text in reading order, with an index of them by role."""
    a = resolved.agreement
    units: list[Unit] = [Unit("title", a.title)]
    index = UnitIndex()

    def add(unit: Unit, into: list[int]) -> None:
        into.append(len(units))
        units.append(unit)

    for p in a.preamble:
        add(Unit("preamble", p.text, source=p.source), index.preamble)
    ci = 0
    for art in a.articles:
        index.articles.setdefault(art.number, len(units))
        units.append(Unit("article", f"Artikel {art.number}. {art.title}", art.number,
                          source=art.source))
        for clause in art.clauses:
            for k, p in enumerate(clause.paragraphs):
                text = f"{clause.label} {p.text}" if k == 0 else p.text
                add(Unit("clause", text, clause.number, ci, p.source),
                    index.clauses.setdefault(ci, []))
            ci += 1
    for annex in a.annexes:
        index.annexes.setdefault(annex.number, len(units))
        units.append(Unit("annex", f"Bijlage {annex.number}: {annex.title}", annex.number,
                          source=annex.source))
        for block in annex.blocks:
            add(Unit(_ANNEX_KINDS[block.kind], annex_block_text(block, a.catalogue),
                     block.list_name or "", source=block.source),
                index.annex_blocks.setdefault(annex.number, []))
    return Side(resolved, a.clauses(), units, index)
