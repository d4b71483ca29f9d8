"""Every kind of PDF the project writes passes PDF/A-2b and PDF/UA-1 (page-validation) and qpdf,
and its extracted text is clean (no soft hyphens, names whole).

The signed contract is checked in tests/signing (test_pades, test_built_contracts), where the
test PKI lives. Here: the customer's contract, the redline, the notice letter, the version text
(the e-mail attachment with the customer's Bijlage 1), the site's generic version PDF, the
"Lijst van sub-verwerkers" and the data-breach letter.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
from email.parser import BytesParser
from email.policy import default
from pathlib import Path

import pytest
from click.testing import CliRunner
from freezegun import freeze_time
from pypdf import PdfReader

from assembler.agreement.project import Project
from assembler.agreement.project_copy import copy_project
from assembler.cli import main
from assembler.customers.document import build_contract
from assembler.redline.compare import build_redline
from assembler.render.redline_pdf import render_redline_pdf
from assembler.subprocessors.document import list_pdf
from assembler.subprocessors.register import read_register
from assembler.workflow.site import build_site
from tests.conftest import ROOT, TEST_AUTHOR
from tests.customers.helpers import customer_c1042
from tests.incidents.conftest import RECORD, write_record
from tests.notices.conftest import CONTRACT, add_customers, build, customer, release_11
from tests.pdf_conformance import assert_qpdf_clean, failures


@pytest.fixture(scope="module")
def released(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project with 1.1 released, two customers notified, and its site built."""
    project_dir = copy_project(ROOT, tmp_path_factory.mktemp("conformance") / "project",
                               author=TEST_AUTHOR)
    release_11(project_dir)
    add_customers(project_dir, [customer(1), customer(2, services=("sip-trunk", "callcenter"))])
    build(project_dir)
    write_record(project_dir, RECORD.replace('services = ["gespreksopname"]', 'services = ["sip-trunk"]'))
    with freeze_time("2027-03-27T10:30:00Z"):  # the breach letter is dated by the real clock
        result = CliRunner().invoke(main, ["incidents", "build", "2027-001"],
                                    env={"ASSEMBLER_ROOT": str(project_dir)})
    assert result.exit_code == 0, result.output
    with freeze_time("2026-11-28T12:00:00Z"):  # the site is dated by the real clock
        build_site(Project(project_dir), CONTRACT, project_dir / "site")
    return project_dir


def _attachment(eml: Path, name: str) -> bytes:
    message = BytesParser(policy=default).parsebytes(eml.read_bytes())
    (data,) = [a.get_content() for a in message.iter_attachments() if a.get_filename() == name]
    assert isinstance(data, bytes)
    return data


def _documents(project_dir: Path) -> dict[str, bytes]:
    notices = project_dir / "build" / "notices" / "1.1"
    return {
        "contract": build_contract(Project(ROOT), customer_c1042()).pdf,
        "redline": render_redline_pdf(build_redline(Project(project_dir), "1.0", "1.1", CONTRACT)),
        "letter": (notices / "C-0002" / "brief-VWO-1.1-C-0002.pdf").read_bytes(),
        "version text": _attachment(notices / "C-0001" / "VWO-1.1-C-0001.eml",
                                    "verwerkersovereenkomst-1.1-C-0001.pdf"),
        "site version": (project_dir / "site" / "versies" / "1.1.pdf").read_bytes(),
        "sub-processor list": _subprocessor_list(),
        "breach letter": (project_dir / "build" / "incidents" / "2027-001" / "initial"
                          / "datalek-2027-001-initial-C-0001.pdf").read_bytes(),
    }


def _subprocessor_list() -> bytes:
    """Return one customer's "Lijst van sub-verwerkers", the document handed out on request."""
    project = Project(ROOT)
    agreement = project.resolve(None, CONTRACT).agreement
    return list_pdf(read_register(project, CONTRACT), agreement.catalogue, agreement.meta,
                    customer(7, services=("gespreksopname", "sip-trunk")), dt.date(2026, 12, 1))


KINDS = ["contract", "redline", "letter", "version text", "site version", "sub-processor list",
         "breach letter"]


@pytest.mark.parametrize("kind", KINDS)
def test_pdf_a_2b(released: Path, kind: str) -> None:
    assert failures(_documents(released)[kind], "2b") == []


@pytest.mark.parametrize("kind", KINDS)
def test_pdf_ua_1_claimed_and_met(released: Path, kind: str) -> None:
    pdf = _documents(released)[kind]
    assert b"<pdfuaid:part>1</pdfuaid:part>" in pdf  # claimed in the XMP, not only met
    assert failures(pdf, "ua1") == []


@pytest.mark.interop
@pytest.mark.parametrize("kind", KINDS)
def test_qpdf_check(released: Path, kind: str) -> None:
    assert_qpdf_clean(_documents(released)[kind])



@pytest.mark.parametrize("kind", KINDS)
def test_extracted_text_has_no_soft_hyphens(released: Path, kind: str) -> None:
    reader = PdfReader(io.BytesIO(_documents(released)[kind]))
    text = "".join(page.extract_text() for page in reader.pages)
    assert "\u00ad" not in text and len(text) > 1000


def test_long_names_are_never_hyphenated() -> None:
    name = "Stichting Wijkvereniging Buitenveldertsezuidoostelijkeoeverlanden"
    customer = dataclasses.replace(customer_c1042(), company_name=name)
    pdf = build_contract(Project(ROOT), customer).pdf
    assert pdf is not None
    words = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split()
    for part in name.split():
        assert part in words, part  # each word whole, never "Stich-" + "ting"
