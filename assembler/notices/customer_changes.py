"""What a version change means for one customer's Bijlage 1: the notes, the before/after, the redline.

A customer's Bijlage 1 lists only the catalogue items of the services they use, so what the
notice says about Bijlage 1 depends on the customer's set of services, never on anything else.
Everything here is therefore prepared once per distinct set of services, in the process that
starts the build, and the workers only look it up (`for_customer`):

- the toelichting they read: the general one on Bijlage 1 (``[toelichting] bijlage-1``) and the
  notes per catalogue id (``[toelichting-bijlage-1]``) of the items in their Bijlage 1;
- the rows of their own Bijlage 1 that read differently, old beside new;
- the redline attached to their notice: the article changes plus only their Bijlage 1. It is
  rendered once per distinct Bijlage 1 (`redline_key`), which is at most once per set of
  services: sets whose Bijlage 1 reads the same share one PDF.
"""

from __future__ import annotations

import difflib
import hashlib
import itertools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import PurePosixPath

from assembler.agreement.annex import annex_paragraphs, applies_to, customer_catalogue
from assembler.model import TOELICHTING_TODO, Agreement, Catalogue, Customer, Redline, Resolved, Version
from assembler.redline.diff import diff_agreements
from assembler.redline.queries import ANNEX_NOTE

ServiceSet = tuple[str, ...]
"""A customer's service ids, sorted: the key of everything a customer's Bijlage 1 depends on."""
RedlineKey = tuple[tuple[tuple[str, ...], ...], tuple[tuple[str, ...], ...], tuple[str, ...]]
"""What a narrowed redline depends on: the item ids visible before and after, per list, and the
customer's services among those whose catalogue entry changed."""


@dataclass(frozen=True)
class AnnexRow:
    """One paragraph of a customer's Bijlage 1 that reads differently: old beside new."""

    old_text: str
    """The paragraph in the customer's from-version (``""``: the paragraph is new)."""
    new_text: str
    """The paragraph in the new version (``""``: the paragraph is gone)."""


@dataclass(frozen=True)
class CustomerAnnex:
    """What the customers with one set of services read about their Bijlage 1."""

    notes: tuple[tuple[str, str], ...]
    """Each version's toelichting for these services, ``(version, text)``, oldest first."""
    rows: tuple[AnnexRow, ...]
    """The paragraphs of their Bijlage 1 that change, in reading order."""
    redline_pdf: bytes
    """The redline narrowed to their Bijlage 1."""
    redline_sha: str
    """SHA-256 of `redline_pdf`."""
    redline_file: str
    """The name of the redline's file in the build folder (shared by the sets that have it)."""


def service_set(customer: Customer) -> ServiceSet:
    """Return the key of a customer's Bijlage 1: their service ids, sorted."""
    return tuple(sorted(set(customer.services)))


def catalogue_ids(catalogue: Catalogue) -> set[str]:
    """Return every id a ``[toelichting-bijlage-1]`` note may name: services and both lists."""
    return {s.id for s in catalogue.services} | {i.id for items in catalogue.lists().values()
                                                 for i in items}


def reads_item_note(key: str, services: Iterable[str], before: Catalogue, after: Catalogue) -> bool:
    """Return whether a customer using `services` reads the Bijlage 1 note on catalogue id `key`.

    The note explains a change to one item of Bijlage 1, so it is read by exactly the customers
    whose Bijlage 1 has that item, before or after the change (`applies_to`, the rule of a
    customer's Bijlage 1); a note on a service is read by the customers who use that service. A
    customer without the callcenter service is thus never told about its callers in the queue.
    """
    wanted = set(services)
    if key in wanted:
        return True
    items = [i for cat in (before, after) for its in cat.lists().values() for i in its if i.id == key]
    return any(applies_to(i, wanted) for i in items)


@dataclass(frozen=True)
class _Step:
    """One version of a change, with the catalogues before and after it."""

    version: Version
    before: Catalogue
    after: Catalogue


def _notes_for(steps: Sequence[_Step], services: ServiceSet) -> tuple[tuple[str, str], ...]:
    """Return each version's Bijlage 1 toelichting that a customer using `services` reads."""
    out = []
    for step in steps:
        v = step.version
        texts = [v.toelichting.get(ANNEX_NOTE, "")] + [
            text for key, text in v.annex_toelichting.items()
            if reads_item_note(key, services, step.before, step.after)]
        written = [t.strip() for t in texts if t.strip() and TOELICHTING_TODO not in t]
        if written:
            out.append((v.number, " ".join(written)))
    return tuple(out)


def _paragraphs(agreement: Agreement, services: ServiceSet) -> list[str]:
    """Return a customer's annexes as they read them, paragraph by paragraph."""
    catalogue = customer_catalogue(agreement.catalogue, services)
    return [p["text"] for annex in agreement.annexes
            for p in [{"text": f"Bijlage {annex.number}: {annex.title}"},
                      *annex_paragraphs(annex, catalogue)]]


def annex_rows(old: Agreement, new: Agreement, services: ServiceSet) -> tuple[AnnexRow, ...]:
    """Return the paragraphs of a customer's own Bijlage 1 that differ between `old` and `new`.

    Paragraphs are aligned by their text; a replaced run is paired paragraph by paragraph, the
    ones left over are new or gone.
    """
    a, b = _paragraphs(old, services), _paragraphs(new, services)
    rows = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag != "equal":
            rows += [AnnexRow(o, n) for o, n in itertools.zip_longest(a[i1:i2], b[j1:j2], fillvalue="")]
    return tuple(rows)


def _narrow(side: Resolved, services: set[str]) -> Resolved:
    """Return `side` with Bijlage 1's lists narrowed to `services` (service labels all kept)."""
    cat = side.agreement.catalogue
    narrowed = replace(cat, data_categories=tuple(i for i in cat.data_categories if applies_to(i, services)),
                       data_subjects=tuple(i for i in cat.data_subjects if applies_to(i, services)))
    return replace(side, agreement=replace(side.agreement, catalogue=narrowed))


def narrowed_redline(redline: Redline, services: Iterable[str]) -> Redline:
    """Return `redline` with Bijlage 1 as a customer using `services` has it.

    The articles are everyone's; the catalogue lists keep only the customer's items, and a change
    to a service's own entry is kept only for the customer's services. Service labels stay, so
    the redline names every service by its label.
    """
    wanted = set(services)
    out = diff_agreements(_narrow(redline.old, wanted), _narrow(redline.new, wanted),
                          author=redline.author, date=redline.date)
    return replace(out, changes=tuple(c for c in out.changes
                                      if c.item_list != "service" or c.item_id in wanted))


def redline_key(redline: Redline, services: Iterable[str]) -> RedlineKey:
    """Return what `narrowed_redline(redline, services)` depends on: equal keys, equal redlines."""
    wanted = set(services)

    def visible(cat: Catalogue) -> tuple[tuple[str, ...], ...]:
        return tuple(tuple(i.id for i in items if applies_to(i, wanted)) for items in cat.lists().values())

    changed = {c.item_id for c in redline.changes if c.item_list == "service"}
    return (visible(redline.old.agreement.catalogue), visible(redline.new.agreement.catalogue),
            tuple(sorted(changed & wanted)))


def prepare_annexes(redline: Redline, steps: Sequence[Version], agreement: Callable[[str], Agreement],
                    service_sets: Iterable[ServiceSet], render: Callable[[Redline], bytes],
                    redline_name: str) -> dict[ServiceSet, CustomerAnnex]:
    """Return, per set of services, what its customers read about Bijlage 1.

    `redline` goes from the customers' version to the new one, `steps` are the versions on the
    way (the new one last), `agreement` returns a version's text by number. `render` turns a
    redline into PDF bytes and is called once per distinct narrowed redline. With one distinct
    redline its file is `redline_name`; with several, each gets its hash in the name.
    """
    before = [redline.old.version.number if redline.old.version else "", *(v.number for v in steps[:-1])]
    walked = [_Step(v, agreement(b).catalogue if b else redline.old.agreement.catalogue,
                    agreement(v.number).catalogue) for b, v in zip(before, steps, strict=True)]
    pdfs: dict[RedlineKey, bytes] = {}
    keys: dict[ServiceSet, RedlineKey] = {}
    for services in sorted(set(service_sets)):
        key = keys[services] = redline_key(redline, services)
        if key not in pdfs:
            pdfs[key] = render(narrowed_redline(redline, services))
    shas = {key: hashlib.sha256(pdf).hexdigest() for key, pdf in pdfs.items()}
    stem = PurePosixPath(redline_name)

    def file_of(key: RedlineKey) -> str:
        return redline_name if len(pdfs) == 1 else f"{stem.stem}-{shas[key][:12]}{stem.suffix}"

    return {services: CustomerAnnex(
                notes=_notes_for(walked, services),
                rows=annex_rows(redline.old.agreement, redline.new.agreement, services),
                redline_pdf=pdfs[key], redline_sha=shas[key], redline_file=file_of(key))
            for services, key in keys.items()}


def annex_explained(redline: Redline, version: Version) -> bool:
    """Return whether `version`'s toelichting explains every change to Bijlage 1 in `redline`.

    Art. 11.2 has every customer told what changes for them, so each change must reach, with an
    explanation, every customer who sees it. The general note (``[toelichting] bijlage-1``) reaches
    them all. Without it, the notes per catalogue id must cover each catalogue change: a note on
    the item itself, or on one of the services it applies to (before or after), which every
    customer whose Bijlage 1 has the item then reads. A change to Bijlage 1's own prose is
    everyone's and needs the general note.
    """
    def written(text: str) -> bool:
        return bool(text.strip()) and TOELICHTING_TODO not in text

    if written(version.toelichting.get(ANNEX_NOTE, "")):
        return True
    notes = {k for k, t in version.annex_toelichting.items() if written(t)}
    if not notes:
        return False
    for c in redline.changes:
        if c.level != "annex":
            continue
        if not c.item_list:
            return False
        services = {s for side in (redline.old, redline.new)
                    for i in side.agreement.catalogue.lists().get(c.item_list, ()) if i.id == c.item_id
                    for s in i.services} if c.item_list != "service" else set()
        if c.item_id not in notes and notes.isdisjoint(services):
            return False
    return True
