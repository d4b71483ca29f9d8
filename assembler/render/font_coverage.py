"""Which characters the PDFs can show: the glyph table of the fonts Typst embeds.

Every PDF is typeset in Libertinus Serif with Typst's fallback over the fonts in the typst
wheel and in ``render/templates/fonts/`` (no system fonts). A character none of them has a glyph
for cannot be shown: a PDF/A build stops on it ("could not be displayed"), so `check` reports it
in a clause and `customers import` refuses it in a field, each naming where it is. The table is
measured with Typst itself (``tools/make_glyph_table.py``; a test keeps it current).
"""

from __future__ import annotations

import bisect
import unicodedata

from assembler.render.glyph_table import SHOWABLE

_STARTS = [start for start, _ in SHOWABLE]
_GLYPH_CATEGORIES = ("L", "M", "N", "P", "S")
"""What needs a glyph: letters, marks, numbers, punctuation, symbols (and spaces, Zs)."""


def showable(ch: str) -> bool:
    """Return whether some font of the PDFs has a glyph for the character `ch`."""
    code = ord(ch)
    at = bisect.bisect_right(_STARTS, code) - 1
    return at >= 0 and SHOWABLE[at][0] <= code <= SHOWABLE[at][1]


def unshowable(text: str) -> list[tuple[int, str]]:
    """Return (offset, character) for each character of `text` that no font can show.

    Only characters that need a glyph are judged (control and format characters are another
    check's); a letter with a combining mark counts as its composed form when one exists.
    """
    found = []
    for offset, ch in enumerate(text):
        category = unicodedata.category(ch)
        if not (category[0] in _GLYPH_CATEGORIES or category == "Zs") or showable(ch):
            continue
        composed = unicodedata.normalize("NFC", text[offset - 1:offset + 1]) if offset else ""
        if category[0] == "M" and len(composed) == 1 and showable(composed):
            continue  # "e" + U+0301 is shown as "é"
        found.append((offset, ch))
    return found


def describe(ch: str) -> str:
    """Return ``'中' (U+4E2D CJK UNIFIED IDEOGRAPH-4E2D)`` for a finding's message."""
    return f"{ch!r} (U+{ord(ch):04X} {unicodedata.name(ch, 'unnamed')})"
