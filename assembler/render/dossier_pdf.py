"""A customer dossier's ``index.pdf`` (PDF/A-2b and PDF/UA-1, Typst template ``dossier_index.typ``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from assembler.render.typst_pdf import template


def render_dossier_index(data: dict[str, Any], timestamp: dt.datetime) -> bytes:
    """Return the PDF of the dossier index from its Dutch data (`customers.dossier_index`).

    The data reach Typst only as JSON, and the timestamp is the day the dossier is made, so the
    same registry on the same day gives the same bytes.
    """
    return template("dossier_index.typ").render(data, timestamp)
