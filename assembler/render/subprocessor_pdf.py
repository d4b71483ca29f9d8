"""The "Lijst van sub-verwerkers" PDF (Typst), from data prepared in `subprocessors.document`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from assembler.render.typst_pdf import file_data_template, template, timestamp_of


def render_subprocessor_list(data: dict[str, Any], day: dt.date) -> bytes:
    """Return the list PDF (PDF/A-2b) filled with `data`, timestamped `day` (same input, same bytes)."""
    return template("subprocessor_list.typ").render(data, timestamp_of(day))


def render_subprocessor_letter(shared: dict[str, Any], own: dict[str, Any],
                               timestamp: dt.datetime) -> bytes:
    """Return the notice letter of a sub-processor change (PDF/A-2b).

    `shared` is the same for every letter of a run (Typst reuses its layout), `own` one customer's.
    """
    return file_data_template("subprocessor_letter.typ").render(
        {"shared.json": shared, "customer.json": own}, timestamp)
