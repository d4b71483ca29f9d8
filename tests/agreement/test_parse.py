"""The Markdown parser: fixture cases (title, input, expected dump) and whole-folder parsing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assembler.agreement.parse import parse_agreement, parse_file
from assembler.errors import ClauseParseError
from assembler.model import Annex, Article, Paragraph
from assembler.render.plain_text import agreement_text
from tests.conftest import ROOT, SOURCE_TXT

FIXTURES = Path(__file__).parent / "clauses.txt"
FOLDER = "contracts/verwerkersovereenkomst"


def read_cases(path: Path) -> list[tuple[str, str, str]]:
    """Return (title, input, expected) triples from a fixture file in markdown-it-py's format."""
    cases = []
    for block in re.split(r"\n\.\n\n", path.read_text(encoding="utf-8").strip() + "\n"):
        title, markdown, expected = re.split(r"\n\.\n", block.strip().removesuffix("\n."), maxsplit=2)
        cases.append((title.strip(), markdown + "\n", expected.strip()))
    return cases


def _para(p: Paragraph) -> str:
    return "".join(f"[{s.style}:{s.text}]" if s.style else s.text for s in p.spans)


def dump(part: Article | Annex | tuple[str, tuple[Paragraph, ...]]) -> str:
    """Return a readable dump of a parsed file, as the fixtures write it."""
    if isinstance(part, Article):
        lines = [f'article {part.number} "{part.title}" line {part.source.line}']
        for c in part.clauses:
            lines.append(f'  clause {c.number} "{c.label}" line {c.source.line}')
            lines += [f"    line {p.source.line}: {_para(p)}" for p in c.paragraphs]
        return "\n".join(lines)
    if isinstance(part, Annex):
        lines = [f'annex {part.number} "{part.title}" line {part.source.line}']
        for b in part.blocks:
            body = b.list_name if b.kind == "catalogue" else _para(b.paragraph)  # type: ignore[arg-type]
            lines.append(f"  {b.kind} line {b.source.line}: {body}")
        return "\n".join(lines)
    title, paragraphs = part
    return "\n".join([f'preamble "{title}"'] + [f"  line {p.source.line}: {_para(p)}" for p in paragraphs])


CASES = read_cases(FIXTURES)


@pytest.mark.parametrize(("title", "markdown", "expected"), CASES, ids=[c[0] for c in CASES])
def test_fixture_case(title: str, markdown: str, expected: str) -> None:
    path = f"{FOLDER}/case.md"
    if expected.startswith("error "):
        with pytest.raises(ClauseParseError) as err:
            parse_file(path, markdown.encode())
        assert f"error line {err.value.line}: {err.value.detail}" == expected
        assert err.value.path == path
    else:
        assert dump(parse_file(path, markdown.encode())) == expected


def test_fixture_file_has_every_case() -> None:
    assert len(CASES) >= 14  # guards against a split that silently drops cases


def repo_files() -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in (ROOT / FOLDER).iterdir() if p.is_file()}


def tokens(text: str) -> list[str]:
    # "Markdown markup aside": the source writes *Bijlage 1* with asterisks.
    return re.findall(r"\S+", text.replace("*", ""))


def test_v1_text_equals_the_source_token_for_token() -> None:
    agreement = parse_agreement(repo_files(), FOLDER)
    assert tokens(agreement_text(agreement, "Versie 1.0")) == tokens(SOURCE_TXT.read_text(encoding="utf-8"))


def test_v1_structure() -> None:
    a = parse_agreement(repo_files(), FOLDER)
    assert [x.number for x in a.articles] == ["1", "2", "3", "4", "5", "7", "8", "9", "10", "11"]
    assert len(a.clauses()) == 37  # 3+5+3+5+3+4+2+5+1+6, counted in the source
    assert a.clause("5.1") is not None and len(a.clause("5.1").paragraphs) == 1  # type: ignore[union-attr]
    assert len(a.clause("7.3").paragraphs) == 2  # type: ignore[union-attr]
    assert "sub-bewerkers" in a.clause("4.1").text  # type: ignore[union-attr]  # signed text, not corrected
    assert a.clause("7.1").source.path == f"{FOLDER}/07-datalekken.md"  # type: ignore[union-attr]
    assert [i.id for i in a.catalogue.data_categories] == [
        "naw", "telefoonnummer", "email", "financieel", "bedrijfsnaam", "wachtwoord", "belhistorie"]
    assert a.meta.processor.kvk == "58801944"


def test_rewrapping_a_clause_keeps_the_hash_but_a_word_changes_it() -> None:
    files = repo_files()
    base = parse_agreement(files, FOLDER).sha256
    name = "09-audit.md"
    rewrapped = files[name].replace(b"audits uit te laten", b"audits\nuit te laten")
    assert parse_agreement({**files, name: rewrapped}, FOLDER).sha256 == base
    reworded = files[name].replace(b"audits uit te laten", b"audits te laten")
    assert parse_agreement({**files, name: reworded}, FOLDER).sha256 != base


def test_a_catalogue_service_mapping_change_changes_the_hash() -> None:
    files = repo_files()
    base = parse_agreement(files, FOLDER).sha256
    cat = files["bijlage-1.toml"].replace(b'"fax2mail", ', b"", 1)
    assert parse_agreement({**files, "bijlage-1.toml": cat}, FOLDER).sha256 != base


def test_nfd_text_is_read_as_nfc() -> None:
    files = repo_files()
    nfd = files["04-derden.md"].decode().replace("é", "e\u0301").encode()
    assert parse_agreement({**files, "04-derden.md": nfd}, FOLDER).sha256 == parse_agreement(files, FOLDER).sha256


def test_invalid_utf8_names_file_and_line() -> None:
    files = {**repo_files(), "09-audit.md": b"# Artikel 9. Audit\n\n9.1. caf\xe9\n"}
    with pytest.raises(ClauseParseError) as err:
        parse_agreement(files, FOLDER)
    assert (err.value.path, err.value.line) == (f"{FOLDER}/09-audit.md", 3)
    assert "UTF-8" in err.value.detail


def test_missing_metadata_file() -> None:
    files = {k: v for k, v in repo_files().items() if k != "contract.toml"}
    with pytest.raises(ClauseParseError, match="contract.toml: file is missing"):
        parse_agreement(files, FOLDER)


def test_second_preamble_like_file_is_an_error() -> None:
    files = {**repo_files(), "12-extra.md": b"# Slotbepaling\n\nTekst.\n"}
    with pytest.raises(ClauseParseError, match="neither 'Artikel N. Titel'"):
        parse_agreement(files, FOLDER)
