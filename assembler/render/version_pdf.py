"""The generic PDF of a published version: the agreement without a customer (Typst, PDF/A-2b)."""

from __future__ import annotations

from typing import Any

from ..dates import format_date_nl
from ..model import Paragraph, PublishedVersion
from ..text import annex_block_text
from .pdf import template, timestamp_of

TEMPLATE = "version.typ"


def _spans(paragraph: Paragraph) -> list[dict[str, str]]:
    return [{"text": s.text, "style": s.style} for s in paragraph.spans]


def version_pdf_data(v: PublishedVersion, owner: str) -> dict[str, Any]:
    """Return the JSON the template reads for version `v`."""
    a, version = v.agreement, v.version
    return {
        "title": a.title,
        "version": version.number,
        "effective": format_date_nl(version.effective),
        "sha256": a.sha256,
        "short_hash": a.sha256[:12],
        "owner": owner,
        "keywords": [a.title, f"versie {version.number}", f"sha256={a.sha256}"],
        "description": f"{a.title} versie {version.number}; tekst SHA-256 {a.sha256}",
        "preamble": [_spans(p) for p in a.preamble],
        "articles": [
            {"number": art.number, "title": art.title,
             "clauses": [{"label": c.label, "paragraphs": [_spans(p) for p in c.paragraphs]}
                         for c in art.clauses]}
            for art in a.articles
        ],
        "annexes": [
            {"number": ax.number, "title": ax.title,
             "blocks": [{"kind": b.kind, "text": annex_block_text(b, a.catalogue)} for b in ax.blocks]}
            for ax in a.annexes
        ],
    }


def render_version_pdf(v: PublishedVersion, owner: str) -> bytes:
    """Return the PDF/A of version `v`, dated by its release (else effective) date, not the clock."""
    day = v.version.released or v.version.effective
    return template(TEMPLATE).render(version_pdf_data(v, owner), timestamp_of(day))
