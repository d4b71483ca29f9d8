"""The notice documents: the .eml parsed back with the standard library, the letter's Dutch text."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from email.parser import BytesParser
from email.policy import default
from pathlib import Path

import pypdf

from assembler.agreement.annex import customer_catalogue
from assembler.agreement.project import Project
from assembler.notices.message import message_id_of
from assembler.notices.salutation import salutation
from assembler.redline.compare import build_redline
from assembler.render.plain_text import catalogue_list_text
from assembler.render.redline_pdf import render_redline_pdf
from tests.notices.conftest import (
    CONTRACT,
    NOTE_7,
    SENDER,
    add_customers,
    build,
    customer,
    open_ledger,
)
from tests.notices.email_parts import as_shown

OUT = Path("build/notices/1.1")


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def eml_of(project_dir: Path, cid: str) -> bytes:
    return (project_dir / OUT / cid / f"VWO-1.1-{cid}.eml").read_bytes()


def test_eml_headers_bodies_and_attachments(notice_project: Path) -> None:
    summary = build(notice_project)
    assert summary.built == ["C-0001", "C-0002"] and summary.not_affected == 1  # C-0003 is on 1.1
    raw = eml_of(notice_project, "C-0001")
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")  # RFC 5322 line ends
    msg = BytesParser(policy=default).parsebytes(raw)
    assert msg["From"] == f'"VoIP Express (Focused2Create)" <{SENDER}>'  # () must be quoted
    assert msg["To"] == "Kim Jansen 1 <kim1@example.nl>"
    assert msg["Subject"] == "Wijziging Verwerkersovereenkomst per 1 februari 2027 (versie 1.1)"
    assert msg["Date"] == "Sat, 28 Nov 2026 00:00:00 +0000"
    assert msg["Message-ID"] == message_id_of(raw)
    assert msg["Message-ID"].startswith("<notice.1.1.C-0001.")

    plain = msg.get_body(preferencelist=("plain",)).get_content()
    typeset = msg.get_body(preferencelist=("html",)).get_content()
    # The HTML binds the date with no-break spaces; the plain part keeps the spaces typed.
    assert "1&nbsp;februari&nbsp;2027" in typeset and "\xa0" not in plain
    html = as_shown(typeset)
    for body in (plain, html):
        assert "Geachte Kim Jansen 1," in body
        assert NOTE_7 in body
        assert "1 februari 2027" in body and "dagelijks opzeggen" in body
    agreement = Project(notice_project).resolve("1.1", CONTRACT).agreement
    assert agreement.sha256 in plain and agreement.sha256 in html
    assert html.lstrip().startswith("<!DOCTYPE html>")

    attachments = {a.get_filename(): a.get_content() for a in msg.iter_attachments()}
    assert list(attachments) == ["brief-VWO-1.1-C-0001.pdf", "wijzigingen-1.0-1.1.pdf",
                                 "verwerkersovereenkomst-1.1-C-0001.pdf"]
    letter = (notice_project / OUT / "C-0001" / "brief-VWO-1.1-C-0001.pdf").read_bytes()
    assert attachments["brief-VWO-1.1-C-0001.pdf"] == letter
    redline = build_redline(Project(notice_project), "1.0", "1.1", CONTRACT)
    assert attachments["wijzigingen-1.0-1.1.pdf"] == render_redline_pdf(redline)
    assert (notice_project / OUT / "wijzigingen-1.0-1.1.pdf").read_bytes() == render_redline_pdf(
        redline)  # written once for all customers
    # The full text of 1.1 with the customer's own Bijlage 1, rendered once per set of services:
    # C-0002 uses the same services and gets the same bytes.
    text_pdf = attachments["verwerkersovereenkomst-1.1-C-0001.pdf"]
    other = BytesParser(policy=default).parsebytes(eml_of(notice_project, "C-0002"))
    assert {a.get_filename(): a.get_content() for a in other.iter_attachments()}[
        "verwerkersovereenkomst-1.1-C-0002.pdf"] == text_pdf
    words = " ".join(" ".join(p.extract_text().split()) for p in pypdf.PdfReader(io.BytesIO(text_pdf)).pages)
    assert "Versie 1.1" in words and "Voor de afgenomen diensten: SIP-trunk." in words
    assert "binnen vierentwintig (24) uur, op de hoogte" in words  # 1.1's clause 7.1, not 1.0's
    own = catalogue_list_text(customer_catalogue(agreement.catalogue, ("sip-trunk",)).data_categories)
    assert own.split()[:4] == ["(I)", "NAW-gegevens,", "(II)", "Telefoonnummer,"] and " ".join(own.split()) in words

    # the ledger proves every document by its hash
    ledger = open_ledger(notice_project)
    docs = {d.kind: d for d in ledger.documents("1.1", "C-0001")}
    assert docs["email"].sha256 == sha(raw)
    assert docs["letter"].sha256 == sha(letter)
    assert docs["redline"].sha256 == sha(attachments["wijzigingen-1.0-1.1.pdf"])
    assert docs["contract"].sha256 == sha(attachments["verwerkersovereenkomst-1.1-C-0001.pdf"])
    notice = ledger.notice("1.1", "C-0001")
    assert notice is not None and notice.state == "pending"
    assert (notice.address, notice.message_id, notice.eml_sha256) == (
        "kim1@example.nl", msg["Message-ID"], sha(raw))


def test_the_letter_says_what_art_11_2_requires(notice_project: Path) -> None:
    build(notice_project)
    letter = (notice_project / OUT / "C-0002" / "brief-VWO-1.1-C-0002.pdf").read_bytes()
    reader = pypdf.PdfReader(io.BytesIO(letter))
    raw = "\n".join(page.extract_text() for page in reader.pages)
    for bound in ("28\xa0november\xa02026", "1\xa0februari\xa02027", "versie\xa01.1", "KvK\xa058801944"):
        assert bound in raw, bound  # no line of the letter can break inside these
    text = " ".join(raw.split())  # whitespace, the no-break spaces too, read as one space
    agreement = Project(notice_project).resolve("1.1", CONTRACT).agreement
    for expected in [
        "VoIP Express (Focused2Create)", "KvK 58801944",  # letterhead
        "Voorbeeld 2 B.V.", "t.a.v. Kim Jansen 2", "Dorpsstraat 2", "1234 AB Utrecht",  # address
        "Amsterdam, 28 november 2026", "VWO-1.1-C-0002",  # date and reference
        "Geachte mevrouw Jansen,",  # the registry's salutation
        "versie 1.1", "versie 1.0", "Op 1 februari 2027 treedt versie 1.1",
        "Artikel 7. Datalekken", NOTE_7,
        "achtenveertig (48)", "vierentwintig (24)",  # before/after table
        "mag dagelijks opzeggen zoals overeengekomen in de Hoofdovereenkomst",
        "privacy@example.nl", agreement.sha256, "Met vriendelijke groet",
        "J. de Vries",
    ]:
        assert expected in text, expected
    assert "TODO" not in text


def test_same_input_same_bytes(notice_project: Path) -> None:
    build(notice_project)
    first = eml_of(notice_project, "C-0001")
    build(notice_project)  # pending notices are rebuilt
    assert eml_of(notice_project, "C-0001") == first


def test_salutation_defaults_are_correct_dutch() -> None:
    assert salutation(customer(1)) == "Geachte Kim Jansen 1,"
    assert salutation(customer(1, contact_salutation="Geachte heer De Vries")) == \
        "Geachte heer De Vries,"
    assert salutation(customer(1, contact_name="")) == "Geachte heer, mevrouw,"


def test_a_name_with_typst_markup_is_printed_literally(notice_project: Path) -> None:
    add_customers(notice_project, [customer(4, company_name='#read("/etc/passwd") *B.V.*')])
    build(notice_project)
    letter = (notice_project / OUT / "C-0004" / "brief-VWO-1.1-C-0004.pdf").read_bytes()
    text = pypdf.PdfReader(io.BytesIO(letter)).pages[0].extract_text()
    assert '#read("/etc/passwd") *B.V.*' in text and "root:" not in text


def test_letter_date_follows_the_build_day(notice_project: Path) -> None:
    build(notice_project, today=dt.date(2026, 12, 1))
    msg = BytesParser(policy=default).parsebytes(eml_of(notice_project, "C-0001"))
    assert msg["Date"] == "Tue, 01 Dec 2026 00:00:00 +0000"


def test_the_fast_generator_writes_what_the_standard_one_writes(notice_project: Path) -> None:
    from email.generator import BytesGenerator
    from email.policy import SMTP

    build(notice_project)
    raw = eml_of(notice_project, "C-0001")
    msg = BytesParser(policy=SMTP).parsebytes(raw)
    out = io.BytesIO()
    BytesGenerator(out, policy=SMTP).flatten(msg)
    assert out.getvalue() == raw


def test_a_customer_two_versions_behind_reads_both_explanations(notice_project: Path) -> None:
    from assembler.workflow.release import release_version
    from tests.conftest import git

    path = notice_project / "contracts" / CONTRACT / "08-geheimhouding.md"
    path.write_text(path.read_text().replace("rust een geheimhoudingsplicht",
                                             "rust een strikte geheimhoudingsplicht"))
    note_8 = "De geheimhoudingsplicht is aangescherpt."
    release_version(Project(notice_project), CONTRACT, "1.2", dt.date(2027, 3, 1),
                    today=dt.date(2026, 11, 28),
                    toelichting={"8": note_8})
    git(notice_project, "add", "-A")
    git(notice_project, "commit", "-q", "-m", "1.2")
    summary = build(notice_project, version="1.2")
    assert summary.built == ["C-0001", "C-0002", "C-0003"]  # C-0003 is on 1.1, the others on 1.0
    out = notice_project / "build" / "notices" / "1.2"
    assert sorted(p.name for p in summary.shared_files) == ["wijzigingen-1.0-1.2.pdf",
                                                            "wijzigingen-1.1-1.2.pdf"]

    def body_and_files(cid: str) -> tuple[str, list[str]]:
        msg = BytesParser(policy=default).parsebytes((out / cid / f"VWO-1.2-{cid}.eml").read_bytes())
        plain = msg.get_body(preferencelist=("plain",))
        assert plain is not None
        return plain.get_content(), [str(a.get_filename()) for a in msg.iter_attachments()]

    behind, files = body_and_files("C-0001")
    assert f"In versie 1.1: {NOTE_7}" not in behind  # article 7 changed in 1.1 only
    assert NOTE_7 in behind and note_8 in behind and "vervangt versie 1.0" in behind
    assert "wijzigingen-1.0-1.2.pdf" in files
    current, files = body_and_files("C-0003")
    assert note_8 in current and NOTE_7 not in current and "vervangt versie 1.1" in current
    assert "wijzigingen-1.1-1.2.pdf" in files


def test_a_changed_message_gets_a_new_message_id_the_same_bytes_keep_theirs(
        notice_project: Path) -> None:
    build(notice_project, dt.date(2026, 11, 28))
    first = eml_of(notice_project, "C-0001")
    build(notice_project, dt.date(2026, 11, 28))
    assert eml_of(notice_project, "C-0001") == first  # same input, same bytes, same Message-ID
    build(notice_project, dt.date(2026, 11, 30))  # built again two days later: another Date, letter
    later = eml_of(notice_project, "C-0001")
    assert later != first and message_id_of(later) != message_id_of(first)
    assert message_id_of(later).startswith("<notice.1.1.C-0001.")
    notice = open_ledger(notice_project).notice("1.1", "C-0001")
    assert notice is not None and notice.message_id == message_id_of(later)

    add_customers(notice_project, [customer(1, contact_email="kim.nieuw@example.nl")])
    build(notice_project, dt.date(2026, 11, 30))  # the same day, to a corrected address
    moved = eml_of(notice_project, "C-0001")
    assert message_id_of(moved) not in (message_id_of(first), message_id_of(later))
