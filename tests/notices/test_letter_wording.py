"""The letter and the e-mail as a Dutch law firm sends them: each point read back from the output."""

from __future__ import annotations

import datetime as dt
import io
from email.parser import BytesParser
from email.policy import default
from pathlib import Path

import pypdf

from assembler.agreement.project import Project
from assembler.workflow.release import release_version
from tests.conftest import git
from tests.notices.conftest import CONTRACT, NOTE_7, build
from tests.notices.email_parts import as_shown

OUT = Path("build/notices/1.1")


def _pages(project_dir: Path, cid: str, version: str = "1.1") -> list[str]:
    pdf = (project_dir / "build" / "notices" / version / cid / f"brief-VWO-{version}-{cid}.pdf")
    reader = pypdf.PdfReader(io.BytesIO(pdf.read_bytes()))
    return [" ".join(page.extract_text().split()) for page in reader.pages]


def _bodies(project_dir: Path, cid: str, version: str = "1.1") -> tuple[str, str]:
    raw = (project_dir / "build" / "notices" / version / cid / f"VWO-{version}-{cid}.eml").read_bytes()
    msg = BytesParser(policy=default).parsebytes(raw)
    plain, html = msg.get_body(preferencelist=("plain",)), msg.get_body(preferencelist=("html",))
    assert plain is not None and html is not None
    return plain.get_content(), as_shown(html.get_content())


def test_place_and_date_on_one_line_then_references(notice_project: Path) -> None:
    build(notice_project)
    first = _pages(notice_project, "C-0002")[0]
    assert "Amsterdam, 28 november 2026 Ons kenmerk: VWO-1.1-C-0002 Uw klantnummer: C-0002" in first
    assert "Datum:" not in first


def test_headings_are_questions(notice_project: Path) -> None:
    build(notice_project)
    text = " ".join(_pages(notice_project, "C-0002"))
    for heading in ("Wat verandert er?", "Wat kunt u doen als u niet akkoord gaat?",
                    "Waar vindt u de volledige tekst?", "Heeft u vragen?"):
        assert heading in text, heading


def test_continuation_header_from_page_two(notice_project: Path) -> None:
    build(notice_project)
    pages = _pages(notice_project, "C-0002")
    assert len(pages) >= 2
    header = "VoIP Express (Focused2Create) · ons kenmerk VWO-1.1-C-0002 · 28 november 2026"
    assert header not in pages[0]
    for number, page in enumerate(pages[1:], 2):
        assert page.startswith(f"{header} pagina {number}"), page[:120]


def test_termination_says_which_agreement_how_and_from_when(notice_project: Path) -> None:
    build(notice_project)
    text = " ".join(_pages(notice_project, "C-0002"))
    assert ("kunt u dus op elke dag de Hoofdovereenkomst tussen Voorbeeld 2 B.V. en VoIP Express "
            "(Focused2Create) opzeggen, en daarmee deze Verwerkersovereenkomst") in text
    assert "volgt uit de opzegtermijn en de wijze van opzeggen in de Hoofdovereenkomst" in text
    assert "tot 1 februari 2027 versie 1.0, daarna versie 1.1" in text


def test_attachment_wording_fits_the_channel(notice_project: Path) -> None:
    build(notice_project)
    letter = " ".join(_pages(notice_project, "C-0002"))
    assert "gevoegd bij de e-mail waarmee wij u deze brief sturen" in letter
    assert "Bijlagen (bij de e-mail)" in letter
    assert "bijlage bij deze brief" not in letter
    plain, _ = _bodies(notice_project, "C-0002")
    assert "is als bijlage bij deze e-mail gevoegd" in plain
    for name in ("brief-VWO-1.1-C-0002.pdf", "wijzigingen-1.0-1.1.pdf",
                 "verwerkersovereenkomst-1.1-C-0002.pdf"):
        assert plain.count(name) == 1, name  # named once, in the list of attachments


def test_before_after_table_marks_the_changed_words(notice_project: Path) -> None:
    from assembler.notices.letter import marked_runs

    old, new = marked_runs("binnen achtenveertig (48) uur", "binnen vierentwintig (24) uur")
    assert old == [["equal", "binnen "], ["delete", "achtenveertig (48)"], ["equal", " uur"]]
    assert new == [["equal", "binnen "], ["insert", "vierentwintig (24)"], ["equal", " uur"]]
    build(notice_project)
    text = " ".join(_pages(notice_project, "C-0002"))
    assert "vervallen woorden zijn doorgehaald, nieuwe woorden onderstreept" in text


def test_email_signature_and_complete_html(notice_project: Path) -> None:
    build(notice_project)
    plain, html = _bodies(notice_project, "C-0001")
    for body in (plain, html):
        assert "VoIP Express (Focused2Create)" in body
        assert "Voorbeeldstraat 1, 1234 AB Amsterdam" in body and "KvK 58801944" in body
    assert "<h1>Wijziging Verwerkersovereenkomst per 1 februari 2027 (versie 1.1)</h1>" in html
    assert "<h2>Wat verandert er?</h2>" in html and "<h2>Heeft u vragen?</h2>" in html
    assert '<a href="mailto:privacy@example.nl">privacy@example.nl</a>' in html
    assert '<a href="https://www.voipexpress.example.nl/verwerkersovereenkomst">' in html


def test_notes_of_several_versions_each_under_their_own_heading(notice_project: Path) -> None:
    path = notice_project / "contracts" / CONTRACT / "07-datalekken.md"
    path.write_text(path.read_text(encoding="utf-8").replace("vierentwintig (24)", "twaalf (12)"),
                    encoding="utf-8")
    note = "Wij melden een datalek voortaan binnen 12 uur."
    release_version(Project(notice_project), CONTRACT, "1.2", dt.date(2027, 3, 1),
                    today=dt.date(2026, 11, 28), toelichting={"7": note})
    git(notice_project, "add", "-A")
    git(notice_project, "commit", "-q", "-m", "1.2")
    build(notice_project, version="1.2")
    plain, html = _bodies(notice_project, "C-0001", "1.2")  # on 1.0: reads 1.1 and 1.2
    assert f"  Versie 1.1: {NOTE_7}" in plain and f"  Versie 1.2: {note}" in plain
    assert "In versie" not in plain
    assert f"<h4>Versie 1.1</h4><p>{NOTE_7}</p>" in html
    letter = " ".join(_pages(notice_project, "C-0001", "1.2"))
    assert f"Versie 1.1 {NOTE_7}" in letter and f"Versie 1.2 {note}" in letter
