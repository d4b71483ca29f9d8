"""The "Lijst van sub-verwerkers" PDF: one customer's sub-processors in Dutch, with provenance."""

from __future__ import annotations

import datetime as dt
import io
import re

from pypdf import PdfReader

from assembler.agreement.project import Project
from assembler.render.pdf_read import page_texts
from assembler.subprocessors.document import list_pdf
from assembler.subprocessors.register import read_register
from tests.conftest import ROOT
from tests.notices.conftest import customer

CONTRACT = "verwerkersovereenkomst"
DAY = dt.date(2026, 12, 1)


def text_of(pdf: bytes) -> str:
    return re.sub(r"\s+", " ", " ".join(page_texts(pdf)))


def make(services: tuple[str, ...]) -> bytes:
    project = Project(ROOT)
    agreement = project.resolve(None, CONTRACT).agreement
    register = read_register(project, CONTRACT)
    return list_pdf(register, agreement.catalogue, agreement.meta, customer(7, services=services), DAY)


def test_the_list_shows_only_the_customers_sub_processors_in_dutch() -> None:
    recording = text_of(make(("gespreksopname",)))
    assert "Lijst van sub-verwerkers" in recording and "1 december 2026" in recording
    assert "Voorbeeld Hosting B.V." in recording and "Nederland en Duitsland" in recording
    assert "Voorbeeld Mobiel Netwerk" not in recording  # mobile telephony only
    assert "Aangekondigde sub-verwerkers" in recording
    assert "Voorbeeld Spraakanalyse Ltd." in recording and "11 januari 2027" in recording
    assert "EU-VS-kader voor gegevensbescherming" in recording
    trunk = text_of(make(("sip-trunk",)))
    assert "Voorbeeld Facturatie B.V." in trunk
    assert "Voorbeeld Hosting" not in trunk and "Spraakanalyse" not in trunk


def test_the_list_carries_the_registers_hash_and_is_deterministic() -> None:
    pdf = make(("gespreksopname",))
    project = Project(ROOT)
    sha = read_register(project, CONTRACT).sha256
    keywords = PdfReader(io.BytesIO(pdf)).metadata["/Keywords"]
    assert f"assembler:register-sha256={sha}" in keywords
    assert "assembler:customer=C-0007" in keywords
    assert make(("gespreksopname",)) == pdf
    xmp = PdfReader(io.BytesIO(pdf)).trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert "pdfaid:part" in xmp
