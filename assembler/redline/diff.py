"""Two texts of an agreement → a `Redline`: what changed, at the level of article, clause and word.

Pure: no files, no git, no clock. Decisions:

- Clauses are matched across versions by content (`align.match_by_content`): identical text first,
  then the most similar pairs above a threshold, globally. Numbers only break ties.
- A matched clause is ``moved`` when it now sits in another article (the article it was in maps to
  another one) or out of order; ``renumbered`` when only its number changed; ``changed`` when its
  words changed. A number change that only follows its article's renumbering (7.2 → 8.2 because
  article 7 became 8) is not listed: the article-level ``renumbered`` change says it once.
- A **split** clause: the part most like the old clause is that clause (``changed``); the rest is
  ``added`` with ``note="split-from"`` and ``related=(old number,)``. A **merge**: the old clause
  most like the merged one is it (``changed``); the other is ``removed`` with ``note="merged-into"``.
- Articles are matched by where their clauses went (majority), then by title.
- Bijlage 1's catalogue is compared by stable id: items and services added, removed, relabelled,
  and items whose services changed. A mere shift of an item's (I), (II) … position is not listed.
- The merged document (`Redline.blocks`) is the new text in reading order with deleted and moved-away
  old paragraphs at their old place; a moved clause is deleted there and inserted here, so that
  accepting every change gives the new text and rejecting every change gives the old text.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from assembler.model import (
    Agreement,
    Block,
    BlockKind,
    Change,
    ChangeKind,
    ChangeLevel,
    ChangeNote,
    Clause,
    Op,
    Redline,
    Resolved,
)
from assembler.redline.align import in_order, match_by_content
from assembler.redline.catalogue import Keyed, catalogue_changes
from assembler.redline.queries import (
    affects_customer,
    annex_changes_for,
    changed_articles,
    changes_for,
    customer_annex_text,
)
from assembler.redline.references import reference_warnings
from assembler.redline.units import Pairing, Side, Unit, side_of
from assembler.redline.words import containment, containment_bound, similarity, word_ops, words

__all__ = [
    "DEFAULT_AUTHOR", "FALLBACK_DATE", "affects_customer", "annex_changes_for", "changed_articles",
    "changes_for", "customer_annex_text", "diff_agreements", "version_date",
]

DEFAULT_AUTHOR = "VoIP Express"
FALLBACK_DATE = dt.date(1980, 1, 1)
"""Revision date when neither side is a released version (the earliest date a zip can hold)."""
SPLIT_SHARE = 0.6
"""Share of an added (removed) clause's words found in another clause to call it split (merged)."""
_HEADING_WEIGHT = 1000


def _match_articles(a: Agreement, b: Agreement, cmap: dict[int, int]) -> dict[str, str]:
    """Return old article number → new article number."""
    oc, nc = a.clauses(), b.clauses()
    votes = Counter((oc[i].article_number, nc[j].article_number) for i, j in cmap.items())
    titles = {(x.number, y.number): similarity(words(x.title), words(y.title))
              for x in a.articles for y in b.articles}
    amap: dict[str, str] = {}
    used: set[str] = set()
    for (x, y), _ in sorted(votes.items(), key=lambda kv: (-kv[1], -titles[kv[0]])):
        if x not in amap and y not in used:
            amap[x] = y
            used.add(y)
    for (x, y), score in sorted(titles.items(), key=lambda kv: -kv[1]):
        if score >= 0.6 and x not in amap and y not in used:
            amap[x] = y
            used.add(y)
    return amap


def _pair_by_content(a: Side, b: Side, xs: list[int], ys: list[int], pairs: dict[int, int]) -> None:
    """Add to `pairs` the paragraphs among old `xs` and new `ys` that say the same."""
    m = match_by_content([words(a.units[x].text) for x in xs], [words(b.units[y].text) for y in ys])
    pairs.update({xs[i]: ys[j] for i, j in m.items()})


def _pair_annex(a: Side, b: Side, number: str, pairs: dict[int, int]) -> None:
    """Add to `pairs` the blocks of annex `number`: lists by name, the rest by content."""
    olds = a.index.annex_blocks.get(number, [])
    news = b.index.annex_blocks.get(number, [])
    lists = {b.units[y].number: y for y in news if b.units[y].kind == "annex-list"}
    for x in olds:
        if a.units[x].kind == "annex-list" and a.units[x].number in lists:
            pairs[x] = lists[a.units[x].number]
    _pair_by_content(a, b, [x for x in olds if a.units[x].kind != "annex-list"],
                     [y for y in news if b.units[y].kind != "annex-list"], pairs)


def _unit_pairs(a: Side, b: Side, cmap: dict[int, int], amap: dict[str, str]) -> dict[int, int]:
    """Return old unit index → new unit index for paragraphs that are the same paragraph."""
    pairs = {0: 0}
    _pair_by_content(a, b, a.index.preamble, b.index.preamble, pairs)
    for old_art, new_art in amap.items():
        pairs[a.index.articles[old_art]] = b.index.articles[new_art]
    for i, j in cmap.items():
        xs, ys = a.index.clauses[i], b.index.clauses[j]
        pairs[xs[0]] = ys[0]  # the paragraphs with the numbers
        _pair_by_content(a, b, xs[1:], ys[1:], pairs)
    for number, heading in a.index.annexes.items():
        if number in b.index.annexes:
            pairs[heading] = b.index.annexes[number]
            _pair_annex(a, b, number, pairs)
    return pairs


def _merge(ua: list[Unit], ub: list[Unit], pairs: dict[int, int],
           anchors: set[int]) -> tuple[list[Block], dict[int, int], dict[int, int]]:
    """Return the merged blocks and, per old / new unit, the index of its block."""
    blocks: list[Block] = []
    old_pos: dict[int, int] = {}
    new_pos: dict[int, int] = {}
    inverse = {j: i for i, j in pairs.items()}

    def deleted(i: int) -> None:
        moved = i in pairs
        old_pos[i] = len(blocks)
        blocks.append(Block(ua[i].kind, "deleted", (Op("delete", ua[i].text),), ua[i].number,
                            "to" if moved else "", ub[pairs[i]].number if moved else ""))

    def inserted(j: int) -> None:
        moved = j in inverse
        new_pos[j] = len(blocks)
        blocks.append(Block(ub[j].kind, "inserted", (Op("insert", ub[j].text),), ub[j].number,
                            "from" if moved else "", ua[inverse[j]].number if moved else ""))

    pi = pj = 0
    for i in sorted(anchors):
        j = pairs[i]
        for k in range(pi, i):
            deleted(k)
        for k in range(pj, j):
            inserted(k)
        old_pos[i] = new_pos[j] = len(blocks)
        same = ua[i].text == ub[j].text
        blocks.append(Block(ub[j].kind, "equal" if same else "changed",
                            word_ops(ua[i].text, ub[j].text), ub[j].number))
        pi, pj = i + 1, j + 1
    for k in range(pi, len(ua)):
        deleted(k)
    for k in range(pj, len(ub)):
        inserted(k)
    return blocks, old_pos, new_pos


def _minor(number: str) -> str:
    return number.split(".", 1)[1] if "." in number else ""


def _matched_clause_kind(o: Clause, n: Clause, ops: tuple[Op, ...], moved: bool,
                         new_article_of_old: str | None) -> ChangeKind | None:
    """Return what happened to a clause found in both texts (None: nothing worth listing)."""
    if moved or new_article_of_old != n.article_number:
        return "moved"
    if o.number == n.number:
        return "changed" if ops else None
    follows_article = o.article_number != n.article_number and _minor(o.number) == _minor(n.number)
    if follows_article:
        return "changed" if ops else None
    return "renumbered"


def _clause_changes(a: Side, b: Side, p: Pairing) -> list[Keyed]:
    """Return the changes of clauses: matched ones changed or moved, and those added or removed."""
    oc, nc = a.clauses, b.clauses
    out: list[Keyed] = []
    for i, j in p.clauses.items():
        o, n = oc[i], nc[j]
        first_new = b.index.clauses[j][0]
        ops = word_ops(o.text, n.text) if o.text != n.text else ()
        kind = _matched_clause_kind(o, n, ops, first_new not in p.anchored,
                                    p.articles.get(o.article_number))
        if kind:
            out.append(((p.new_pos[first_new], 1, 0), Change(
                kind, "clause", o.number, n.number, n.article_number, ops, o.text, n.text)))
    for j, n in enumerate(nc):
        if j not in p.clauses.values():
            related, note = _part_of(n, [(oc[i], nc[k]) for i, k in p.clauses.items()], "split-from")
            out.append(((p.new_pos[b.index.clauses[j][0]], 1, 0), Change(
                "added", "clause", None, n.number, n.article_number, (Op("insert", n.text),),
                "", n.text, related, note)))
    for i, o in enumerate(oc):
        if i not in p.clauses:
            related, note = _part_of(o, [(nc[k], oc[i2]) for i2, k in p.clauses.items()],
                                     "merged-into")
            out.append(((p.old_pos[a.index.clauses[i][0]], 1, 0), Change(
                "removed", "clause", o.number, None, o.article_number, (Op("delete", o.text),),
                o.text, "", related, note)))
    return out


def _part_index(clause: Clause, others: list[tuple[Clause, Clause]]) -> int | None:
    """Return the index in `others` of the clause `clause` is a part of, if any.

    `others` are (candidate, its counterpart in the other version): `clause` is part of a
    candidate when most of its words are in the candidate but not in the candidate's counterpart
    (so a sentence copied from a clause that still has it is not a split).
    """
    mine = words(clause.text)
    scored = sorted(((containment(mine, words(c.text)), k) for k, (c, _) in enumerate(others)
                     if containment_bound(clause.text, c.text) >= SPLIT_SHARE), reverse=True)
    for share, k in scored:
        if share < SPLIT_SHARE:
            break
        if containment(mine, words(others[k][1].text)) < SPLIT_SHARE / 2:
            return k
    return None


def _part_of(clause: Clause, others: list[tuple[Clause, Clause]],
             note: ChangeNote) -> tuple[tuple[str, ...], ChangeNote]:
    """Return ((number,), note) of the clause `clause` was split from / merged into, or ((), "")."""
    k = _part_index(clause, others)
    return ((others[k][0].number,), note) if k is not None else ((), "")


def _first_part_keeps_identity(oc: tuple[Clause, ...], nc: tuple[Clause, ...],
                               cmap: dict[int, int]) -> None:
    """Re-pair split and merged clauses so that the first part (in reading order) is the clause.

    A lawyer reads "4.1 was split" as: 4.1 keeps its first sentences, the rest became 4.2; and
    "8.1 and 8.2 were merged" as: 8.2 was added to 8.1. Content similarity alone would pick the
    larger part instead.
    """
    for j, n in enumerate(nc):
        if j in cmap.values():
            continue
        cands = [(i, j2) for i, j2 in cmap.items() if j2 == j + 1]  # the part right after
        k = _part_index(n, [(oc[i], nc[j2]) for i, j2 in cands])
        if k is not None:
            cmap[cands[k][0]] = j
    for i, o in enumerate(oc):
        if i in cmap:
            continue
        olds = [(i2, j) for i2, j in cmap.items() if i2 == i + 1]  # merged with the next
        k = _part_index(o, [(nc[j], oc[i2]) for i2, j in olds])
        if k is not None:
            i2, j = olds[k]
            del cmap[i2]
            cmap[i] = j


def _article_changes(a: Side, b: Side, p: Pairing) -> list[Keyed]:
    """Return the changes of article headings: renumbered, retitled, moved, added, removed."""
    out: list[Keyed] = []
    for x, y in p.articles.items():
        old, new = a.agreement.article(x), b.agreement.article(y)
        assert old is not None and new is not None
        unit = b.index.articles[y]
        ops = word_ops(old.title, new.title) if old.title != new.title else ()
        kind: ChangeKind | None = ("moved" if unit not in p.anchored else "renumbered" if x != y
                                   else "changed" if ops else None)
        if kind:
            out.append(((p.new_pos[unit], 0, 0), Change(kind, "article", x, y, y, ops, old.title,
                                                        new.title, note="title" if ops else "")))
    mapped = set(p.articles.values())
    for art in b.agreement.articles:
        if art.number not in mapped:
            out.append(((p.new_pos[b.index.articles[art.number]], 0, 0), Change(
                "added", "article", None, art.number, art.number, (Op("insert", art.title),),
                "", art.title)))
    for art in a.agreement.articles:
        if art.number not in p.articles:
            out.append(((p.old_pos[a.index.articles[art.number]], 0, 0), Change(
                "removed", "article", art.number, None, art.number, (Op("delete", art.title),),
                art.title, "")))
    return out


_TEXT_LEVEL: dict[BlockKind, ChangeLevel] = {
    "title": "preamble", "preamble": "preamble", "annex": "annex", "annex-heading": "annex",
    "annex-paragraph": "annex"}
"""The paragraphs compared as running text (not as clauses, articles or catalogue lists)."""


def _text_changes(a: Side, b: Side, p: Pairing) -> list[Keyed]:
    """Return changes to the title, the preamble and the annexes' prose."""
    ua, ub = a.units, b.units
    out: list[Keyed] = []
    matched_new = set(p.units.values())
    for i, j in p.units.items():
        level = _TEXT_LEVEL.get(ub[j].kind)
        if level and ua[i].text != ub[j].text:
            kind: ChangeKind = "changed" if j in p.anchored else "moved"
            out.append(((p.new_pos[j], 1, 0), Change(
                kind, level, None, None, _where(ub[j]),
                word_ops(ua[i].text, ub[j].text), ua[i].text, ub[j].text)))
    for j, u in enumerate(ub):
        level = _TEXT_LEVEL.get(u.kind)
        if level and j not in matched_new:
            out.append(((p.new_pos[j], 1, 0), Change("added", level, None, None, _where(u),
                                                     (Op("insert", u.text),), "", u.text)))
    for i, u in enumerate(ua):
        level = _TEXT_LEVEL.get(u.kind)
        if level and i not in p.units:
            out.append(((p.old_pos[i], 1, 0), Change("removed", level, None, None, _where(u),
                                                     (Op("delete", u.text),), u.text, "")))
    return out


def _where(unit: Unit) -> str:
    return "" if unit.kind in ("title", "preamble") else "Bijlage 1"


def version_date(resolved: Resolved) -> dt.date | None:
    """Return the date a released version stands for: its release date, else its effective date."""
    v = resolved.version
    return (v.released or v.effective) if v else None


def diff_agreements(old: Resolved, new: Resolved, *, author: str = DEFAULT_AUTHOR,
                    date: dt.date | None = None) -> Redline:
    """Return the redline from `old` to `new`.

    `date` is the revision date the DOCX and PDF carry; by default the new version's release (or
    effective) date, else the old version's, else `FALLBACK_DATE`. Never the clock.
    """
    a, b = side_of(old), side_of(new)
    oc, nc = a.clauses, b.clauses
    cmap = match_by_content([words(c.text) for c in oc], [words(c.text) for c in nc],
                            [c.number for c in oc], [c.number for c in nc])
    _first_part_keeps_identity(oc, nc, cmap)
    amap = _match_articles(a.agreement, b.agreement, cmap)
    pairs = _unit_pairs(a, b, cmap, amap)
    plist = sorted(pairs.items())
    weights = [_HEADING_WEIGHT if a.units[i].kind in ("title", "article", "annex") else 1
               for i, _ in plist]
    kept = in_order(plist, weights)
    anchors = {plist[k][0] for k in kept}
    blocks, old_pos, new_pos = _merge(a.units, b.units, pairs, anchors)
    pairing = Pairing(cmap, amap, pairs, {plist[k][1] for k in kept}, old_pos, new_pos)
    list_pos = {b.units[j].number: p for j, p in new_pos.items() if b.units[j].kind == "annex-list"}
    keyed = (_article_changes(a, b, pairing) + _clause_changes(a, b, pairing)
             + _text_changes(a, b, pairing)
             + catalogue_changes(a.agreement.catalogue, b.agreement.catalogue, list_pos))
    changes = [c for _, c in sorted(keyed, key=lambda kc: kc[0])]
    warnings = reference_warnings(a, b, pairing, changes)
    return Redline(old=old, new=new, changes=tuple(changes), blocks=tuple(blocks),
                   warnings=tuple(warnings),
                   date=date or version_date(new) or version_date(old) or FALLBACK_DATE,
                   author=author)
