"""The generic PDF of a published version: the agreement without a customer (Typst, PDF/A-2b).

The data is the customer-independent part of a customer's contract (`assemble.agreement_data`,
issue 4), so the published PDF and the contracts set the same text from the same structure; the
template is a sibling of contract.typ without parties, signatures or a customer's Bijlage 1.
"""

from __future__ import annotations

from typing import Any

from .assemble import agreement_data
from .model import PublishedVersion, Resolved
from .render.pdf import template, timestamp_of
from .text import annex_block_text

TEMPLATE = "version.typ"


def version_pdf_data(v: PublishedVersion, owner: str) -> dict[str, Any]:
    """Return the JSON the template reads: a customer contract's shared part, Bijlage 1 in full."""
    a, version = v.agreement, v.version
    data = {k: value for k, value in agreement_data(Resolved(version.number, None, version, a)).items()
            if not k.startswith("pdf_")}  # those carry a customer-id placeholder
    data.update({
        "owner": owner,
        "keywords": [a.title, f"versie {version.number}", f"sha256={a.sha256}"],
        "description": f"{a.title} versie {version.number}; tekst SHA-256 {a.sha256}",
        "annexes": [
            {"number": ax.number, "title": ax.title,
             "blocks": [{"kind": b.kind, "text": annex_block_text(b, a.catalogue)} for b in ax.blocks]}
            for ax in a.annexes
        ],
    })
    return data


def render_version_pdf(v: PublishedVersion, owner: str) -> bytes:
    """Return the PDF/A of version `v`, dated by its release (else effective) date, not the clock."""
    day = v.version.released or v.version.effective
    return template(TEMPLATE).render(version_pdf_data(v, owner), timestamp_of(day))
