"""A redline as PDF (Typst, `templates/redline.typ`): a summary page, then the full new text with
insertions underlined, deletions struck and a change bar in the margin (Dutch: customers read it).

Deterministic: the timestamp is the redline's date, never the clock.
"""

from __future__ import annotations

from typing import Any

from assembler.model import Block, Redline
from assembler.render.redline_common import (
    date_nl,
    describe_nl,
    effective_nl,
    moved_note_nl,
    service_labels,
    side_label_nl,
    summary_nl,
)
from assembler.render.typst_pdf import template, timestamp_of


def _note(block: Block) -> str:
    note = moved_note_nl(block)
    return f"({note})" if note else ""


def redline_pdf_data(redline: Redline) -> dict[str, Any]:
    """Return the JSON the template reads."""
    old, new = side_label_nl(redline.old), side_label_nl(redline.new)
    title = redline.new.agreement.title
    meta = [["Oud", ", ".join(x for x in (old, effective_nl(redline.old)) if x)],
            ["Nieuw", ", ".join(x for x in (new, effective_nl(redline.new)) if x)],
            ["Datum", date_nl(redline)]]
    return {
        "doc_title": f"{title}: wijzigingen {old} → {new}",
        "author": redline.author,
        "heading": f"Wijzigingen in de {title}",
        "subheading": f"{old} → {new}",
        "header": f"{title}: wijzigingen {old} → {new}",
        "meta": meta,
        "summary": summary_nl(redline),
        "changes": [describe_nl(c, service_labels(redline)) for c in redline.changes],
        "blocks": [{"kind": b.kind, "status": b.status, "note": _note(b),
                    "ops": [[o.op, o.text] for o in b.ops]} for b in redline.blocks],
    }


def render_redline_pdf(redline: Redline) -> bytes:
    """Return the redline as PDF/A-2b bytes."""
    return template("redline.typ").render(redline_pdf_data(redline), timestamp_of(redline.date))
