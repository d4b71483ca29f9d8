"""The breach notice letter as PDF/A-2b (Typst template ``breach_letter.typ``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from assembler.render.typst_pdf import file_data_template, timestamp_of


def render_breach_letter(shared: dict[str, Any], own: dict[str, Any], day: dt.date) -> bytes:
    """Return the letter PDF from its JSON data: `shared` by all customers, `own` this one's.

    The data reach Typst only as JSON files, so a company name is always literal text; the PDF's
    timestamp is the notice's day, so the same data give the same bytes.
    """
    return file_data_template("breach_letter.typ").render(
        {"shared.json": shared, "customer.json": own}, timestamp_of(day))
