"""The "Lijst van sub-verwerkers" PDF (Typst), from data prepared in `subprocessors.document`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from assembler.render.typst_pdf import template, timestamp_of


def render_subprocessor_list(data: dict[str, Any], day: dt.date) -> bytes:
    """Return the list PDF (PDF/A-2b) filled with `data`, timestamped `day` (same input, same bytes)."""
    return template("subprocessor_list.typ").render(data, timestamp_of(day))
