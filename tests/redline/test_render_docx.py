"""The redline DOCX: native tracked changes that accept to the new text and reject to the old."""

from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path

import pytest
from docx import Document

from assembler.agreement.project import Project
from assembler.model import Agreement, Redline
from assembler.redline.compare import build_redline
from assembler.render.plain_text import body_paragraphs
from assembler.render.redline_docx import render_redline_docx
from tests.conftest import CONTRACT
from tests.redline.docxread import W, document_xml, paragraphs
from tests.redline.pair import git


def _texts(a: Agreement) -> list[str]:
    return body_paragraphs(a.title, a.preamble, a.articles, a.annexes, a.catalogue)


@pytest.fixture(scope="module")
def docx(redline: Redline) -> bytes:
    return render_redline_docx(redline)


def test_accept_all_gives_the_new_text_and_reject_all_the_old(redline: Redline, docx: bytes) -> None:
    assert paragraphs(docx, accept=True) == _texts(redline.new.agreement)
    assert paragraphs(docx, accept=False) == _texts(redline.old.agreement)


def test_revisions_carry_id_author_and_the_versions_date(docx: bytes) -> None:
    root = document_xml(docx)
    marks = list(root.iter(f"{W}ins", f"{W}del"))
    assert len(marks) > 40
    ids = [m.get(f"{W}id") for m in marks]
    assert len(set(ids)) == len(ids)
    assert {m.get(f"{W}author") for m in marks} == {"VoIP Express"}
    assert {m.get(f"{W}date") for m in marks} == {"2026-12-01T00:00:00Z"}  # 1.1's release date
    # Deleted words are w:delText inside w:del; never w:t.
    for d in root.iter(f"{W}del"):
        assert d.find(f"{W}r/{W}t") is None
    # Whole inserted / deleted paragraphs also mark their paragraph mark.
    marked = {m.getparent().getparent().getparent().tag for m in root.iter(f"{W}ins", f"{W}del")
              if m.getparent().tag == f"{W}rPr"}
    assert marked == {f"{W}p"}



def test_one_paragraph_mark_revision_per_whole_paragraph(redline: Redline, docx: bytes) -> None:
    root = document_xml(docx)
    marks = [m.tag.removeprefix(W) for m in root.iter(f"{W}ins", f"{W}del")
             if m.getparent().tag == f"{W}rPr"]
    expected = [{"inserted": "ins", "deleted": "del"}[b.status] for b in redline.blocks
                if b.status in ("inserted", "deleted")]
    assert marks == expected and len(marks) == 10


def test_python_docx_opens_it_and_the_header_says_what_it_is(docx: bytes) -> None:
    doc = Document(io.BytesIO(docx))
    assert doc.paragraphs[0].style.name == "Title"
    header = doc.sections[0].header.paragraphs[0].text
    assert header == "Wijzigingen versie 1.0 → versie 1.1, 1 december 2026"
    assert doc.core_properties.author == "VoIP Express"


def test_byte_identical_on_repeat_with_fixed_timestamps(redline: Redline, docx: bytes) -> None:
    assert render_redline_docx(redline) == docx
    with zipfile.ZipFile(io.BytesIO(docx)) as z:
        assert {i.date_time for i in z.infolist()} == {(2026, 12, 1, 0, 0, 0)}
        core = z.read("docProps/core.xml").decode()
    assert "2026-12-01T00:00:00Z" in core


def test_author_comes_from_the_configuration(pair_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSEMBLER_REDLINE_AUTHOR", "Juridische Zaken & Co <VoIP>")
    r = build_redline(Project(pair_dir), "1.0", "1.1")
    root = document_xml(render_redline_docx(r))
    assert {m.get(f"{W}author") for m in root.iter(f"{W}ins", f"{W}del")} == {
        "Juridische Zaken & Co <VoIP>"}


def test_dates_come_from_the_versions_or_commits_never_the_clock(pair_dir: Path,
                                                                  tmp_path: Path) -> None:
    p = Project(pair_dir)
    # 1.1 was released on 2026-12-01; 1.0's manifest has no release date: its effective date.
    assert build_redline(p, "1.0", "1.1").date.isoformat() == "2026-12-01"
    assert build_redline(p, "1.1", "HEAD~1").date.isoformat() == "2018-05-25"
    # An unreleased commit: its commit day; the work tree with edits: HEAD's commit day.
    copy = tmp_path / "copy"
    shutil.copytree(pair_dir, copy)
    clause = copy / "contracts" / CONTRACT / "09-audit.md"
    clause.write_text(clause.read_text(encoding="utf-8").replace("audits", "controles"),
                      encoding="utf-8")
    git(copy, "commit", "-qam", "concept", when="2027-03-03T23:30:00+02:00")
    assert build_redline(Project(copy), "1.1", "HEAD").date.isoformat() == "2027-03-03"
    clause.write_text(clause.read_text(encoding="utf-8") + "\n9.5. Nieuw.\n", encoding="utf-8")
    assert build_redline(Project(copy), "1.1", "worktree").date.isoformat() == "2027-03-03"


def test_house_style_a4_dutch_footer_tracked_clean_app_xml(redline: Redline) -> None:
    z = zipfile.ZipFile(io.BytesIO(render_redline_docx(redline)))
    settings = z.read("word/settings.xml").decode()
    assert "<w:trackRevisions/>" in settings  # the counterparty's edits are tracked
    assert "en-US" not in settings + z.read("word/styles.xml").decode()
    assert 'w:val="nl-NL"' in z.read("word/styles.xml").decode()
    app = z.read("docProps/app.xml").decode()
    assert "<Application>assembler</Application>" in app and "Macintosh" not in app
    assert "docProps/thumbnail.jpeg" not in z.namelist()
    assert '<w:pgSz w:w="11906" w:h="16838"/>' in z.read("word/document.xml").decode()  # A4
    footer = Document(io.BytesIO(render_redline_docx(redline))).sections[0].footer._element
    assert 'w:instr=" PAGE "' in footer.xml and 'w:instr=" NUMPAGES "' in footer.xml
    words = "".join(t.text or "" for t in footer.iter(W + "t"))
    assert "versie 1.0 → versie 1.1 · pagina 1 van 1" in words
