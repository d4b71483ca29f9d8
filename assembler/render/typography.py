"""Typography for the renderers: what a line break must not separate.

The text itself (and the canonical text a version's SHA-256 covers) keeps ordinary spaces; the
renderers get the same words with a no-break space (U+00A0) where a break would read wrong.
Typst and Word both keep such a space's neighbours on one line, and text extracted from the
PDF still reads as words separated by white space.
"""

from __future__ import annotations

import re

NBSP = "\u00a0"
_NUMERAL_ITEM = re.compile(r"\(([IVXLCDM]+)\) (?=\S)")
"""An enumeration numeral as the agreement writes it, "(VI) ", before its item's first word."""


def keep_numerals_with_items(text: str) -> str:
    """Return `text` with each "(VI) " numeral bound to the word after it by a no-break space.

    "(VI)" at the end of a line with its item on the next reads as a stray numeral (art. 7.3's
    "(I) de aard …", Bijlage 1's categories); the numeral belongs to its item.
    """
    return _NUMERAL_ITEM.sub(lambda m: f"({m.group(1)}){NBSP}", text)
