"""Each lint rule, on the real v1.0 text with one edit, with the line it must name."""

from __future__ import annotations

import unicodedata

import pytest

from assembler.agreement.lint import check_agreement
from assembler.agreement.parse import parse_agreement
from assembler.model import Finding
from tests.conftest import ROOT

FOLDER = "contracts/verwerkersovereenkomst"


def files() -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in (ROOT / FOLDER).iterdir() if p.is_file()}


def findings(edits: dict[str, bytes | None] | None = None) -> list[str]:
    """Return the findings (as printed) after applying `edits` (name → new content, None = delete)."""
    fs = files()
    for name, data in (edits or {}).items():
        if data is None:
            fs.pop(name)
        else:
            fs[name] = data
    return [str(f) for f in check_agreement(parse_agreement(fs, FOLDER))]


def replaced(name: str, old: str, new: str) -> dict[str, bytes | None]:
    data = files()[name].decode()
    assert old in data, f"{old!r} not in {name}"
    return {name: data.replace(old, new, 1).encode()}


ART6 = f"{FOLDER}/07-datalekken.md:1: warning: article 6 missing: article 5 is followed by article 7"


def test_v1_has_only_the_article_6_warning() -> None:
    assert findings() == [ART6]


def test_duplicate_article() -> None:
    out = findings({"12-dubbel.md": b"# Artikel 11. Nogmaals\n\n11.1. Tekst.\n"})
    assert f"{FOLDER}/12-dubbel.md:1: error: article 11 appears twice (first at {FOLDER}/11-overige-bepalingen.md:1)" in out


def test_article_out_of_order() -> None:
    out = findings(replaced("10-aansprakelijkheid.md", "# Artikel 10.", "# Artikel 12."))
    assert f"{FOLDER}/11-overige-bepalingen.md:1: error: article 11 is out of order: it comes after article 12" in out


def test_article_without_clauses() -> None:
    out = findings({"12-leeg.md": b"# Artikel 12. Leeg\n"})
    assert f"{FOLDER}/12-leeg.md:1: error: article 12 has no clauses" in out


def test_clause_in_wrong_article() -> None:
    out = findings(replaced("05-beveiliging.md", "5.3. ", "6.3. "))
    assert f"{FOLDER}/05-beveiliging.md:8: error: clause 6.3 is in article 5; its number must start with 5." in out


def test_clause_without_final_period() -> None:
    out = findings(replaced("09-audit.md", "9.2. ", "9.2 "))
    assert f"{FOLDER}/09-audit.md:5: error: clause number '9.2' must end with a period: '9.2.'" in out


def test_clause_twice_and_missing() -> None:
    out = findings(replaced("09-audit.md", "9.3. ", "9.2. "))
    assert f"{FOLDER}/09-audit.md:7: error: clause 9.2 appears twice (first at {FOLDER}/09-audit.md:5)" in out
    assert f"{FOLDER}/09-audit.md:9: error: clause 9.3 missing before 9.4" in out


def test_clause_out_of_order() -> None:
    data = files()["08-geheimhouding.md"].decode()
    swapped = data.replace("8.1. ", "8.X. ").replace("8.2. ", "8.1. ").replace("8.X. ", "8.2. ")
    out = findings({"08-geheimhouding.md": swapped.encode()})
    assert any(line.startswith(f"{FOLDER}/08-geheimhouding.md:") and "clause 8.1 is out of order" in line
               for line in out), out


def test_dangling_clause_reference() -> None:
    out = findings(replaced("04-derden.md", "bedoeld in artikel 4.1.", "bedoeld in artikel 4.9."))
    assert f"{FOLDER}/04-derden.md:13: error: 'artikel 4.9' refers to clause 4.9, which does not exist" in out


def test_dangling_art_abbreviation_and_article_reference() -> None:
    out = findings(replaced("02-verplichtingen-verwerker.md", "in artikel 1 genoemde", "in art. 12.2 en artikel 6 genoemde"))
    assert f"{FOLDER}/02-verplichtingen-verwerker.md:3: error: 'art. 12.2' refers to clause 12.2, which does not exist" in out
    assert f"{FOLDER}/02-verplichtingen-verwerker.md:3: error: 'artikel 6' refers to article 6, which does not exist" in out


def test_dangling_annex_reference() -> None:
    out = findings(replaced("01-doeleinden.md", "*Bijlage 1*", "*Bijlage 2*"))
    assert f"{FOLDER}/01-doeleinden.md:6: error: 'Bijlage 2' refers to an annex that does not exist" in out


def test_references_into_other_documents_are_not_checked() -> None:
    edit = replaced("09-audit.md", "9.2. Deze audit mag",
                    "9.2. Zie artikel 14 van de Hoofdovereenkomst en art. 28 AVG. Deze audit mag")
    assert findings(edit) == [ART6]


def test_reference_to_this_agreement_by_name_is_checked() -> None:
    out = findings(replaced("bijlage-1.md", "artikel 1.1 van de Verwerkersovereenkomst",
                            "artikel 1.7 van de Verwerkersovereenkomst"))
    assert f"{FOLDER}/bijlage-1.md:5: error: 'artikel 1.7' refers to clause 1.7, which does not exist" in out


def test_listed_term_never_defined() -> None:
    out = findings(replaced("00-preambule.md", " (hierna: de Hoofdovereenkomst)", ""))
    assert (f"{FOLDER}/contract.toml:31: error: defined term 'Hoofdovereenkomst' is never defined in the text "
            "(expected '(hierna: Hoofdovereenkomst)')") in out


def test_term_defined_but_not_listed_and_defined_twice() -> None:
    out = findings(replaced("09-audit.md", "een onafhankelijke derde", "een onafhankelijke derde (hierna: Auditor) (hierna: Verwerker)"))
    assert f"{FOLDER}/09-audit.md:3: warning: term 'Auditor' is defined here but not listed in contract.toml" in out
    assert f"{FOLDER}/09-audit.md:3: error: term 'Verwerker' is defined twice (first at {FOLDER}/00-preambule.md:3)" in out


def test_catalogue_unknown_service_and_duplicate_id() -> None:
    data = files()["bijlage-1.toml"].decode()
    data = data.replace('id = "wachtwoord"', 'id = "naw"').replace('"sip-trunk", "mobiel"', '"sip-trunk", "isdn"', 1)
    out = findings({"bijlage-1.toml": data.encode()})
    assert any(line.startswith(f"{FOLDER}/bijlage-1.toml:27: error: data_categories 'naw' names unknown service 'isdn'")
               for line in out), out
    assert f"{FOLDER}/bijlage-1.toml:52: error: data_categories id 'naw' appears twice" in out


def test_finding_str_format() -> None:
    assert str(Finding("error", "a.md", 3, "x", "r")) == "a.md:3: error: x"
    assert str(Finding("warning", "a.toml", 0, "y", "r")) == "a.toml: warning: y"


def test_a_huge_clause_number_is_one_finding_in_constant_memory() -> None:
    import resource

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    out = findings(replaced("09-audit.md", "9.3. ", "9.99999999999999999999. "))
    assert f"{FOLDER}/09-audit.md:7: error: clause 9.3 to 9.99999999999999999998 missing before " \
           "9.99999999999999999999" in out
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 50_000  # KiB: no big string


@pytest.mark.parametrize("char", ["\x01", "\x0b", "\x7f", "\ufffe"])
def test_control_characters_in_a_clause_are_an_error(char: str) -> None:
    out = findings(replaced("09-audit.md", "9.2. ", f"9.2. Een{char}teken "))
    assert any(f"{FOLDER}/09-audit.md:5: error: contains the character U+{ord(char):04X}" in f for f in out), out


@pytest.mark.parametrize("char", ["中", "ก", "ᚠ"])
def test_a_character_no_shipped_font_can_show_is_an_error_with_its_line(char: str) -> None:
    out = findings(replaced("09-audit.md", "9.2. ", f"9.2. Een {char} teken "))
    expected = (f"{FOLDER}/09-audit.md:5: error: contains {char!r} (U+{ord(char):04X} "
                f"{unicodedata.name(char)}), which no font of the PDFs can show")
    assert any(f.startswith(expected) for f in out), out


def test_letters_symbols_and_emoji_the_fonts_have_pass() -> None:
    out = findings(replaced("09-audit.md", "9.2. ", "9.2. Ærø, Müller, Ωmega, Жук, € 5, ✓, 😀, e\u0301 "))
    assert not [f for f in out if "no font" in f], out
