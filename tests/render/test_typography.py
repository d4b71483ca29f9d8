"""Numerals stay with their item: no line of a contract ends with "(VI)"."""

from __future__ import annotations

import dataclasses
import io
import re

from pypdf import PdfReader

from assembler.agreement.project import Project
from assembler.customers.document import build_contract
from assembler.render.typography import NBSP, keep_numerals_with_items
from tests.conftest import ROOT
from tests.customers.helpers import customer_c1042


def test_numerals_are_bound_to_their_item() -> None:
    text = "(I) de aard, (II) de gevolgen en (VI) de maatregelen; zie (bijlage) en (X)."
    assert keep_numerals_with_items(text) == (
        f"(I){NBSP}de aard, (II){NBSP}de gevolgen en (VI){NBSP}de maatregelen; zie (bijlage) en (X).")


def _line_ends(pdf: bytes) -> list[str]:
    lines = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        lines += [line.rstrip() for line in page.extract_text().splitlines()]
    return [line for line in lines if re.search(r"\([IVXLCDM]+\)$", line)]


def test_no_line_of_the_contract_ends_with_a_numeral() -> None:
    project = Project(ROOT)
    catalogue = project.resolve("1.0").agreement.catalogue
    services = tuple(s.id for s in catalogue.services)
    assert set(services) >= {"sip-trunk", "callcenter"}  # long Bijlage 1 lists, many numerals
    for name in ("Bakkerij De Gouden Korrel B.V.", "Stichting Wijkvereniging Buitenveldert Zuid"):
        customer = dataclasses.replace(customer_c1042(), company_name=name, services=services)
        pdf = build_contract(project, customer, formats=("pdf",)).pdf
        assert pdf is not None
        assert _line_ends(pdf) == []

