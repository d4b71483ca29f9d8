"""The rule that every changed article of a new version has an explanation (`toelichting`).

Art. 11.2 notices quote, per changed article, the Dutch explanation kept in the version's manifest
(``[toelichting]``, keyed by article number; a change to Bijlage 1 by ``bijlage-1``). This module is
the one place the rule lives: `assembler check --base` applies it to the new manifest of a pull
request.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from .catalogue import line_of
from .model import Agreement, AnnexBlock, Article, Catalogue, Finding, Version
from .text import annex_block_text

TODO_PREFIX = "TODO"
"""An explanation starting with this is a marker to be filled in by hand, not an explanation."""


def _article_text(article: Article) -> tuple[str, ...]:
    return (article.title, *(f"{c.label} {c.text}" for c in article.clauses))


def _block_text(block: AnnexBlock, catalogue: Catalogue) -> str:
    if block.kind == "catalogue" and block.list_name:
        # Which services a category applies to decides each customer's own Bijlage 1.
        items = catalogue.lists()[block.list_name]
        services = {s.id: s.label for s in catalogue.services}
        return "\n".join(f"{i.label}: {', '.join(services.get(s, s) for s in i.services)}"
                         for i in items)
    return annex_block_text(block, catalogue)


def _annex_texts(agreement: Agreement) -> dict[str, tuple[str, ...]]:
    return {f"bijlage-{a.number}": (a.title, *(_block_text(b, agreement.catalogue)
                                              for b in a.blocks))
            for a in agreement.annexes}


def changed_parts(old: Agreement, new: Agreement) -> list[str]:
    """Return the article numbers (and ``bijlage-N``) whose text differs between `old` and `new`.

    Articles are compared by number: an article added, removed or with any word changed counts.
    An annex counts as changed also when a catalogue item it lists changes its services.
    """
    before = {a.number: _article_text(a) for a in old.articles}
    after = {a.number: _article_text(a) for a in new.articles}
    numbers = [n for n in after if before.get(n) != after[n]]
    numbers += [n for n in before if n not in after]
    annexes_before, annexes_after = _annex_texts(old), _annex_texts(new)
    annexes = [k for k in annexes_after if annexes_before.get(k) != annexes_after[k]]
    annexes += [k for k in annexes_before if k not in annexes_after]
    return sorted(numbers, key=int) + sorted(annexes)


def explained(version: Version, part: str) -> bool:
    """Return whether `version`'s manifest has a real explanation for `part`."""
    note = version.toelichting.get(part, "").strip()
    return bool(note) and not note.startswith(TODO_PREFIX)


def missing_toelichting(version: Version, old: Agreement, new: Agreement, old_number: str,
                        root: Path | None = None) -> Iterator[Finding]:
    """Yield an error for each part changed since version `old_number` without an explanation."""
    text = ""
    if root is not None and version.path:
        try:
            text = (root / version.path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            text = ""
    for part in changed_parts(old, new):
        if explained(version, part):
            continue
        what = f"article {part}" if part.isdigit() else part.replace("-", " ").capitalize()
        line = (line_of(text, rf"^\s*[\"']?{re.escape(part)}[\"']?\s*=") or
                line_of(text, r"^\s*\[toelichting\]") or line_of(text, r"^\s*version\s*="))
        yield Finding("error", version.path, line, (
            f"{what} changed since version {old_number} but has no toelichting: add "
            f'{part} = "…" under [toelichting] (the Dutch explanation the notice letter quotes)'),
            "toelichting")
