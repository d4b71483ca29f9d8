"""Typst: the only module that imports typst.

Data reaches a template only through ``sys.inputs.data``, one JSON string, which the template
reads with ``json(bytes(sys.inputs.data))``: a string in JSON is always literal text, so a customer
name like ``#read("/etc/passwd")`` prints as itself and never runs. Fonts are only those embedded in
the typst wheel and those shipped in ``templates/fonts/`` (``ignore_system_fonts``), so every
machine produces the same bytes; the creation timestamp is passed in, never read from the clock.
"""

from __future__ import annotations

import datetime as dt
import json
from functools import cache
from pathlib import Path
from typing import Any

import typst

from ..errors import RenderError

TEMPLATES = Path(__file__).resolve().parent / "templates"
FONT = "Libertinus Serif"
"""The body font; embedded in the typst wheel."""
FONTS = TEMPLATES / "fonts"
"""Fonts shipped in the repository, as fallbacks for what the embedded fonts lack (emoji)."""


def timestamp_of(day: dt.date) -> dt.datetime:
    """Return the fixed creation timestamp used for documents of a given day: midnight UTC."""
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


class Template:
    """A Typst template under render/templates/, compiled with a reused compiler (fonts load once)."""

    def __init__(self, name: str) -> None:
        path = TEMPLATES / name
        if not path.is_file():
            raise RenderError(f"no Typst template {name!r} in {TEMPLATES}")
        self.name = name
        fonts = [str(FONTS)] if FONTS.is_dir() else []
        self._compiler = typst.Compiler(str(path), root=str(TEMPLATES), font_paths=fonts,
                                        ignore_system_fonts=True)

    def render(self, data: dict[str, Any], timestamp: dt.datetime, pdf_a: bool = True) -> bytes:
        """Return the PDF of the template filled with `data` (PDF/A-2b unless `pdf_a` is false)."""
        try:
            pdf = self._compiler.compile(
                format="pdf",
                sys_inputs={"data": json.dumps(data, ensure_ascii=False)},
                pdf_standards=["a-2b"] if pdf_a else [],
                timestamp=timestamp,
            )
        except typst.TypstError as exc:
            raise RenderError(f"Typst template {self.name}: {exc.message}") from exc
        assert isinstance(pdf, bytes)
        return pdf

    def query(self, data: dict[str, Any], label: str) -> list[Any]:
        """Return the values of the ``metadata(...) <label>`` elements the template places.

        Templates use this to report, for instance, where a signature block landed.
        """
        try:
            self._compiler.compile(format="pdf", sys_inputs={"data": json.dumps(data, ensure_ascii=False)})
            out = self._compiler.query(f"<{label}>", field="value", format="json")
        except typst.TypstError as exc:
            raise RenderError(f"Typst template {self.name}: {exc.message}") from exc
        result: list[Any] = json.loads(out)
        return result


@cache
def template(name: str) -> Template:
    """Return the (cached) template `name`, e.g. ``"contract.typ"``."""
    return Template(name)
