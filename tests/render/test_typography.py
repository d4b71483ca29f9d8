"""No-break spaces: what a line of a typeset document must never split ("1 / december 2026")."""

from __future__ import annotations

import dataclasses
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from assembler.agreement.project import Project
from assembler.customers.document import build_contract
from assembler.render import typography, typst_pdf
from assembler.render.plain_text import agreement_text
from assembler.render.typography import (
    METADATA_KEYS,
    NBSP,
    keep_together,
    keep_together_html,
    keep_together_in,
)
from tests.conftest import ROOT
from tests.customers.helpers import customer_c1042

_ = NBSP


@pytest.mark.parametrize(("text", "typeset"), [
    ("op 1 december 2026 om 10.00 uur", f"op 1{_}december{_}2026 om 10.00{_}uur"),
    ("vanaf 28 november", f"vanaf 28{_}november"),
    ("per mei 2027", f"per mei{_}2027"),
    ("binnen achtenveertig (48) uur", f"binnen achtenveertig{_}(48){_}uur"),
    ("binnen 48 uur, 1 maand of 30 dagen", f"binnen 48{_}uur, 1{_}maand of 30{_}dagen"),
    ("een opzegtermijn van 1 (één) dag", f"een opzegtermijn van 1{_}(één){_}dag"),
    ("ten minste één maand, twee weken", f"ten minste één{_}maand, twee{_}weken"),
    ("twaalf (12) maanden", f"twaalf{_}(12){_}maanden"),
    ("art. 11.2 en artikel 7, lid 3", f"art.{_}11.2 en artikel{_}7, lid{_}3"),
    ("in Bijlage 1 van versie 1.1", f"in Bijlage{_}1 van versie{_}1.1"),
    ("Versie 1.1: KvK 58801944", f"Versie{_}1.1: KvK{_}58801944"),
    ("een boete van € 10", f"een boete van €{_}10"),
    ("(I) de aard en (VIII) Wachtwoord", f"(I){_}de aard en (VIII){_}Wachtwoord"),
])
def test_each_unit_is_bound_by_a_no_break_space(text: str, typeset: str) -> None:
    assert keep_together(text) == typeset


@pytest.mark.parametrize("text", [
    "de volgende (bijzondere) persoonsgegevens",
    "VoIP Express (Focused2Create)",
    "dagelijks opzeggen, 5.400 klanten, jaarlijks",
    "zie (bijlage) en (X)",
    "2026-12-01 en C-1042",
])
def test_what_is_no_unit_keeps_its_spaces(text: str) -> None:
    assert keep_together(text) == text


def test_only_spaces_change_in_the_whole_agreement() -> None:
    text = agreement_text(Project(ROOT).resolve("1.0").agreement)
    typeset = keep_together(text)
    assert typeset.replace(NBSP, " ") == text
    assert typeset.count(NBSP) >= 10  # numbers with units, references, numerals


_WORDS = ["1", "12", "(48)", "48", "(één)", "één", "achtenveertig", "twee", "december", "2026",
          "uur", "dagen", "maand", "(IV)", "(V)", "artikel", "Art.", "lid", "Bijlage", "versie",
          "KvK", "€", "EUR", "10.00", "zelf", "Wachtwoord", "en", "(", ")", "3", "procent"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_WORDS), max_size=12), st.lists(st.sampled_from([" ", "", NBSP]),
                                                                  min_size=12, max_size=12))
def test_the_guards_skip_only_texts_their_pattern_cannot_change(words: list[str],
                                                                 gaps: list[str]) -> None:
    # Each pattern runs only when its guard finds what every match needs: on any text the result
    # is what running every pattern would give.
    text = "".join(w + g for w, g in zip(words, gaps, strict=False))
    unguarded = text
    for _guard, pattern in typography._BINDINGS:  # noqa: SLF001
        unguarded = pattern.sub(rf"\1{NBSP}", unguarded)
    assert keep_together.__wrapped__(text) == unguarded


def test_metadata_and_html_markup_stay_as_they_are() -> None:
    data = {"keywords": ["versie 1.1"], "description": "versie 1.1", "body": ["versie 1.1"]}
    assert keep_together_in(data, METADATA_KEYS) == {
        "keywords": ["versie 1.1"], "description": "versie 1.1", "body": [f"versie{NBSP}1.1"]}
    page = '<p title="versie 1">versie 1, <a href="https://example.nl/?a=1 december">1 december</a></p>'
    assert keep_together_html(page) == (
        '<p title="versie 1">versie&nbsp;1, <a href="https://example.nl/?a=1 december">1&nbsp;december</a></p>')


def _lines(pdf: bytes) -> list[str]:
    return [line.strip() for page in PdfReader(io.BytesIO(pdf)).pages
            for line in page.extract_text().splitlines() if line.strip()]


def split_units(pdf: bytes) -> list[str]:
    """Return each line break of `pdf` that falls inside a unit `keep_together` binds."""
    lines = [line.replace(NBSP, " ") for line in _lines(pdf)]
    return [f"{a[-20:]} / {b[:20]}" for a, b in zip(lines, lines[1:], strict=False)
            if keep_together(f"{a} {b}")[len(a)] == NBSP]


def _contract(name: str, services: tuple[str, ...]) -> bytes:
    customer = dataclasses.replace(customer_c1042(), company_name=name, services=services)
    pdf = build_contract(Project(ROOT), customer, formats=("pdf",)).pdf
    assert pdf is not None
    return pdf


def _every_service() -> tuple[str, ...]:
    catalogue = Project(ROOT).resolve("1.0").agreement.catalogue
    services = tuple(s.id for s in catalogue.services)
    assert set(services) >= {"sip-trunk", "callcenter"}  # long Bijlage 1 lists, many numerals
    return services


def test_no_line_of_the_contract_splits_a_unit() -> None:
    for name in ("Bakkerij De Gouden Korrel B.V.", "Stichting Wijkvereniging Buitenveldert Zuid"):
        assert split_units(_contract(name, _every_service())) == []


def test_without_the_no_break_spaces_a_line_would_split_a_unit(monkeypatch: pytest.MonkeyPatch) -> None:
    # The check above can fail: with plain spaces Typst breaks "(VI) / Wachtwoord" in this layout.
    monkeypatch.setattr(typst_pdf, "keep_together_in", lambda data, plain=(): data)
    assert split_units(_contract("Bakkerij De Gouden Korrel B.V.", _every_service())) != []


def test_the_pdf_holds_no_break_spaces_and_a_title_with_ordinary_spaces() -> None:
    pdf = _contract("Bakkerij De Gouden Korrel B.V.", _every_service())
    text = " ".join(_lines(pdf))
    assert f"1{NBSP}(één){NBSP}dag" in text and f"Bijlage{NBSP}1" in text
    assert f"(VI){NBSP}Wachtwoord" in text
    reader = PdfReader(io.BytesIO(pdf))
    assert reader.metadata is not None and NBSP not in str(reader.metadata.get("/Title"))
