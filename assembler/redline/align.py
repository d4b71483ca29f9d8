"""Aligning two sequences of texts by what they say, not by where they are or how they are numbered.

`match_by_content` pairs identical texts first, then the most similar remaining pairs above a
threshold, best pair first over all candidates at once (a global greedy assignment), so one
inserted or deleted item never shifts the pairing of the items after it. `in_order` then picks
the largest set of pairs that keep their relative order: those are "in place"; the others moved.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from difflib import SequenceMatcher

THRESHOLD = 0.5
"""Minimum similarity (difflib ratio over word tokens) for two different texts to be one item."""


def match_by_content(
    old: Sequence[Sequence[str]],
    new: Sequence[Sequence[str]],
    old_keys: Sequence[str] | None = None,
    new_keys: Sequence[str] | None = None,
    threshold: float = THRESHOLD,
) -> dict[int, int]:
    """Return old index → new index for items that are the same item, given their tokens.

    Identical token lists pair first (in order; same key preferred). Then every remaining pair
    with similarity at or above `threshold` is a candidate, and candidates are taken best first;
    ties go to the pair with the same key (number), then to the pair closest in position.
    """
    old_keys = old_keys or [""] * len(old)
    new_keys = new_keys or [""] * len(new)
    pairs: dict[int, int] = {}
    by_text: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for j, toks in enumerate(new):
        by_text[tuple(toks)].append(j)
    taken: set[int] = set()
    for i, toks in enumerate(old):
        candidates = [j for j in by_text.get(tuple(toks), []) if j not in taken]
        if candidates:
            j = next((j for j in candidates if new_keys[j] == old_keys[i]), candidates[0])
            pairs[i] = j
            taken.add(j)
    rest_old = [i for i in range(len(old)) if i not in pairs]
    rest_new = [j for j in range(len(new)) if j not in taken]
    scored: list[tuple[float, int, int, int, int]] = []
    sm = SequenceMatcher(None, autojunk=False)
    for j, olds in _candidates(old, new, rest_old, rest_new):
        sm.set_seq2(new[j])
        for i in olds:
            sm.set_seq1(old[i])
            if sm.real_quick_ratio() < threshold or sm.quick_ratio() < threshold:
                continue
            score = sm.ratio()
            if score >= threshold:
                scored.append((-score, 0 if old_keys[i] == new_keys[j] else 1, abs(i - j), i, j))
    scored.sort()
    for _, _, _, i, j in scored:
        if i not in pairs and j not in taken:
            pairs[i] = j
            taken.add(j)
    return pairs


EXHAUSTIVE_PAIRS = 40_000
"""Up to this many (old, new) pairs left after the identical ones, every pair is scored."""


def _candidates(old: Sequence[Sequence[str]], new: Sequence[Sequence[str]], rest_old: list[int],
                rest_new: list[int]) -> Iterator[tuple[int, Sequence[int]]]:
    """Yield each remaining new item with the old items worth scoring against it.

    Every pair, while there are at most `EXHAUSTIVE_PAIRS` (any real revision of the agreement).
    Beyond that (a rewrite of hundreds of clauses), scoring every pair would take minutes, so
    a pair is scored only when the two share a token that is rare among the old items (in at most
    ~√n of them): two texts at least half alike share a quarter of their tokens, among them the
    words that make a clause this clause. The work is then near-linear in the number of clauses.
    """
    if len(rest_old) * len(rest_new) <= EXHAUSTIVE_PAIRS:
        for j in rest_new:
            yield j, rest_old
        return
    old_sets = {i: set(old[i]) for i in rest_old}
    frequency = Counter(token for i in rest_old for token in old_sets[i])
    rare = max(2, int(math.sqrt(len(rest_old))))
    index: dict[str, list[int]] = defaultdict(list)
    for i in rest_old:
        for token in old_sets[i]:
            if frequency[token] <= rare:
                index[token].append(i)
    for j in rest_new:
        tokens = set(new[j])
        found = {i for token in tokens for i in index.get(token, ())}
        if not found:  # nothing rare in it: its three rarest tokens among the old items
            for token in sorted(tokens, key=lambda t: (frequency[t] or len(rest_old) + 1, t))[:3]:
                found.update(i for i in rest_old if token in old_sets[i])
        yield j, sorted(found)


def in_order(pairs: Sequence[tuple[int, int]], weights: Sequence[int] | None = None) -> set[int]:
    """Return the indices (into `pairs`) of the heaviest subsequence increasing in both indices.

    `pairs` are (old index, new index); the result are the pairs that stayed in place. Headings
    get a large weight so that a clause moving across an article boundary is the one that moved,
    not the heading.
    """
    order = sorted(range(len(pairs)), key=lambda k: pairs[k])
    weights = weights or [1] * len(pairs)
    best: list[int] = []
    back: list[int] = []
    for pos, k in enumerate(order):
        best.append(weights[k])
        back.append(-1)
        for prev in range(pos):
            if pairs[order[prev]][1] < pairs[k][1] and best[prev] + weights[k] > best[pos]:
                best[pos] = best[prev] + weights[k]
                back[pos] = prev
    if not best:
        return set()
    pos = max(range(len(best)), key=lambda p: best[p])
    kept: set[int] = set()
    while pos != -1:
        kept.add(order[pos])
        pos = back[pos]
    return kept
