"""Word-level differences between two texts, in tokens a lawyer reads as one unit.

The tokenizer keeps "(48)", "(II)", "sub-verwerkers", "PIA's", "wet-", "E.U. / E.E.R." and "11.2"
whole and puts punctuation and whitespace in tokens of their own, so a change reads as words
struck and words inserted, never as character soup. Every character of the input is in exactly
one token: joining the tokens gives the text back, which is what makes the ops exact.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from difflib import SequenceMatcher
from functools import lru_cache

from assembler.model import Op

_TOKEN = re.compile(
    r"""
      \s+                                                   # whitespace, a token of its own
    | \(\w{1,6}\)                                           # (48), (I), (a)
    | (?:[^\W\d_]\.){2,}(?:\s*/\s*(?:[^\W\d_]\.){2,})*      # E.U., o.a., "E.U. / E.E.R."
    | \d+(?:[.,]\d+)*                                       # 11.2, 4.1, 1.000,50
    | \w+(?:[-'’]\w+)*(?:-(?!\w))?                          # sub-verwerkers, PIA's, wet-
    | .                                                     # any other character alone
    """,
    re.VERBOSE | re.DOTALL,
)


def tokenize(text: str) -> list[str]:
    """Return the tokens of `text`; ``"".join(tokenize(t)) == t``."""
    return _TOKEN.findall(text)


@lru_cache(maxsize=8192)
def words(text: str) -> tuple[str, ...]:
    """Return the tokens of `text` without the whitespace ones (for similarity; cached)."""
    return tuple(t for t in _TOKEN.findall(text) if not t.isspace())


@lru_cache(maxsize=8192)
def bag(text: str) -> Counter[str]:
    """Return the multiset of `text`'s words (cached; do not modify the result)."""
    return Counter(words(text))


def containment_bound(part: str, whole: str) -> float:
    """Return a cheap upper bound of ``containment(words(part), words(whole))``."""
    mine = bag(part)
    total = sum(mine.values())
    return sum((mine & bag(whole)).values()) / total if total else 0.0


def similarity(a: Sequence[str], b: Sequence[str]) -> float:
    """Return how alike two token lists are, 0.0 to 1.0 (difflib's ratio, no autojunk)."""
    if not a and not b:
        return 1.0
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


def containment(part: Sequence[str], whole: Sequence[str]) -> float:
    """Return the share of `part`'s tokens found, in order, in `whole`."""
    if not part:
        return 0.0
    sm = SequenceMatcher(None, part, whole, autojunk=False)
    return sum(m.size for m in sm.get_matching_blocks()) / len(part)


def _is_filler(tokens: list[str]) -> bool:
    """Return whether an equal run is too small to stand between two changes on its own."""
    solid = [t for t in tokens if not t.isspace()]
    return len(solid) <= 1 and all(len(t) <= 3 for t in solid)


def word_ops(old: str, new: str) -> tuple[Op, ...]:
    """Return the edits that turn `old` into `new`, word by word.

    Joining the ``equal`` and ``delete`` texts gives `old`; the ``equal`` and ``insert`` texts give
    `new`. Within one changed region the deletion comes before the insertion, and a lone short
    word or a space between two changes is folded into them, so the result reads as phrases.
    """
    if old == new:
        return (Op("equal", old),) if old else ()
    a, b = tokenize(old), tokenize(new)
    sm = SequenceMatcher(None, a, b, autojunk=False)
    # Regions: (equal?, old tokens, new tokens).
    regions: list[tuple[bool, list[str], list[str]]] = []
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        regions.append((tag == "equal", a[i1:i2], b[j1:j2]))
    # Fold small equal runs that sit between two changes into the changes around them.
    for k in range(1, len(regions) - 1):
        equal, ta, tb = regions[k]
        if equal and not regions[k - 1][0] and not regions[k + 1][0] and _is_filler(ta):
            regions[k] = (False, ta, tb)
    ops: list[Op] = []
    pending_del: list[str] = []
    pending_ins: list[str] = []

    def flush() -> None:
        if pending_del:
            ops.append(Op("delete", "".join(pending_del)))
        if pending_ins:
            ops.append(Op("insert", "".join(pending_ins)))
        pending_del.clear()
        pending_ins.clear()

    for equal, ta, tb in regions:
        if equal:
            flush()
            if ops and ops[-1].op == "equal":
                ops[-1] = Op("equal", ops[-1].text + "".join(ta))
            else:
                ops.append(Op("equal", "".join(ta)))
        else:
            pending_del.extend(ta)
            pending_ins.extend(tb)
    flush()
    return tuple(o for o in ops if o.text)

