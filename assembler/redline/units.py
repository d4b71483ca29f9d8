"""An agreement as the diff sees it: a list of paragraphs in reading order, each with its role."""

from __future__ import annotations

from dataclasses import dataclass

from assembler.model import Agreement, BlockKind, Source
from assembler.render.plain_text import annex_block_text

_ANNEX_KINDS: dict[str, BlockKind] = {
    "heading": "annex-heading", "paragraph": "annex-paragraph", "catalogue": "annex-list"}


@dataclass(frozen=True)
class Unit:
    """One paragraph of a text, with what it belongs to (the diff's unit of alignment)."""

    kind: BlockKind
    text: str
    number: str = ""
    clause: int = -1
    source: Source | None = None


def paragraph_units(a: Agreement) -> tuple[list[Unit], dict[str, list[int]]]:
    """Return the paragraphs of `a` in reading order and an index of them by role.

    Index keys: ``preamble``, ``article:7``, ``clause:<index in a.clauses()>`` (its paragraphs,
    the numbered one first), ``annex:1`` and ``annex-blocks:1``.
    """
    units: list[Unit] = [Unit("title", a.title)]
    index: dict[str, list[int]] = {"preamble": []}

    def add(unit: Unit, key: str) -> None:
        index.setdefault(key, []).append(len(units))
        units.append(unit)

    for p in a.preamble:
        add(Unit("preamble", p.text, source=p.source), "preamble")
    ci = 0
    for art in a.articles:
        add(Unit("article", f"Artikel {art.number}. {art.title}", art.number, source=art.source),
            f"article:{art.number}")
        for clause in art.clauses:
            for k, p in enumerate(clause.paragraphs):
                text = f"{clause.label} {p.text}" if k == 0 else p.text
                add(Unit("clause", text, clause.number, ci, p.source), f"clause:{ci}")
            ci += 1
    for annex in a.annexes:
        add(Unit("annex", f"Bijlage {annex.number}: {annex.title}", annex.number,
                  source=annex.source), f"annex:{annex.number}")
        for block in annex.blocks:
            kind = _ANNEX_KINDS[block.kind]
            number = block.list_name or ""
            add(Unit(kind, annex_block_text(block, a.catalogue), number, source=block.source),
                f"annex-blocks:{annex.number}")
    return units, index
