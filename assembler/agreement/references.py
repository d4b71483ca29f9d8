"""References in the text to its own parts: "artikel 4.1", "art. 11.2", "Bijlage 1".

The one scanner that lint (does the target exist?) and the redline (did a renumbering move the
target?) share, so that both agree on what counts as a reference.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Literal

ReferenceKind = Literal["article", "clause", "annex"]
"""What a reference points at: an article ("artikel 4"), a clause ("artikel 4.1") or an annex."""

# "artikel 4.1", "artikelen 4 en 5" (first only), "art. 11.2", "Bijlage 1"
_REFERENCE = re.compile(
    r"\b(?P<kind>[Aa]rtikel(?:en)?|[Aa]rt\.|[Bb]ijlage)\s+(?P<major>\d+)(?:\.(?P<minor>\d+)(?!\d))?")
# What follows a reference that makes it one to another document: "van de Hoofdovereenkomst".
_OF_DOCUMENT = re.compile(r"^\.?\s*(?:van|uit)\s+(?:de|het)\s+(?P<doc>[\w-]+)")
_LAW = re.compile(r"^\.?\s*(?:AVG|UAVG|BW|GDPR|Telecommunicatiewet|Boek)\b")


@dataclass(frozen=True)
class Reference:
    """One reference into this agreement, as written in a text."""

    written: str
    """The reference as written: ``"artikel 4.1"``."""
    start: int
    """Offset of its first character in the scanned text."""
    kind: ReferenceKind
    """What it points at."""
    target: str
    """The number it points at: ``"4.1"`` (clause), ``"4"`` (article), ``"1"`` (annex)."""


def _kind(match: re.Match[str]) -> ReferenceKind:
    if match.group("kind").lower() == "bijlage":
        return "annex"
    return "clause" if match.group("minor") is not None else "article"


def scan_references(text: str, self_names: Iterable[str]) -> Iterator[Reference]:
    """Yield each reference in `text` to this agreement, in reading order.

    A reference followed by "van de Hoofdovereenkomst" (a document not among `self_names`) or by
    the name of a law ("artikel 28 AVG") points outside the agreement and is skipped.
    """
    names = set(self_names)
    for m in _REFERENCE.finditer(text):
        after = text[m.end():]
        doc = _OF_DOCUMENT.match(after)
        if (doc and doc.group("doc") not in names) or _LAW.match(after):
            continue
        kind = _kind(m)
        minor = m.group("minor")
        target = f"{m.group('major')}.{minor}" if kind == "clause" else m.group("major")
        yield Reference(m.group(0), m.start(), kind, target)
