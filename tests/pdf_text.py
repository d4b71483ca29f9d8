"""Text extracted from our PDFs, read as a person reads it: a no-break space is a space."""

from __future__ import annotations

import re

_NBSP = re.compile("\u00a0 ?")
"""pypdf extracts U+00A0 as itself, and adds a space after one that justification widened."""


def as_read(text: str) -> str:
    """Return extracted `text` with each no-break space (and pypdf's space after it) as one space."""
    return _NBSP.sub(" ", text)
