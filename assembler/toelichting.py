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
from .model import Finding, Redline, Version
from .redline_queries import changed_articles

TODO_PREFIX = "TODO"
"""An explanation starting with this is a marker to be filled in by hand, not an explanation."""


def changed_parts(redline: Redline) -> list[str]:
    """Return what a redline changes that needs an explanation: article numbers, then ``bijlage-N``.

    Articles as `changed_articles` counts them (aligned by content, so a renumbered article that
    says the same is not "changed" twice); Bijlage 1 when its prose or a catalogue item it lists
    changes (a relabelled service does not show in Bijlage 1 and needs none).
    """
    annexes = sorted({c.article.lower().replace(" ", "-") for c in redline.changes
                      if c.level == "annex" and not c.item.startswith("service:")})
    return changed_articles(redline) + annexes


def explained(version: Version, part: str) -> bool:
    """Return whether `version`'s manifest has a real explanation for `part`."""
    note = version.toelichting.get(part, "").strip()
    return bool(note) and not note.startswith(TODO_PREFIX)


def missing_toelichting(redline: Redline, root: Path | None = None) -> Iterator[Finding]:
    """Yield an error for each part the redline changes that the new version does not explain."""
    version, old_number = redline.new.version, redline.old.label
    if version is None:
        return
    text = ""
    if root is not None and version.path:
        try:
            text = (root / version.path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            text = ""
    for part in changed_parts(redline):
        if explained(version, part):
            continue
        what = f"article {part}" if part.isdigit() else part.replace("-", " ").capitalize()
        line = (line_of(text, rf"^\s*[\"']?{re.escape(part)}[\"']?\s*=") or
                line_of(text, r"^\s*\[toelichting\]") or line_of(text, r"^\s*version\s*="))
        yield Finding("error", version.path, line, (
            f"{what} changed since version {old_number} but has no toelichting: add "
            f'{part} = "…" under [toelichting] (the Dutch explanation the notice letter quotes)'),
            "toelichting")
