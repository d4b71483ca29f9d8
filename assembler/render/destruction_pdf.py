"""The "Verklaring van vernietiging" (art. 11.1) as PDF/A-2b and PDF/UA-1 (Typst)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from assembler.errors import RenderError
from assembler.model import SignatureBox
from assembler.render.typst_pdf import template, timestamp_of

TEMPLATE = "destruction_statement.typ"


def render_destruction_statement(data: dict[str, Any], day: dt.date) -> tuple[bytes, SignatureBox]:
    """Return the statement's PDF and where its signature box landed.

    The data reach Typst only as JSON (a company name is always literal text) and the PDF's
    timestamp is midnight of `day`, so the same data on the same day give the same bytes.
    """
    t = template(TEMPLATE)
    markers = t.query(data, "sig-box")
    if len(markers) != 1:
        raise RenderError(f"{TEMPLATE}: expected one <sig-box> marker, found {len(markers)}")
    m = markers[0]
    top = m["ph"] - m["y"]  # Typst measures from the top of the page, PDF from the bottom
    box = SignatureBox(page=int(m["page"]) - 1, x1=m["x"], y1=top - m["h"], x2=m["x"] + m["w"],
                       y2=top)
    return t.render(data, timestamp_of(day)), box
