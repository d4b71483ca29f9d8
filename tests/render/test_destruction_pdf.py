"""The art. 11.1 destruction statement's PDF: PDF/A-2b and PDF/UA-1, before and after signing.

The signed statement is validated by pyHanko (our `verify_pdf`) and by poppler's pdfsig, never by
comparing bytes; the unsigned one is byte-identical for the same data on the same day.
"""

from __future__ import annotations

import datetime as dt
import io
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from assembler.agreement.project import Project
from assembler.customers.destruction import statement_data
from assembler.model import HistoryEvent
from assembler.render.destruction_pdf import render_destruction_statement
from assembler.signing import demo_pki as pki
from assembler.signing.keys import SignerConfig
from assembler.signing.pades import PROCESSOR_FIELD, sign_pdf
from assembler.signing.verify import verify_pdf
from tests.conftest import ROOT, require_tool
from tests.customers.helpers import customer_c1042
from tests.pdf_conformance import assert_qpdf_clean, failures

DAY = dt.date(2026, 12, 1)
TERMINATION = HistoryEvent(customer_id="C-1042", kind="terminated", version="1.0",
                           on=dt.date(2026, 11, 20), effective=dt.date(2026, 11, 21))


@pytest.fixture(scope="module")
def root_and_signer() -> tuple[pki.Issued, SignerConfig]:
    """A test CA and the processor's signer under it."""
    root = pki.make_ca("Test Root CA", "Testlab")
    signer = pki.make_cert(root, "Test Ondertekenaar", "VoIP Express")
    return root, SignerConfig(key=signer.key, cert=signer.cert, chain=(root.cert,))


@pytest.fixture(scope="module")
def statement() -> tuple[bytes, object]:
    """The unsigned statement of customer C-1042 and its signature box."""
    agreement = Project(ROOT).resolve("1.0").agreement
    return render_destruction_statement(
        statement_data(agreement, customer_c1042(), TERMINATION, DAY), DAY)


@pytest.fixture(scope="module")
def signed(statement: tuple[bytes, object], root_and_signer: tuple[pki.Issued, SignerConfig]) -> bytes:
    pdf, box = statement
    return sign_pdf(pdf, root_and_signer[1], box, None,  # type: ignore[arg-type]
                    now=dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC), signatory="J. de Vries (Directeur)")


@pytest.mark.parametrize("profile", ["2b", "ua1"])
def test_statement_is_pdf_a_2b_and_ua_1(statement: tuple[bytes, object], profile: str) -> None:
    pdf = statement[0]
    assert failures(pdf, profile) == []
    assert b"<pdfuaid:part>1</pdfuaid:part>" in pdf


@pytest.mark.parametrize("profile", ["2b", "ua1"])
def test_signed_statement_stays_pdf_a_2b_and_ua_1(signed: bytes, profile: str) -> None:
    assert failures(signed, profile) == []


@pytest.mark.interop
def test_qpdf_finds_nothing_wrong(statement: tuple[bytes, object], signed: bytes) -> None:
    assert_qpdf_clean(statement[0])
    assert_qpdf_clean(signed)


def test_same_data_same_day_same_bytes(statement: tuple[bytes, object]) -> None:
    agreement = Project(ROOT).resolve("1.0").agreement
    again, _ = render_destruction_statement(
        statement_data(agreement, customer_c1042(), TERMINATION, DAY), DAY)
    assert again == statement[0]


def test_statement_says_what_when_by_whom_and_why(statement: tuple[bytes, object]) -> None:
    raw = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(statement[0])).pages)
    assert "1\xa0december\xa02026" in raw and "artikel\xa011.1" in raw  # bound by no-break spaces
    text = " ".join(raw.split())
    assert "Verklaring van vernietiging van persoonsgegevens" in text
    assert "uiterlijk op 1 december 2026 heeft vernietigd" in text  # when: the day it is issued
    assert "Bakkerij De Gouden Korrel B.V." in text  # for whom
    assert "J. de Vries, Directeur" in text  # by whom: the signatory of contract.toml
    assert "Na afloop vernietigt Verwerker de persoonsgegevens" in text  # art. 11.1, quoted
    assert "met ingang van 21 november 2026 is de Verwerkersovereenkomst geëindigd" in text
    assert "Belhistorie" in text  # a data category label, not its id
    assert "belhistorie" not in text


def test_signed_statement_verifies_with_pyhanko(signed: bytes,
                                                root_and_signer: tuple[pki.Issued, SignerConfig]) -> None:
    result = verify_pdf(signed, {"": [root_and_signer[0].cert]})
    (sig,) = result.signatures
    assert sig.field == PROCESSOR_FIELD
    assert sig.intact and sig.valid and sig.trusted and sig.coverage == "whole file"
    assert sig.signer_cn == "Test Ondertekenaar"


@pytest.mark.interop
def test_pdfsig_accepts_the_signed_statement(tmp_path: Path, signed: bytes) -> None:
    path = tmp_path / "verklaring.pdf"
    path.write_bytes(signed)
    proc = subprocess.run([require_tool("pdfsig"), str(path)], capture_output=True, text=True)
    out = proc.stdout + proc.stderr
    assert "Signature Field Name: Verwerker" in out
    assert "Signature Type: ETSI.CAdES.detached" in out
    assert "Signature Validation: Signature is Valid." in out
    assert "Total document signed" in out
