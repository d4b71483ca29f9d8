"""Changes to the Bijlage 1 catalogue, compared by stable id (services and both lists)."""

from __future__ import annotations

from assembler.model import Catalogue, CatalogueItem, Change, ChangeKind, ListName, Op, Service
from assembler.redline.words import word_ops
from assembler.render.plain_text import roman

Keyed = tuple[tuple[int, int, int], Change]
"""A change with its sort key: (block position, level order, position within)."""


def _service_kind(o: Service | None, n: Service | None) -> ChangeKind | None:
    if o is None:
        return "added"
    if n is None:
        return "removed"
    return "changed" if o.label != n.label else None


def _service_changes(ca: Catalogue, cb: Catalogue, end: int) -> list[Keyed]:
    """Return services added, removed or relabelled; they sort after everything at `end`."""
    out: list[Keyed] = []
    olds, news = {s.id: s for s in ca.services}, {s.id: s for s in cb.services}
    for k, sid in enumerate([*news, *(s for s in olds if s not in news)]):
        o, n = olds.get(sid), news.get(sid)
        kind = _service_kind(o, n)
        if kind:
            ot, nt = (o.label if o else ""), (n.label if n else "")
            out.append(((end, 2, 1000 + k), Change(kind, "annex", None, None, "Bijlage 1",
                                                   word_ops(ot, nt), ot, nt, note="relabelled"
                                                   if kind == "changed" else "",
                                                   item_list="service", item_id=sid)))
    return out


def _item_change(name: ListName, old: tuple[int, CatalogueItem] | None,
                 new: tuple[int, CatalogueItem] | None) -> Change | None:
    """Return the change of one item of list `name`, given its (position, item) in each text."""
    if old is None and new is not None:
        return Change("added", "annex", None, roman(new[0]), "Bijlage 1",
                      (Op("insert", new[1].label),), "", new[1].label,
                      item_list=name, item_id=new[1].id, services_added=new[1].services)
    if new is None and old is not None:
        return Change("removed", "annex", roman(old[0]), None, "Bijlage 1",
                      (Op("delete", old[1].label),), old[1].label, "",
                      item_list=name, item_id=old[1].id, services_removed=old[1].services)
    assert old is not None and new is not None
    oi, ni = old[1], new[1]
    added = tuple(s for s in ni.services if s not in oi.services)
    removed = tuple(s for s in oi.services if s not in ni.services)
    if oi.label == ni.label and not added and not removed:
        return None
    return Change("changed", "annex", roman(old[0]), roman(new[0]), "Bijlage 1",
                  word_ops(oi.label, ni.label) if oi.label != ni.label else (),
                  oi.label, ni.label,
                  note="relabelled" if oi.label != ni.label else "services",
                  item_list=name, item_id=oi.id, services_added=added, services_removed=removed)


def catalogue_changes(ca: Catalogue, cb: Catalogue, pos: dict[str, int]
                       ) -> list[Keyed]:
    """Return the catalogue's changes, compared by stable id.

    `pos` gives, per list name, the position of its block in the merged document, so that the
    changes sort where the list is; service changes sort after everything.
    """
    end = max(pos.values(), default=0)
    out = _service_changes(ca, cb, end)
    for name, new_items in cb.lists().items():
        old_items = ca.lists()[name]
        at = pos.get(name, end)
        o_by = {it.id: (k, it) for k, it in enumerate(old_items, 1)}
        n_by = {it.id: (k, it) for k, it in enumerate(new_items, 1)}
        order = [*n_by, *(i for i in o_by if i not in n_by)]
        for k, item_id in enumerate(order):
            change = _item_change(name, o_by.get(item_id), n_by.get(item_id))
            if change is not None:
                out.append(((at, 2, k), change))
    return out
