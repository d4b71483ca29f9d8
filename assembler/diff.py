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
from collections.abc import Iterable
from dataclasses import dataclass

from .align import in_order, match_by_content
from .lint import _LAW, _OF_DOCUMENT, _REFERENCE
from .model import (
    Agreement,
    Block,
    Catalogue,
    Change,
    Clause,
    Op,
    Redline,
    ReferenceWarning,
    Resolved,
    Source,
)
from .text import annex_block_text, catalogue_list_text, roman
from .wordiff import containment, containment_bound, similarity, word_ops, words

DEFAULT_AUTHOR = "VoIP Express"
FALLBACK_DATE = dt.date(1980, 1, 1)
"""Revision date when neither side is a released version (the earliest date a zip can hold)."""
SPLIT_SHARE = 0.6
"""Share of an added (removed) clause's words found in another clause to call it split (merged)."""
_HEADING_WEIGHT = 1000


@dataclass(frozen=True)
class _Unit:
    """One paragraph of a text, with what it belongs to."""

    kind: str
    text: str
    number: str = ""
    clause: int = -1
    source: Source | None = None


def _units(a: Agreement) -> tuple[list[_Unit], dict[str, list[int]]]:
    """Return the paragraphs of `a` in reading order and an index of them by role."""
    units: list[_Unit] = [_Unit("title", a.title)]
    index: dict[str, list[int]] = {"preamble": []}

    def add(unit: _Unit, key: str) -> None:
        index.setdefault(key, []).append(len(units))
        units.append(unit)

    for p in a.preamble:
        add(_Unit("preamble", p.text, source=p.source), "preamble")
    ci = 0
    for art in a.articles:
        add(_Unit("article", f"Artikel {art.number}. {art.title}", art.number, source=art.source),
            f"article:{art.number}")
        for clause in art.clauses:
            for k, p in enumerate(clause.paragraphs):
                text = f"{clause.label} {p.text}" if k == 0 else p.text
                add(_Unit("clause", text, clause.number, ci, p.source), f"clause:{ci}")
            ci += 1
    for annex in a.annexes:
        add(_Unit("annex", f"Bijlage {annex.number}: {annex.title}", annex.number,
                  source=annex.source), f"annex:{annex.number}")
        for block in annex.blocks:
            kind = {"heading": "annex-heading", "paragraph": "annex-paragraph"}.get(
                block.kind, "annex-list")
            number = block.list_name or ""
            add(_Unit(kind, annex_block_text(block, a.catalogue), number, source=block.source),
                f"annex-blocks:{annex.number}")
    return units, index


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


def _unit_pairs(ua: list[_Unit], ia: dict[str, list[int]], ub: list[_Unit],
                ib: dict[str, list[int]], cmap: dict[int, int],
                amap: dict[str, str]) -> dict[int, int]:
    """Return old unit index → new unit index for paragraphs that are the same paragraph."""
    pairs = {0: 0}

    def by_content(xs: list[int], ys: list[int]) -> None:
        m = match_by_content([words(ua[x].text) for x in xs], [words(ub[y].text) for y in ys])
        pairs.update({xs[i]: ys[j] for i, j in m.items()})

    by_content(ia["preamble"], ib["preamble"])
    for old_art, new_art in amap.items():
        pairs[ia[f"article:{old_art}"][0]] = ib[f"article:{new_art}"][0]
    for i, j in cmap.items():
        xs, ys = ia[f"clause:{i}"], ib[f"clause:{j}"]
        pairs[xs[0]] = ys[0]  # the paragraphs with the numbers
        by_content(xs[1:], ys[1:])
    for key, xs in ia.items():
        if key.startswith("annex:") and key in ib:
            number = key.split(":", 1)[1]
            pairs[xs[0]] = ib[key][0]
            olds = ia.get(f"annex-blocks:{number}", [])
            news = ib.get(f"annex-blocks:{number}", [])
            lists = {ub[y].number: y for y in news if ub[y].kind == "annex-list"}
            for x in olds:
                if ua[x].kind == "annex-list" and ua[x].number in lists:
                    pairs[x] = lists[ua[x].number]
            by_content([x for x in olds if ua[x].kind != "annex-list"],
                       [y for y in news if ub[y].kind != "annex-list"])
    return pairs


def _merge(ua: list[_Unit], ub: list[_Unit], pairs: dict[int, int],
           anchors: set[int]) -> tuple[list[Block], dict[int, int], dict[int, int]]:
    """Return the merged blocks and, per old / new unit, the index of its block."""
    blocks: list[Block] = []
    old_pos: dict[int, int] = {}
    new_pos: dict[int, int] = {}
    inverse = {j: i for i, j in pairs.items()}

    def deleted(i: int) -> None:
        note = f"moved-to:{ub[pairs[i]].number}" if i in pairs else ""
        old_pos[i] = len(blocks)
        blocks.append(Block(ua[i].kind, "deleted", (Op("delete", ua[i].text),), ua[i].number, note))

    def inserted(j: int) -> None:
        note = f"moved-from:{ua[inverse[j]].number}" if j in inverse else ""
        new_pos[j] = len(blocks)
        blocks.append(Block(ub[j].kind, "inserted", (Op("insert", ub[j].text),), ub[j].number, note))

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


def _clause_changes(a: Agreement, b: Agreement, cmap: dict[int, int], amap: dict[str, str],
                    anchored: set[int], ia: dict[str, list[int]], ib: dict[str, list[int]],
                    old_pos: dict[int, int], new_pos: dict[int, int]
                    ) -> list[tuple[tuple[int, int, int], Change]]:
    oc, nc = a.clauses(), b.clauses()
    out: list[tuple[tuple[int, int, int], Change]] = []
    for i, j in cmap.items():
        o, n = oc[i], nc[j]
        first_new = ib[f"clause:{j}"][0]
        ops = word_ops(o.text, n.text) if o.text != n.text else ()
        same_article = amap.get(o.article_number) == n.article_number
        if not same_article or first_new not in anchored:
            kind = "moved"
        elif o.number != n.number:
            follows_article = o.article_number != n.article_number and _minor(o.number) == _minor(n.number)
            kind = "changed" if follows_article and ops else "" if follows_article else "renumbered"
        else:
            kind = "changed" if ops else ""
        if kind:
            out.append(((new_pos[first_new], 1, 0), Change(
                kind, "clause", o.number, n.number, n.article_number, ops, o.text, n.text)))
    matched_old, matched_new = set(cmap), set(cmap.values())
    for j, n in enumerate(nc):
        if j not in matched_new:
            related, note = _part_of(n, [(oc[i], nc[k]) for i, k in cmap.items()], "split-from")
            out.append(((new_pos[ib[f"clause:{j}"][0]], 1, 0), Change(
                "added", "clause", None, n.number, n.article_number, (Op("insert", n.text),),
                "", n.text, related, note)))
    for i, o in enumerate(oc):
        if i not in matched_old:
            related, note = _part_of(o, [(nc[k], oc[i2]) for i2, k in cmap.items()], "merged-into")
            out.append(((old_pos[ia[f"clause:{i}"][0]], 1, 0), Change(
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
             note: str) -> tuple[tuple[str, ...], str]:
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


def _article_changes(a: Agreement, b: Agreement, amap: dict[str, str], anchored: set[int],
                     ia: dict[str, list[int]], ib: dict[str, list[int]],
                     old_pos: dict[int, int], new_pos: dict[int, int]
                     ) -> list[tuple[tuple[int, int, int], Change]]:
    out: list[tuple[tuple[int, int, int], Change]] = []
    for x, y in amap.items():
        old, new = a.article(x), b.article(y)
        assert old is not None and new is not None
        unit = ib[f"article:{y}"][0]
        ops = word_ops(old.title, new.title) if old.title != new.title else ()
        kind = ("moved" if unit not in anchored else "renumbered" if x != y
                else "changed" if ops else "")
        if kind:
            out.append(((new_pos[unit], 0, 0), Change(kind, "article", x, y, y, ops, old.title,
                                                      new.title, note="title" if ops else "")))
    mapped = set(amap.values())
    for art in b.articles:
        if art.number not in mapped:
            out.append(((new_pos[ib[f"article:{art.number}"][0]], 0, 0), Change(
                "added", "article", None, art.number, art.number, (Op("insert", art.title),),
                "", art.title)))
    for art in a.articles:
        if art.number not in amap:
            out.append(((old_pos[ia[f"article:{art.number}"][0]], 0, 0), Change(
                "removed", "article", art.number, None, art.number, (Op("delete", art.title),),
                art.title, "")))
    return out


def _catalogue_changes(ca: Catalogue, cb: Catalogue, pos: dict[str, int]
                       ) -> list[tuple[tuple[int, int, int], Change]]:
    """Return the catalogue's changes, compared by stable id."""
    out: list[tuple[tuple[int, int, int], Change]] = []
    end = max(pos.values(), default=0)
    olds, news = {s.id: s for s in ca.services}, {s.id: s for s in cb.services}
    for k, sid in enumerate([*news, *(s for s in olds if s not in news)]):
        o, n = olds.get(sid), news.get(sid)
        kind = "added" if o is None else "removed" if n is None else "changed" if o.label != n.label else ""
        if kind:
            ot, nt = (o.label if o else ""), (n.label if n else "")
            out.append(((end, 2, 1000 + k), Change(kind, "annex", None, None, "Bijlage 1",
                                                   word_ops(ot, nt), ot, nt, note="relabelled"
                                                   if kind == "changed" else "",
                                                   item=f"service:{sid}")))
    for name, new_items in cb.lists().items():
        old_items = ca.lists()[name]
        at = pos.get(name, end)
        o_by = {it.id: (k, it) for k, it in enumerate(old_items, 1)}
        n_by = {it.id: (k, it) for k, it in enumerate(new_items, 1)}
        order = [*n_by, *(i for i in o_by if i not in n_by)]
        for k, item_id in enumerate(order):
            old, new = o_by.get(item_id), n_by.get(item_id)
            key = (at, 2, k)
            if old is None and new is not None:
                out.append((key, Change("added", "annex", None, roman(new[0]), "Bijlage 1",
                                        (Op("insert", new[1].label),), "", new[1].label,
                                        item=f"{name}:{item_id}",
                                        services_added=new[1].services)))
            elif new is None and old is not None:
                out.append((key, Change("removed", "annex", roman(old[0]), None, "Bijlage 1",
                                        (Op("delete", old[1].label),), old[1].label, "",
                                        item=f"{name}:{item_id}",
                                        services_removed=old[1].services)))
            elif old is not None and new is not None:
                oi, ni = old[1], new[1]
                added = tuple(s for s in ni.services if s not in oi.services)
                removed = tuple(s for s in oi.services if s not in ni.services)
                if oi.label != ni.label or added or removed:
                    out.append((key, Change(
                        "changed", "annex", roman(old[0]), roman(new[0]), "Bijlage 1",
                        word_ops(oi.label, ni.label) if oi.label != ni.label else (),
                        oi.label, ni.label,
                        note="relabelled" if oi.label != ni.label else "services",
                        item=f"{name}:{item_id}", services_added=added,
                        services_removed=removed)))
    return out


def _text_changes(ua: list[_Unit], ub: list[_Unit], pairs: dict[int, int], anchored: set[int],
                  old_pos: dict[int, int], new_pos: dict[int, int]
                  ) -> list[tuple[tuple[int, int, int], Change]]:
    """Return changes to the title, the preamble and the annexes' prose."""
    level = {"title": "preamble", "preamble": "preamble", "annex": "annex",
             "annex-heading": "annex", "annex-paragraph": "annex"}
    out: list[tuple[tuple[int, int, int], Change]] = []
    matched_new = set(pairs.values())
    for i, j in pairs.items():
        if ub[j].kind in level and ua[i].text != ub[j].text:
            kind = "changed" if j in anchored else "moved"
            out.append(((new_pos[j], 1, 0), Change(
                kind, level[ub[j].kind], None, None, _where(ub[j]),
                word_ops(ua[i].text, ub[j].text), ua[i].text, ub[j].text)))
    for j, u in enumerate(ub):
        if u.kind in level and j not in matched_new:
            out.append(((new_pos[j], 1, 0), Change("added", level[u.kind], None, None, _where(u),
                                                   (Op("insert", u.text),), "", u.text)))
    for i, u in enumerate(ua):
        if u.kind in level and i not in pairs:
            out.append(((old_pos[i], 1, 0), Change("removed", level[u.kind], None, None, _where(u),
                                                   (Op("delete", u.text),), u.text, "")))
    return out


def _where(unit: _Unit) -> str:
    return "" if unit.kind in ("title", "preamble") else "Bijlage 1"


def _references(text: str, self_names: Iterable[str]) -> list[tuple[str, str]]:
    """Return (reference as written, target number) for references into this agreement."""
    out = []
    names = set(self_names)
    for m in _REFERENCE.finditer(text):
        after = text[m.end():]
        doc = _OF_DOCUMENT.match(after)
        if (doc and doc.group("doc") not in names) or _LAW.match(after):
            continue
        if m.group("kind").lower() == "bijlage":
            continue
        minor = m.group("minor")
        out.append((m.group(0), f"{m.group('major')}.{minor}" if minor else m.group("major")))
    return out


def _label(r: Resolved) -> str:
    return r.version.number if r.version else r.ref


def _reference_warnings(old: Resolved, new: Resolved, ua: list[_Unit], ub: list[_Unit],
                        pairs: dict[int, int], cmap: dict[int, int], amap: dict[str, str],
                        changes: list[Change]) -> list[ReferenceWarning]:
    """Return references whose target a renumbering moved or removed (see `ReferenceWarning`)."""
    a, b = old.agreement, new.agreement
    oc, nc = a.clauses(), b.clauses()
    clause_now: dict[str, str | None] = {c.number: None for c in oc}
    clause_now.update({oc[i].number: nc[j].number for i, j in cmap.items()})
    article_now: dict[str, str | None] = {art.number: amap.get(art.number) for art in a.articles}
    split: dict[str, list[str]] = {}
    for ch in changes:
        if ch.note == "split-from" and ch.new_number:
            split.setdefault(ch.related[0], []).append(ch.new_number)
    inverse = {j: i for i, j in pairs.items()}
    old_label, new_label = _label(old), _label(new)
    out = []
    for j, unit in enumerate(ub):
        if j not in inverse or unit.source is None:
            continue
        before = {t for _, t in _references(ua[inverse[j]].text, a.meta.self_names)}
        where = unit.number if unit.kind == "clause" else "Bijlage 1" if unit.kind.startswith(
            "annex") else "the preamble"
        for written, target in _references(unit.text, b.meta.self_names):
            if target not in before:
                continue  # a new reference: `check` verifies it exists
            table = clause_now if "." in target else article_now
            if target not in table:
                continue  # it pointed at nothing before either
            now = table[target]
            what = "clause" if "." in target else "article"
            if now == target:
                if target in split:
                    parts = " and ".join([target, *split[target]])
                    out.append(ReferenceWarning(unit.source, where, written, target, now,
                               f"'{written}' in {where}: {what} {target} was split into {parts}; "
                               f"check which one the reference means"))
                continue
            if now is None:
                message = (f"'{written}' in {where} meant {what} {target} of {old_label}, which "
                           f"was removed" + (f"; {target} in {new_label} is another {what}"
                                             if _exists(b, target) else ""))
            else:
                message = (f"'{written}' in {where} meant {what} {target} of {old_label}, which "
                           f"is {now} in {new_label}" + (f"; {target} is now another {what}"
                                              if _exists(b, target) else ""))
            out.append(ReferenceWarning(unit.source, where, written, target, now, message))
    return out


def _exists(b: Agreement, number: str) -> bool:
    return (b.clause(number) if "." in number else b.article(number)) is not None


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
    a, b = old.agreement, new.agreement
    oc, nc = a.clauses(), b.clauses()
    cmap = match_by_content([words(c.text) for c in oc], [words(c.text) for c in nc],
                            [c.number for c in oc], [c.number for c in nc])
    _first_part_keeps_identity(oc, nc, cmap)
    amap = _match_articles(a, b, cmap)
    ua, ia = _units(a)
    ub, ib = _units(b)
    pairs = _unit_pairs(ua, ia, ub, ib, cmap, amap)
    plist = sorted(pairs.items())
    weights = [_HEADING_WEIGHT if ua[i].kind in ("title", "article", "annex") else 1
               for i, _ in plist]
    kept = in_order(plist, weights)
    anchors = {plist[k][0] for k in kept}
    anchored_new = {plist[k][1] for k in kept}
    blocks, old_pos, new_pos = _merge(ua, ub, pairs, anchors)
    list_pos = {ub[j].number: p for j, p in new_pos.items() if ub[j].kind == "annex-list"}
    keyed = (_article_changes(a, b, amap, anchored_new, ia, ib, old_pos, new_pos)
             + _clause_changes(a, b, cmap, amap, anchored_new, ia, ib, old_pos, new_pos)
             + _text_changes(ua, ub, pairs, anchored_new, old_pos, new_pos)
             + _catalogue_changes(a.catalogue, b.catalogue, list_pos))
    changes = [c for _, c in sorted(keyed, key=lambda kc: kc[0])]
    warnings = _reference_warnings(old, new, ua, ub, pairs, cmap, amap, changes)
    return Redline(old=old, new=new, changes=tuple(changes), blocks=tuple(blocks),
                   warnings=tuple(warnings),
                   date=date or version_date(new) or version_date(old) or FALLBACK_DATE,
                   author=author)


# --- questions later issues ask of a redline ------------------------------------------------------


def changed_articles(redline: Redline) -> list[str]:
    """Return the numbers, in the NEW version, of the articles with any change, in order.

    An article counts when it was added, renumbered, moved or retitled, or when one of its
    clauses was added, changed, renumbered or moved into it, or removed from it. Articles that
    were removed entirely are not in the new version and are not listed; nor is Bijlage 1 (ask
    `annex_changes_for`).
    """
    amap_old_to_new = {c.old_number: c.new_number for c in redline.changes
                       if c.level == "article" and c.old_number and c.new_number}
    new_articles = {art.number for art in redline.new.agreement.articles}
    found: set[str] = set()
    for c in redline.changes:
        if c.level == "article" and c.new_number:
            found.add(c.new_number)
        elif c.level == "clause":
            if c.new_number:
                found.add(c.article)
            else:  # removed: the article it was in, as numbered now
                art = amap_old_to_new.get(c.article, c.article)
                if art in new_articles and _same_article(redline, c.article, art):
                    found.add(art)
    return sorted(found, key=int)


def _same_article(redline: Redline, old: str, new: str) -> bool:
    """Return whether old article `old` continues as new article `new`."""
    removed = any(c.level == "article" and c.kind == "removed" and c.old_number == old
                  for c in redline.changes)
    return not removed


def _visible(services: tuple[str, ...], wanted: set[str]) -> bool:
    return bool(set(services) & wanted)


def annex_changes_for(redline: Redline, services: Iterable[str]) -> tuple[Change, ...]:
    """Return the annex changes a customer using `services` (service ids) sees in their Bijlage 1.

    A customer's Bijlage 1 lists only the catalogue items that apply to one of their services, so:
    an item added, removed or relabelled counts when it applies (before or after) to one of
    them; a change of an item's services counts when it makes the item appear or disappear for
    them; a change to the annex's own prose counts for everyone; a service relabelled does not
    show in Bijlage 1 and never counts.
    """
    wanted = set(services)
    out = []
    for c in redline.changes:
        if c.level != "annex" or c.item.startswith("service:"):
            continue
        if not c.item:
            out.append(c)
            continue
        name, item_id = c.item.split(":", 1)
        old_item = next((i for i in redline.old.agreement.catalogue.lists()[name] if i.id == item_id),
                        None)
        new_item = next((i for i in redline.new.agreement.catalogue.lists()[name] if i.id == item_id),
                        None)
        before = old_item is not None and _visible(old_item.services, wanted)
        after = new_item is not None and _visible(new_item.services, wanted)
        if (before != after) or (before and after and c.note == "relabelled"):
            out.append(c)
    return tuple(out)


def customer_annex_text(agreement: Agreement, services: Iterable[str]) -> list[str]:
    """Return a customer's catalogue lists as written in their Bijlage 1, one string per list."""
    wanted = set(services)
    return [catalogue_list_text([i for i in items if _visible(i.services, wanted)])
            for items in agreement.catalogue.lists().values()]


def changes_for(redline: Redline, services: Iterable[str]) -> tuple[Change, ...]:
    """Return the changes that matter to a customer using `services`: every change to the articles
    and the preamble, and the annex changes visible in their own Bijlage 1."""
    services = tuple(services)
    visible = set(annex_changes_for(redline, services))
    return tuple(c for c in redline.changes if c.level != "annex" or c in visible)


def affects_customer(redline: Redline, services: Iterable[str]) -> bool:
    """Return whether the new version changes anything in the text a customer using `services`
    signs: any article or preamble change, or any change to their own Bijlage 1 (including the
    order of its items)."""
    services = tuple(services)
    if changes_for(redline, services):
        return True
    return (customer_annex_text(redline.old.agreement, services)
            != customer_annex_text(redline.new.agreement, services))
