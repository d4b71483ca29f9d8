"""Untrusted customer data is text: it appears literally in DOCX and PDF and never executes."""

from __future__ import annotations

import dataclasses
import io
import subprocess
from pathlib import Path

import docx
import pytest

from assembler.agreement.project import Project
from assembler.customers.document import BuiltContract, build_contract
from assembler.model import Customer
from tests.conftest import ROOT, require_tool
from tests.customers.helpers import customer_c1042, docx_paragraphs, pdf_body, pdf_pages, squash

MARKUP = ('& < > " \' {{ 7*7 }} {% if true %}ja{% endif %} {_{ x }_} # $ [ ] \\ * _ `code` '
          '#read("/etc/passwd") $x^2$ *vet* _schuin_ ]]> <w:p/> &amp;')
EMOJI = "Bakkerij 🥐 & Café ☕"
RTL = "שלום עולם مرحبا"
LONG = ("Lange naam " * 30)[:300]
assert len(LONG) == 300


@pytest.fixture(scope="module")
def hostile() -> Customer:
    return dataclasses.replace(
        customer_c1042(), customer_id="C-666", company_name=MARKUP, street=EMOJI, city=RTL,
        signatory_name=LONG, signatory_role="{{ customer.kvk }} {% raw %}", kvk="00000000",
        btw_id="", services=("fax2mail",))


@pytest.fixture(scope="module")
def built(hostile: Customer) -> BuiltContract:
    return build_contract(Project(ROOT), hostile)


def test_docx_shows_every_value_literally(built: BuiltContract) -> None:
    text = "\n".join(docx_paragraphs(built.docx))
    for value in (MARKUP, EMOJI, RTL, LONG, "{{ customer.kvk }} {% raw %}"):
        assert value in text, value
    assert "49" not in text.replace("58801944", "")  # {{ 7*7 }} was not evaluated
    assert "Piet" not in text and "root:" not in text  # no file was read
    assert docx.Document(io.BytesIO(built.docx)).paragraphs  # python-docx opens it


def test_docx_core_properties_carry_the_name_escaped(built: BuiltContract) -> None:
    props = docx.Document(io.BytesIO(built.docx)).core_properties
    assert props.title.endswith(MARKUP)


def test_pdf_shows_every_value_literally(built: BuiltContract) -> None:
    body = pdf_body(built.pdf)
    for value in (MARKUP, EMOJI, LONG, "{{ customer.kvk }} {% raw %}"):
        assert squash(value) in squash(body), value
    # pypdf gives right-to-left words in visual order; each word is there, letters in order.
    for word in RTL.split():
        assert word in body
    assert "root:" not in body
    assert "\u0078\u00b2" not in body  # $x^2$ was not typeset as maths


@pytest.mark.interop
def test_both_files_stay_valid(built: BuiltContract, tmp_path: Path) -> None:
    qpdf = require_tool("qpdf")
    pdf = tmp_path / "hostile.pdf"
    pdf.write_bytes(built.pdf)
    result = subprocess.run([qpdf, "--check", str(pdf)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No syntax or stream encoding errors" in result.stdout


@pytest.mark.interop
def test_libreoffice_converts_the_docx(built: BuiltContract, tmp_path: Path) -> None:
    soffice = require_tool("soffice")
    source = tmp_path / "hostile.docx"
    source.write_bytes(built.docx)
    profile = (tmp_path / "lo-profile").as_uri()
    result = subprocess.run(
        [soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
         "--outdir", str(tmp_path), str(source)], capture_output=True, text=True, timeout=180)
    converted = tmp_path / "hostile.pdf"
    assert result.returncode == 0 and converted.exists(), result.stdout + result.stderr
    text = pdf_body(converted.read_bytes())
    assert squash("Artikel 11. Overige bepalingen") in squash(text)
    assert squash(MARKUP) in squash(text)  # LibreOffice read the escaped name back as text
    pages = pdf_pages(converted.read_bytes())
    assert f"pagina 1 van {len(pages)}" in pages[0]  # Word fields PAGE and NUMPAGES, computed
    assert f"pagina {len(pages)} van {len(pages)}" in pages[-1]
