"""The glyph table: what the PDFs' fonts show, measured with Typst, and kept current."""

from __future__ import annotations

import datetime as dt
import runpy

import pytest

from assembler.errors import RenderError
from assembler.render import typst_pdf
from assembler.render.font_coverage import showable, unshowable
from tests.conftest import ROOT


def test_the_committed_glyph_table_is_what_the_tool_measures() -> None:
    tool = runpy.run_path(str(ROOT / "tools" / "make_glyph_table.py"))
    committed = (ROOT / "assembler" / "render" / "glyph_table.py").read_text(encoding="utf-8")
    assert tool["table_source"]() == committed, "rerun python tools/make_glyph_table.py"


@pytest.mark.parametrize("ch", ["a", "é", "ß", "Ω", "Ж", "€", "✓", "😀", "\u00a0"])
def test_what_the_fonts_have_is_showable(ch: str) -> None:
    assert showable(ch)


def test_what_they_lack_is_found_with_its_offset() -> None:
    assert unshowable("Bakkerij 中 é e\u0301 ก") == [(9, "中"), (16, "ก")]


@pytest.mark.parametrize("text", ["中", "ᚠ"])
def test_what_the_table_refuses_typst_cannot_put_in_a_pdf_a(text: str) -> None:
    """The table and the build agree: a character it calls unshowable stops a PDF/A build."""
    assert unshowable(text)
    sample = ROOT / "tests" / "signing"
    saved = typst_pdf.TEMPLATES
    typst_pdf.TEMPLATES = sample
    try:
        template = typst_pdf.Template("sample.typ")
    finally:
        typst_pdf.TEMPLATES = saved
    data = {"title": "t", "keywords": ["k"], "paragraphs": [f"Naam: {text}"]}
    with pytest.raises(RenderError, match="could not be displayed"):
        template.render(data, typst_pdf.timestamp_of(dt.date(2026, 12, 1)))
