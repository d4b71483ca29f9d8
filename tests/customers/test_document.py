"""A customer's contract: the model's text in both formats, Bijlage 1, provenance, determinism."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from freezegun import freeze_time
from pypdf import PdfReader

from assembler.agreement.project import Project
from assembler.customers.document import build_contract, contract_data, creation_day, read_contract_metadata
from assembler.errors import ConfigError, RenderError
from assembler.model import Customer
from assembler.render.contract_docx import render_contract_docx, render_docx_direct
from assembler.render.plain_text import annex_block_text, clause_texts
from tests.conftest import ROOT
from tests.customers.helpers import customer_c1042, docx_paragraphs, docx_part, pdf_body, pdf_pages, squash

GOLDEN = Path(__file__).resolve().parent / "golden"


@pytest.fixture(scope="module")
def project() -> Project:
    return Project(ROOT)


@pytest.fixture(scope="module")
def c1042() -> Customer:
    return customer_c1042()


@pytest.fixture(scope="module")
def built(project: Project, c1042: Customer):
    return build_contract(project, c1042)


def expected_paragraphs(project: Project) -> list[str]:
    """Every paragraph of the agreement at 1.0 as the model has it."""
    a = project.resolve("1.0").agreement
    out = [p.text for p in a.preamble]
    for article in a.articles:
        out.append(f"Artikel {article.number}. {article.title}")
        out += clause_texts(article)
    for annex in a.annexes:
        out.append(f"Bijlage {annex.number}: {annex.title}")
        out += [annex_block_text(b, a.catalogue) for b in annex.blocks]
    return out


def test_pdf_text_has_every_clause_both_parties_and_bijlage(project: Project, built) -> None:
    body = squash(pdf_body(built.pdf))
    for paragraph in expected_paragraphs(project):
        assert squash(paragraph) in body, paragraph[:60]
    for needle in ("Bakkerij De Gouden Korrel B.V.", "Molenstraat 21, 3512 JE Utrecht",
                   "onder nummer 58801943", "btw-identificatienummer NL000099998B57",
                   "vertegenwoordigd door Annelies de Groot-Ünal, Directeur",
                   "VoIP Express (Focused2Create)", "onder nummer 58801944",
                   "vertegenwoordigd door J. de Vries, Directeur", "Klantnummer: C-1042",
                   "Diensten: Hosted telefonie (virtuele telefooncentrale), SIP-trunk, Mobiele "
                   "telefonie, Gespreksopname", "Versie 1.0, geldend vanaf 25 mei 2018"):
        assert squash(needle) in body, needle


def test_pdf_pages_say_pagina_x_van_y_with_version_and_hash(built) -> None:
    pages = pdf_pages(built.pdf)
    for number, page in enumerate(pages, 1):
        assert f"pagina {number} van {len(pages)}" in page
        assert "versie 1.0 · tekst 3f9102f00e21 · C-1042" in page


def test_pdf_is_pdf_a_with_provenance_in_info_and_xmp(built) -> None:
    expected = {"contract": "verwerkersovereenkomst", "version": "1.0", "commit": built.commit,
                "sha256": "3f9102f00e21d2fcd6111de59d8bd7b589bd9305dcfe88ce029bcd19c313534e",
                "customer": "C-1042"}
    assert read_contract_metadata(built.pdf) == expected
    reader = PdfReader(__import__("io").BytesIO(built.pdf))
    xmp = reader.xmp_metadata
    assert xmp is not None
    assert xmp.pdf_keywords.endswith("assembler:customer=C-1042")  # exact, no padding
    assert "tekst SHA-256 3f9102f00e21" in xmp.dc_description["x-default"]
    assert "pdfaid:part" in reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    info = reader.metadata
    assert "assembler:sha256=3f9102f00e21" in info["/Keywords"]
    assert info["/Title"] == "Verwerkersovereenkomst VoIP Express"
    assert info["/Keywords"] == xmp.pdf_keywords


@pytest.mark.parametrize(("clock", "epoch", "day"), [
    ("2026-12-01T10:00:00+01:00", None, "20261201"),
    ("2026-12-01T23:30:00+01:00", None, "20261201"),  # already 2 December in UTC: Amsterdam's day
    ("2026-12-01T10:00:00+01:00", "1780000000", "20260528"),  # SOURCE_DATE_EPOCH wins
])
def test_pdf_and_docx_say_the_day_they_were_built(project: Project, c1042: Customer,
                                                 monkeypatch: pytest.MonkeyPatch, clock: str,
                                                 epoch: str | None, day: str) -> None:
    if epoch:
        monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
    else:
        monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    with freeze_time(clock):
        built = build_contract(project, c1042)
    info = PdfReader(io.BytesIO(built.pdf)).metadata
    assert info["/CreationDate"] == f"D:{day}000000Z" and info["/ModDate"] == info["/CreationDate"]
    assert f"{day[:4]}-{day[4:6]}-{day[6:]}T00:00:00".encode() in built.pdf  # XMP CreateDate
    core = zipfile.ZipFile(io.BytesIO(built.docx)).read("docProps/core.xml")
    assert f"{day[:4]}-{day[4:6]}-{day[6:]}".encode() in core
    with freeze_time(clock):
        assert build_contract(project, c1042).pdf == built.pdf  # the same input, the same bytes


def test_a_bad_source_date_epoch_is_one_clear_error(project: Project, c1042: Customer,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "gisteren")
    with pytest.raises(ConfigError, match="'gisteren' is not a number of seconds"):
        build_contract(project, c1042)


def test_signature_boxes_are_on_the_signature_page(built) -> None:
    pages = pdf_pages(built.pdf)
    p, c = built.processor_box, built.customer_box
    assert p.page == c.page and 0 <= p.page < len(pages)
    assert "Ondertekening" in pages[p.page] and "Handtekening" in pages[p.page]
    media = PdfReader(__import__("io").BytesIO(built.pdf)).pages[p.page].mediabox
    for box in (p, c):
        assert 0 < box.x1 < box.x2 <= float(media.width)
        assert 0 < box.y1 < box.y2 <= float(media.height)
        assert box.y2 - box.y1 == pytest.approx(60)
    assert p.x2 < c.x1 and p.y1 == pytest.approx(c.y1)  # side by side


def test_docx_has_every_clause_both_parties_and_bijlage(project: Project, built) -> None:
    paragraphs = docx_paragraphs(built.docx)
    for paragraph in expected_paragraphs(project):
        assert paragraph in paragraphs, paragraph[:60]
    text = "\n".join(paragraphs)
    for needle in ("Bakkerij De Gouden Korrel B.V.\nMolenstraat 21, 3512 JE Utrecht\n"
                   "ingeschreven bij de Kamer van Koophandel onder nummer 58801943\n"
                   "btw-identificatienummer NL000099998B57\n"
                   "vertegenwoordigd door Annelies de Groot-Ünal, Directeur",
                   "Naam: J. de Vries", "Naam: Annelies de Groot-Ünal", "Functie: Directeur",
                   "Plaats: ", "Datum: ", "Handtekening:"):
        assert needle in text, needle


def test_docx_has_real_styles_and_page_fields(built) -> None:
    import io

    import docx

    document = docx.Document(io.BytesIO(built.docx))
    styles = [p.style.name for p in document.paragraphs]
    assert styles[0] == "Title"
    assert styles.count("Heading 1") == 1 + 10 + 1 + 1  # title, 10 articles, signatures, Bijlage 1
    assert "Heading 2" in styles and "Body Text" in styles
    assert len(document.tables) == 1  # the signature table
    footer = document.sections[0].footer._element.xml
    assert 'w:instr=" PAGE "' in footer and 'w:instr=" NUMPAGES "' in footer
    assert "tekst 3f9102f00e21" in footer
    assert "versie\u00a01.0" in document.sections[0].header._element.xml  # bound: never split
    props = document.core_properties
    day = creation_day()  # the build day (the clock), not the version's 25 May 2018
    assert props.created == props.modified == dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
    assert "assembler:customer=C-1042" in props.keywords


@pytest.mark.parametrize("part", ["word/document.xml", "word/footer1.xml", "word/header1.xml"])
def test_docx_golden_parts(built, part: str) -> None:
    from tests.customers.helpers import docx_part

    golden = GOLDEN / f"C-1042-1.0-{part.split('/')[-1]}"
    actual = docx_part(built.docx, part)
    if os.environ.get("ASSEMBLER_REGEN_GOLDEN") == "1":
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(actual, encoding="utf-8")
    assert actual == golden.read_text(encoding="utf-8"), (
        f"{part} differs from {golden}; review, then regenerate with ASSEMBLER_REGEN_GOLDEN=1")


def test_same_input_same_bytes(project: Project, c1042: Customer, built) -> None:
    again = build_contract(project, c1042)
    assert (again.pdf, again.docx) == (built.pdf, built.docx)
    data = contract_data(project.resolve("1.0"), c1042)
    assert render_docx_direct(data, creation_day()) == built.docx  # the cache changes nothing


def test_a_fresh_process_builds_the_same_bytes(tmp_path: Path, built) -> None:
    script = ("import sys, datetime as dt; from pathlib import Path;"
              "from assembler.agreement.project import Project; from assembler.customers.document import build_contract;"
              "from tests.customers.helpers import customer_c1042;"
              "b = build_contract(Project(Path(sys.argv[1])), customer_c1042());"
              "Path(sys.argv[2]).write_bytes(b.pdf); Path(sys.argv[3]).write_bytes(b.docx)")
    pdf, docx_file = tmp_path / "a.pdf", tmp_path / "a.docx"
    subprocess.run([sys.executable, "-c", script, str(ROOT), str(pdf), str(docx_file)], check=True,
                   cwd=ROOT, env={**os.environ, "PYTHONHASHSEED": "123"})
    assert pdf.read_bytes() == built.pdf
    assert docx_file.read_bytes() == built.docx


def test_a_missing_field_is_an_error_naming_it(project: Project, c1042: Customer) -> None:
    data = contract_data(project.resolve("1.0"), c1042)
    del data["customer"]["kvk"]
    with pytest.raises(RenderError, match="missing field: .*'kvk'"):
        render_contract_docx(data, dt.date(2018, 5, 25))


def test_v1_bijlage_lists_equal_the_source_for_every_customer(project: Project, c1042: Customer) -> None:
    one_service = dataclasses.replace(c1042, services=("fax2mail",))
    a = project.resolve("1.0").agreement
    source = [annex_block_text(b, a.catalogue) for b in a.annexes[0].blocks]
    paragraphs = docx_paragraphs(build_contract(project, one_service, formats=("docx",)).docx)
    start = paragraphs.index("Bijlage 1: Specificatie persoonsgegevens en betrokkenen")
    assert [p for p in paragraphs[start + 2:] if p] == source
    assert "(I) NAW-gegevens, (II) Telefoonnummer" in source[2]


def test_consecutive_builds_never_show_the_previous_data(project: Project, c1042: Customer) -> None:
    # Typst keeps its layout between builds (and typst-py once re-rendered stale files after a
    # query): every build must show its own customer and version, whatever came before.
    from assembler.customers.document import build_resolved

    v10 = project.resolve("1.0")
    concept = dataclasses.replace(v10, version=None)
    other = dataclasses.replace(c1042, customer_id="C-7", company_name="Ander Bedrijf")
    for resolved, customer, boxes in [(v10, c1042, True), (concept, other, False),
                                      (v10, c1042, True), (v10, other, True),
                                      (concept, c1042, True), (concept, c1042, False)]:
        pdf = build_resolved(resolved, customer, ("pdf",), boxes).pdf
        meta = read_contract_metadata(pdf)
        assert (meta["customer"], meta["version"]) == (customer.customer_id, resolved.label)
        first = pdf_pages(pdf)[0]
        line = f"Versie {resolved.label}" if resolved.version else "Concepttekst (nog niet vastgesteld)"
        assert customer.company_name in first and line in first
        phrase = f"versie {resolved.label}" if resolved.version else "concepttekst"
        assert f"{phrase} · tekst 3f9102f00e21 · {customer.customer_id}" in first


def test_data_files_of_the_same_size_written_at_once_are_still_read_anew(project: Project,
                                                                         c1042: Customer) -> None:
    # The private folder's data files are overwritten in place, within the same clock tick and at
    # the same size: the compiler must still see each customer's own data (it compares content).
    from assembler.customers.document import build_resolved

    v10 = project.resolve("1.0")
    twins = [dataclasses.replace(c1042, customer_id=f"C-{n}{n}{n}{n}", company_name=f"Bedrijf {n}{n} B.V.")
             for n in (1, 2, 1, 3)]
    for customer in twins:
        first = pdf_pages(build_resolved(v10, customer, ("pdf",), False).pdf)[0]
        assert customer.company_name in first and customer.customer_id in first
        assert all(o.company_name not in first for o in twins if o.company_name != customer.company_name)


def test_a_shorter_customer_after_a_longer_one_reads_only_its_own_data(project: Project,
                                                                      c1042: Customer) -> None:
    # The data file is overwritten over its old bytes: what is left of a longer one must be cut
    # off, or the compiler reads the tail of the previous customer (or fails on broken JSON).
    from assembler.customers.document import build_resolved

    v10 = project.resolve("1.0")
    long = dataclasses.replace(c1042, customer_id="C-7001", company_name="Voorbeeldbedrijf " * 6 + "B.V.",
                               street="Heel Lange Straatnaam Die Nooit Ophoudt 1234")
    short = dataclasses.replace(c1042, customer_id="C-7002", company_name="Kort B.V.", street="Laan 1")
    build_resolved(v10, long, ("pdf",), False)
    first = pdf_pages(build_resolved(v10, short, ("pdf",), False).pdf)[0]
    assert "Kort B.V." in first and "Laan 1" in first
    assert "Voorbeeldbedrijf" not in first and "Ophoudt" not in first


def test_customer_id_stamp_replaces_both_forms_or_fails() -> None:
    from assembler.customers.document import ID_PLACEHOLDER, stamp_customer_id

    hexed = ID_PLACEHOLDER.encode("utf-16-be").hex().upper().encode()
    pdf = (b"<x:xmpmeta><pdf:Keywords>a, assembler:customer=" + ID_PLACEHOLDER.encode()
           + b"</pdf:Keywords><dc:x/></x:xmpmeta> /Keywords<FEFF" + hexed + b">/Author(b)")
    stamped = stamp_customer_id(pdf, "C-1042")
    assert len(stamped) == len(pdf)  # no offset moves
    spare = b" " * (len(ID_PLACEHOLDER) - len("C-1042"))
    assert b"assembler:customer=C-1042</pdf:Keywords>" + spare + b"<dc:x/>" in stamped  # exact
    assert b"<FEFF" + "C-1042".encode("utf-16-be").hex().upper().encode() + b">" + spare * 4 in stamped
    with pytest.raises(RenderError, match="found it 1 time"):
        stamp_customer_id(pdf[:200], "C-1042")
    with pytest.raises(RenderError, match="at most 64 ASCII"):
        stamp_customer_id(pdf, "C-" + "9" * 63)


def test_customer_id_stamp_keeps_an_info_string_with_escaped_parentheses_whole() -> None:
    from assembler.customers.document import ID_PLACEHOLDER, stamp_customer_id

    info = b"/Keywords(assembler:customer=" + ID_PLACEHOLDER.encode() + b", place=Ede \\(NL\\))/X 1"
    pdf = b"<x:xmpmeta><k>" + ID_PLACEHOLDER.encode() + b"</k></x:xmpmeta>" + info
    stamped = stamp_customer_id(pdf, "C-7")
    assert stamped.endswith(b"/Keywords(assembler:customer=C-7, place=Ede \\(NL\\))"
                            + b" " * (len(ID_PLACEHOLDER) - 3) + b"/X 1")


def test_the_committed_docx_template_is_what_the_script_makes() -> None:
    import runpy

    from assembler.render.contract_docx import TEMPLATE

    script = runpy.run_path(str(ROOT / "tools" / "make_contract_template.py"))
    assert script["build"]() == TEMPLATE.read_bytes(), (
        "run `python tools/make_contract_template.py` and commit the template")


def test_shared_keys_are_exactly_the_customer_independent_data(project: Project) -> None:
    from assembler.customers.document import SHARED_KEYS, agreement_data

    assert set(agreement_data(project.resolve("1.0"))) == SHARED_KEYS


def test_docx_has_signature_boxes_like_the_pdf_and_a_clean_app_xml(built) -> None:
    import zipfile

    from lxml import etree

    z = zipfile.ZipFile(__import__("io").BytesIO(built.docx))
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    styles = etree.fromstring(z.read("word/styles.xml"))
    (box,) = [s for s in styles.iter(f"{w}style") if s.get(f"{w}styleId") == "SignatureSpace"]
    sides = [b.tag.removeprefix(w) for b in box.find(f"{w}pPr/{w}pBdr")]
    assert sides == ["top", "left", "bottom", "right"]
    assert box.find(f"{w}pPr/{w}spacing").get(f"{w}line") == "1200"  # 60 pt, as in the PDF
    assert b'w:pStyle w:val="SignatureSpace"' in z.read("word/document.xml").replace(b"  ", b" ")
    app = z.read("docProps/app.xml").decode()
    assert "<Application>assembler</Application>" in app and "Macintosh" not in app


def test_a_released_text_and_a_concept_are_named_in_dutch(project_dir: Path, c1042: Customer,
                                                          built) -> None:
    cover = squash(pdf_pages(built.pdf)[0])
    assert squash("Tekst: Verwerkersovereenkomst versie 1.0, SHA-256 3f9102f00e21") in cover
    clause = project_dir / "contracts" / "verwerkersovereenkomst" / "07-datalekken.md"
    clause.write_text(clause.read_text(encoding="utf-8").replace("achtenveertig (48)",
                                                                 "vierentwintig (24)"), "utf-8")
    concept = build_contract(Project(project_dir), c1042, "worktree")
    assert concept.version == "concept"  # the label of file names and metadata stays
    pages = [squash(p) for p in pdf_pages(concept.pdf)]
    assert squash("Tekst: Verwerkersovereenkomst, concepttekst (nog niet vastgesteld), SHA-256") in pages[0]
    assert squash("Concepttekst (nog niet vastgesteld) Partijen") in pages[0]  # the version line
    assert all(squash("Verwerkersovereenkomst VoIP Express, concepttekst · tekst") in p
               and squash("versie concept") not in p for p in pages)
    paragraphs = docx_paragraphs(concept.docx)
    assert any(p.startswith("Tekst: Verwerkersovereenkomst, concepttekst (nog niet vastgesteld)")
               for p in paragraphs)
    header = docx_part(concept.docx, "word/header1.xml")
    assert "Verwerkersovereenkomst VoIP Express · concepttekst" in header
    assert "versie concept" not in " ".join(paragraphs) + header


def test_a_shared_part_changed_in_place_is_typeset_anew(project: Project, c1042: Customer) -> None:
    # The DOCX keeps the agreement's text typeset from one customer to the next (`ContractDocx`),
    # and Typst its layout: a text that changed, even inside the same objects, must show in both
    # (in the DOCX with its no-break spaces, as a direct render gives them).
    from assembler.customers.document import SHARED_KEYS, build_resolved

    resolved = project.resolve("1.0")
    shared = {k: v for k, v in contract_data(resolved, c1042).items() if k in SHARED_KEYS}
    first = build_resolved(resolved, c1042, ("pdf", "docx"), False, shared)
    spans = shared["articles"][0]["clauses"][0]["paragraphs"][0]
    spans[:] = [{**spans[0], "text": "Gewijzigd op 1 december 2026, na 48 uur overleg."}]
    second = build_resolved(resolved, c1042, ("pdf", "docx"), False, shared)
    assert second.pdf is not None and second.docx is not None and second.docx != first.docx
    assert "Gewijzigd op 1 december 2026, na 48 uur overleg." in pdf_body(second.pdf)
    assert any("Gewijzigd op 1 december 2026, na 48 uur overleg." in p for p in docx_paragraphs(second.docx))
    assert second.docx == render_docx_direct(contract_data(resolved, c1042, shared), creation_day())
