"""A customer's own Bijlage 1: the catalogue narrowed to the services the customer uses."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from assembler.model import Agreement, Annex, Catalogue, CatalogueItem, Customer
from assembler.render.plain_text import annex_block_text


def applies_to(item: CatalogueItem, services: Iterable[str]) -> bool:
    """Return whether catalogue `item` is in the Bijlage 1 of a customer using `services`.

    The one rule of a customer's Bijlage 1: an item is listed when it applies to at least one of
    the services the customer uses.
    """
    return not set(item.services).isdisjoint(services)


def customer_catalogue(catalogue: Catalogue, services: Iterable[str]) -> Catalogue:
    """Return `catalogue` keeping only the items that apply to one of `services`, in order."""
    wanted = set(services)

    def keep(items: tuple[CatalogueItem, ...]) -> tuple[CatalogueItem, ...]:
        return tuple(i for i in items if applies_to(i, wanted))

    return replace(catalogue,
                   services=tuple(s for s in catalogue.services if s.id in wanted),
                   data_categories=keep(catalogue.data_categories),
                   data_subjects=keep(catalogue.data_subjects))


def annex_paragraphs(annex: Annex, catalogue: Catalogue) -> list[dict[str, str]]:
    """Return an annex's blocks as ``{"kind", "text"}``, catalogue lists written out (I), (II), …."""
    out = []
    for block in annex.blocks:
        kind = "heading" if block.kind == "heading" else "paragraph"
        out.append({"kind": kind, "text": annex_block_text(block, catalogue)})
    return out


def service_labels(agreement: Agreement, customer: Customer) -> list[str]:
    """Return the Dutch labels of the customer's services, in catalogue order."""
    return [s.label for s in agreement.catalogue.services if s.id in customer.services]
