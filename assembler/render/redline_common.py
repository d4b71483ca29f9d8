"""What every redline renderer says the same way: sides, counts, and one line per change.

English (`describe_en`) for the terminal, the pull request and the JSON consumers; Dutch
(`describe_nl`) for the documents a customer may read (HTML, PDF, DOCX).
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable, Mapping

from assembler.dutch import format_date_nl
from assembler.model import Block, Change, ChangeKind, ListName, Op, Redline, Resolved

KINDS = ("added", "removed", "changed", "renumbered", "moved")
_LIST_EN: dict[ListName, str] = {"data_categories": "data category",
                                 "data_subjects": "data subject category"}
_LIST_NL: dict[ListName, str] = {"data_categories": "categorie persoonsgegevens",
                                 "data_subjects": "categorie betrokkenen"}


def side_label(r: Resolved) -> str:
    """Return how a side is named: ``"1.1"``, ``"HEAD (0123456789ab)"``, ``"worktree"``."""
    if r.version and r.ref == r.version.number:
        return r.version.number
    name = f"{r.ref} ({r.commit[:12]})" if r.commit and r.commit != r.ref else r.ref
    return f"{name} = {r.version.number}" if r.version else name


def side_label_nl(r: Resolved) -> str:
    """Return a side as a Dutch reader names it: ``"versie 1.1"`` or ``"concepttekst van 0123…"``.

    A customer never reads git's words ("worktree", "HEAD"): an unreleased side is a concept
    text, named by its commit when it has one.
    """
    if r.version:
        return f"versie {r.version.number}"
    return f"concepttekst van {r.commit[:12]}" if r.commit else "concepttekst (nog niet vastgesteld)"


def counts(redline: Redline) -> Counter[str]:
    """Return the number of changes per kind."""
    return Counter(c.kind for c in redline.changes)


def summary_en(redline: Redline) -> str:
    """Return the one-line English summary the text and Markdown formats start with."""
    head = f"{redline.contract} {side_label(redline.old)} → {side_label(redline.new)}"
    if redline.identical:
        return f"{head}: no changes (the texts are identical)"
    c = counts(redline)
    parts = ", ".join(f"{c[k]} {k}" for k in KINDS if c[k])
    n = len(redline.changes)
    annex = sum(ch.level == "annex" for ch in redline.changes)
    line = f"{head}: {n} change{'s' if n != 1 else ''} ({parts})"
    if annex:
        line += f", {annex} in Bijlage 1"
    if redline.warnings:
        w = len(redline.warnings)
        line += f"; {w} reference warning{'s' if w != 1 else ''}"
    if redline.backwards:
        line += f"; note: {side_label(redline.new)} is OLDER than {side_label(redline.old)}"
    return line


def moved_note_nl(block: Block) -> str:
    """Return the Dutch note of a moved block ("verplaatst naar artikel 2.6"), or ``""``."""
    if block.move == "to":
        return f"verplaatst naar artikel {block.move_target}"
    if block.move == "from":
        return f"verplaatst van artikel {block.move_target}"
    return ""


def _is_catalogue_item(c: Change) -> bool:
    """Return whether a change is about an item of a Bijlage 1 list (not a service)."""
    return c.item_list in ("data_categories", "data_subjects")


def where_en(c: Change) -> str:
    """Return what a change is about, in English: ``"clause 4.3"``, ``"article 6"``."""
    if c.level == "annex":
        if c.item_list == "service":
            return f"service {c.item_id}"
        if c.item_list:
            return f"Bijlage 1 {_LIST_EN[c.item_list]} '{c.new_text or c.old_text}'"
        return "Bijlage 1 text"
    if c.level == "preamble":
        return "title and preamble"
    return f"{c.level} {c.new_number or c.old_number}"


def _text_changed_en(c: Change) -> str:
    return ", text changed" if c.text_changed else ""


def _added_en(c: Change) -> str:
    extra = f" (split from {c.related[0]})" if c.note == "split-from" else ""
    if c.services_added:
        extra += f" (services: {', '.join(c.services_added)})"
    return f"{where_en(c)} added{extra}"


def _removed_en(c: Change) -> str:
    what = f"{c.level} {c.old_number}" if c.level in ("clause", "article") else where_en(c)
    extra = f" (merged into {c.related[0]})" if c.note == "merged-into" else ""
    return f"{what} removed{extra}"


def _moved_en(c: Change) -> str:
    if c.old_number:
        return f"{c.level} {c.old_number} moved to {c.new_number}{_text_changed_en(c)}"
    return f"{where_en(c)} moved"


def _renumbered_en(c: Change) -> str:
    return f"{c.level} {c.old_number} renumbered to {c.new_number}{_text_changed_en(c)}"


def _changed_en(c: Change) -> str:
    if c.level == "annex" and _is_catalogue_item(c):
        bits = []
        if c.note == "relabelled":
            bits.append(f"relabelled from '{c.old_text}'")
        if c.services_added:
            bits.append(f"now also for {', '.join(c.services_added)}")
        if c.services_removed:
            bits.append(f"no longer for {', '.join(c.services_removed)}")
        return f"{where_en(c)}: {'; '.join(bits)}"
    if c.level == "article" and c.note == "title":
        return f"article {c.new_number} title changed"
    if c.old_number and c.new_number and c.old_number != c.new_number:
        return f"{c.level} {c.old_number} (now {c.new_number}) changed"
    return f"{where_en(c)} changed"


_DESCRIBE_EN: dict[ChangeKind, Callable[[Change], str]] = {
    "added": _added_en, "removed": _removed_en, "moved": _moved_en,
    "renumbered": _renumbered_en, "changed": _changed_en,
}


def describe_en(c: Change) -> str:
    """Return one English line describing a change."""
    if c.level == "article" and c.kind in ("added", "removed"):
        return f"article {c.new_number or c.old_number} {c.kind}: {c.new_text or c.old_text}"
    return _DESCRIBE_EN[c.kind](c)


def where_nl(c: Change) -> str:
    """Return what a change is about, in Dutch."""
    if c.level == "annex":
        if c.item_list == "service":
            return f"dienst ‘{c.new_text or c.old_text}’"
        if c.item_list:
            return f"Bijlage 1, {_LIST_NL[c.item_list]} ‘{c.new_text or c.old_text}’"
        return "Bijlage 1"
    if c.level == "preamble":
        return "Aanhef"
    return f"Artikel {c.new_number or c.old_number}"


def _text_changed_nl(c: Change) -> str:
    return " en gewijzigd" if c.text_changed else ""


def _added_nl(c: Change) -> str:
    extra = f" (afgesplitst van artikel {c.related[0]})" if c.note == "split-from" else ""
    return f"{where_nl(c)} toegevoegd{extra}"


def _removed_nl(c: Change) -> str:
    what = f"Artikel {c.old_number}" if c.level in ("clause", "article") else where_nl(c)
    extra = f" (samengevoegd met artikel {c.related[0]})" if c.note == "merged-into" else ""
    return f"{what} vervallen{extra}"


def _moved_nl(c: Change) -> str:
    if c.old_number:
        return f"Artikel {c.old_number} verplaatst naar artikel {c.new_number}{_text_changed_nl(c)}"
    return f"{where_nl(c)} verplaatst"


def _renumbered_nl(c: Change) -> str:
    return f"Artikel {c.old_number} is nu artikel {c.new_number}{_text_changed_nl(c)}"


def _changed_nl(c: Change) -> str:
    if c.level == "annex" and _is_catalogue_item(c):
        bits = []
        if c.note == "relabelled":
            bits.append(f"heette ‘{c.old_text}’")
        if c.services_added:
            bits.append("geldt nu ook voor " + ", ".join(c.services_added))
        if c.services_removed:
            bits.append("geldt niet meer voor " + ", ".join(c.services_removed))
        return f"{where_nl(c)}: {'; '.join(bits)}"
    if c.level == "article" and c.note == "title":
        return f"Titel van artikel {c.new_number} gewijzigd"
    if c.old_number and c.new_number and c.old_number != c.new_number:
        return f"Artikel {c.old_number} (nu {c.new_number}) gewijzigd"
    return f"{where_nl(c)} gewijzigd"


_DESCRIBE_NL: dict[ChangeKind, Callable[[Change], str]] = {
    "added": _added_nl, "removed": _removed_nl, "moved": _moved_nl,
    "renumbered": _renumbered_nl, "changed": _changed_nl,
}


def service_labels(redline: Redline) -> dict[str, str]:
    """Return each service's label by id, from both sides (the new label wins)."""
    return {s.id: s.label for side in (redline.old, redline.new)
            for s in side.agreement.catalogue.services}


def describe_nl(c: Change, labels: Mapping[str, str] | None = None) -> str:
    """Return one Dutch line describing a change, for a customer's reading.

    With `labels` (see `service_labels`) services are named as the customer knows them
    ("Hosted telefonie"), not by their ids ("hosted-pbx").
    """
    if labels and (c.services_added or c.services_removed):
        c = dataclasses.replace(c, services_added=tuple(labels.get(s, s) for s in c.services_added),
                                services_removed=tuple(labels.get(s, s) for s in c.services_removed))
    if c.level == "article" and c.kind in ("added", "removed"):
        verb = "toegevoegd" if c.kind == "added" else "vervallen"
        return f"Artikel {c.new_number or c.old_number} ({c.new_text or c.old_text}) {verb}"
    return _DESCRIBE_NL[c.kind](c)


def summary_nl(redline: Redline) -> str:
    """Return the Dutch heading sentence of the documents."""
    old, new = side_label_nl(redline.old), side_label_nl(redline.new)
    if redline.identical:
        return f"Geen wijzigingen tussen {old} en {new}: de teksten zijn gelijk."
    n = len(redline.changes)
    line = f"{n} wijziging{'en' if n != 1 else ''} van {old} naar {new}."
    if redline.backwards:
        line += f" Let op: {new} is ouder dan {old}."
    return line


def date_nl(redline: Redline) -> str:
    """Return the redline's date in Dutch: ``"1 december 2026"``."""
    return format_date_nl(redline.date)


def effective_nl(r: Resolved) -> str:
    """Return "van kracht per 1 februari 2027" for a released version, else ""."""
    return f"van kracht per {format_date_nl(r.version.effective)}" if r.version else ""


CONTEXT = 60
"""Characters of unchanged text kept on each side of a change in the terminal and PR formats."""


def trim_context(ops: tuple[Op, ...], context: int = CONTEXT) -> tuple[Op, ...]:
    """Return ops with long unchanged runs shortened to `context` characters around the changes.

    Cuts are made at a space and marked with "…"; a clause that is wholly inserted or deleted
    is left alone. Only for reading: the full ops stay in the model and the JSON.
    """
    out = []
    last = len(ops) - 1
    for k, o in enumerate(ops):
        text = o.text
        if o.op == "equal" and len(text) > 2 * context + 10:
            head = text[:context].rsplit(" ", 1)[0] if k > 0 else ""
            tail = text[-context:].split(" ", 1)[-1] if k < last else ""
            if k == 0:
                text = "… " + tail
            elif k == last:
                text = head + " …"
            else:
                text = f"{head} … {tail}"
        out.append(Op(o.op, text))
    return tuple(out)
