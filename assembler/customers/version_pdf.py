"""The generic PDF of a published version: the agreement without a customer (Typst, PDF/A-2b).

The data is the customer-independent part of a customer's contract (`customers.document.agreement_data`),
so the published PDF and the contracts set the same text from the same structure; the
template is a sibling of contract.typ without parties, signatures or a customer's Bijlage 1.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from assembler.agreement.annex import customer_catalogue
from assembler.customers.document import agreement_data
from assembler.model import ContractMeta, PublishedVersion, Resolved
from assembler.render.plain_text import annex_block_text
from assembler.render.typst_pdf import file_data_template, timestamp_of

TEMPLATE = "version.typ"
GENERIC_NOTE = ("Algemene tekst, zonder klantgegevens: de Bijlage 1 van een klant noemt alleen de "
                "categorieën van de diensten die die klant afneemt.")


def owner_name(meta: ContractMeta) -> str:
    """Return the processor as the published documents name it: ``VoIP Express (Focused2Create)``."""
    owner = meta.processor.name
    if meta.legal_name and meta.legal_name not in owner:
        owner = f"{owner} ({meta.legal_name})"
    return owner


def version_pdf_data(v: PublishedVersion, owner: str,
                     services: Sequence[str] | None = None) -> dict[str, Any]:
    """Return the JSON the template reads (shared.json merged with scope.json): a customer
    contract's shared part and Bijlage 1.

    Bijlage 1 lists the whole catalogue, or with `services` only the categories of those
    services: the text a customer with those services has, without the parties' names.
    """
    a, version = v.agreement, v.version
    catalogue = a.catalogue if services is None else customer_catalogue(a.catalogue, tuple(services))
    if services is None:
        note, annex_note = GENERIC_NOTE, ""
    else:
        # The note on the first page is the same for every set of services, so that Typst re-lays
        # out only Bijlage 1 from one set to the next (a note that changes length there would move
        # every paragraph after it: ~44 ms a text instead of ~6).
        note = ("Tekst van deze versie met Bijlage 1 voor de diensten die Verwerkingsverantwoordelijke "
                "afneemt. De namen van partijen staan in de getekende overeenkomst.")
        labels = [s.label for s in a.catalogue.services if s.id in services]
        annex_note = "Voor de afgenomen diensten: " + ", ".join(labels) + "."
    data = {k: value for k, value in agreement_data(Resolved(version.number, None, version, a)).items()
            if not k.startswith("pdf_")}  # those carry a customer-id placeholder
    data.update({
        "owner": owner,
        "note": note,
        "annex_note": annex_note,
        "keywords": [a.title, f"versie {version.number}", f"sha256={a.sha256}"],
        "description": f"{a.title} versie {version.number}; tekst SHA-256 {a.sha256}",
        "annexes": [
            {"number": ax.number, "title": ax.title,
             "blocks": [{"kind": b.kind, "text": annex_block_text(b, catalogue)}
                        for b in ax.blocks]}
            for ax in a.annexes
        ],
    })
    return data


SCOPE_KEYS = ("annex_note", "annexes")
"""What differs between the texts of one version for different sets of services (scope.json)."""


def render_version_pdf(v: PublishedVersion, owner: str, services: Sequence[str] | None = None) -> bytes:
    """Return the PDF/A of version `v`, dated by its release (else effective) date, not the clock."""
    day = v.version.released or v.version.effective
    data = version_pdf_data(v, owner, services)
    files = {"shared.json": {k: value for k, value in data.items() if k not in SCOPE_KEYS},
             "scope.json": {k: data[k] for k in SCOPE_KEYS}}
    return file_data_template(TEMPLATE).render(files, timestamp_of(day))
