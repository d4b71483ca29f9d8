"""References ("artikel 4.1") that a renumbering left pointing at another clause."""

from __future__ import annotations

from dataclasses import dataclass

from assembler.agreement.references import scan_references
from assembler.model import Agreement, Change, ReferenceWarning, Resolved
from assembler.redline.units import Pairing, Side, Unit


@dataclass(frozen=True)
class _Targets:
    """Where each old clause and article number went, and which clauses were split."""

    clause_now: dict[str, str | None]
    """Old clause number → its new number (None: removed)."""
    article_now: dict[str, str | None]
    """Old article number → its new number (None: removed)."""
    split: dict[str, list[str]]
    """Old clause number → the numbers of the clauses split off from it."""


def _targets(a: Side, b: Side, p: Pairing, changes: list[Change]) -> _Targets:
    clause_now: dict[str, str | None] = {c.number: None for c in a.clauses}
    clause_now.update({a.clauses[i].number: b.clauses[j].number for i, j in p.clauses.items()})
    article_now = {art.number: p.articles.get(art.number) for art in a.agreement.articles}
    split: dict[str, list[str]] = {}
    for ch in changes:
        if ch.note == "split-from" and ch.new_number:
            split.setdefault(ch.related[0], []).append(ch.new_number)
    return _Targets(clause_now, article_now, split)


def _label(r: Resolved) -> str:
    return r.version.number if r.version else r.ref


def _where(unit: Unit) -> str:
    if unit.kind == "clause":
        return unit.number
    return "Bijlage 1" if unit.kind.startswith("annex") else "the preamble"


@dataclass(frozen=True)
class _Reading:
    """One reference in the new text whose target existed in the old text."""

    unit: Unit
    written: str
    target: str
    now: str | None


def _warning(r: _Reading, targets: _Targets, old: Side, new: Side) -> ReferenceWarning | None:
    """Return the warning for one reference, or None when its target did not move."""
    assert r.unit.source is not None
    where, written, target, now = _where(r.unit), r.written, r.target, r.now
    what = "clause" if "." in target else "article"
    if now == target:
        if target not in targets.split:
            return None
        parts = " and ".join([target, *targets.split[target]])
        return ReferenceWarning(r.unit.source, where, written, target, now,
                                f"'{written}' in {where}: {what} {target} was split into {parts}; "
                                f"check which one the reference means")
    old_label, new_label = _label(old.resolved), _label(new.resolved)
    another = _exists(new.agreement, target)
    if now is None:
        message = (f"'{written}' in {where} meant {what} {target} of {old_label}, which "
                   f"was removed" + (f"; {target} in {new_label} is another {what}"
                                     if another else ""))
    else:
        message = (f"'{written}' in {where} meant {what} {target} of {old_label}, which "
                   f"is {now} in {new_label}" + (f"; {target} is now another {what}"
                                                 if another else ""))
    return ReferenceWarning(r.unit.source, where, written, target, now, message)


def _internal(text: str, agreement: Agreement) -> list[tuple[str, str]]:
    """Return (reference as written, target number) for references to articles and clauses."""
    return [(r.written, r.target) for r in scan_references(text, agreement.meta.self_names)
            if r.kind != "annex"]


def reference_warnings(old: Side, new: Side, pairing: Pairing,
                       changes: list[Change]) -> list[ReferenceWarning]:
    """Return references whose target a renumbering moved or removed (see `ReferenceWarning`).

    Only references that were already in the paragraph's old text count: a new reference is
    `check`'s to verify. A reference whose target did not exist before either is left alone.
    """
    targets = _targets(old, new, pairing, changes)
    inverse = {j: i for i, j in pairing.units.items()}
    out = []
    for j, unit in enumerate(new.units):
        if j not in inverse or unit.source is None:
            continue
        before = {t for _, t in _internal(old.units[inverse[j]].text, old.agreement)}
        for written, target in _internal(unit.text, new.agreement):
            table = targets.clause_now if "." in target else targets.article_now
            if target not in before or target not in table:
                continue
            warning = _warning(_Reading(unit, written, target, table[target]), targets, old, new)
            if warning is not None:
                out.append(warning)
    return out


def _exists(b: Agreement, number: str) -> bool:
    return (b.clause(number) if "." in number else b.article(number)) is not None
