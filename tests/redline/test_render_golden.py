"""Golden files for every redline format, on the fixture pair 1.0 → 1.1.

Regenerate on purpose only, and read the diff: ``ASSEMBLER_REGEN_GOLDEN=1 pytest tests/redline``.
The DOCX is compared as pretty-printed word/document.xml, the PDF as the text pypdf extracts.
"""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest
from lxml import etree
from pypdf import PdfReader

from assembler.model import Redline
from assembler.render.redline_docx import render_redline_docx
from assembler.render.redline_html import render_redline_html
from assembler.render.redline_json import render_redline_json
from assembler.render.redline_markdown import render_redline_markdown
from assembler.render.redline_pdf import render_redline_pdf
from assembler.render.redline_text import render_redline_text
from tests.redline.docxread import document_xml

GOLDEN = Path(__file__).parent / "golden"


def check_golden(name: str, actual: str) -> None:
    """Compare `actual` with golden/`name`; rewrite it when ASSEMBLER_REGEN_GOLDEN=1."""
    path = GOLDEN / name
    if os.environ.get("ASSEMBLER_REGEN_GOLDEN") == "1":
        path.parent.mkdir(exist_ok=True)
        path.write_text(actual, encoding="utf-8")
    if not path.exists():
        pytest.fail(f"{path} missing: run with ASSEMBLER_REGEN_GOLDEN=1 and review it")
    expected = path.read_text(encoding="utf-8")
    assert actual == expected, f"{name} differs from its golden file (regenerate on purpose only)"


def test_text(redline: Redline) -> None:
    check_golden("redline.txt", render_redline_text(redline, colour=False))


def test_markdown(redline: Redline) -> None:
    check_golden("redline.md", render_redline_markdown(redline))


def test_json(redline: Redline) -> None:
    data = render_redline_json(redline)
    # Commit ids depend on every file copied into the fixture repository; pin them separately.
    assert data["from"]["commit"] == redline.old.commit and data["to"]["commit"] == redline.new.commit
    data["from"]["commit"] = data["to"]["commit"] = "<commit>"
    check_golden("redline.json", json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def test_html(redline: Redline) -> None:
    check_golden("redline.html", render_redline_html(redline))


def test_docx_document_xml(redline: Redline) -> None:
    xml = etree.tostring(document_xml(render_redline_docx(redline)), pretty_print=True,
                         encoding="unicode")
    check_golden("redline.document.xml", xml)


def test_pdf_text(redline: Redline) -> None:
    reader = PdfReader(io.BytesIO(render_redline_pdf(redline)))
    text = "\n\f\n".join(page.extract_text() for page in reader.pages)
    check_golden("redline.pdf.txt", text + "\n")
