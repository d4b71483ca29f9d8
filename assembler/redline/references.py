"""References ("artikel 4.1") that a renumbering left pointing at another clause."""

from __future__ import annotations

from collections.abc import Iterable

from assembler.agreement.lint import _LAW, _OF_DOCUMENT, _REFERENCE
from assembler.model import Agreement, Change, ReferenceWarning, Resolved
from assembler.redline.units import Unit


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


def reference_warnings(old: Resolved, new: Resolved, ua: list[Unit], ub: list[Unit],
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
