"""Signing our own contracts: build --sign, sign placing the signature, verify's provenance."""

from __future__ import annotations

import datetime as dt
import io
import re
import subprocess
from pathlib import Path

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields
from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DecodedStreamObject, NameObject

from assembler.agreement.project import Project
from assembler.customers import document
from assembler.customers.registry import open_registry
from assembler.dutch import format_date_nl
from assembler.model import ProcessorSigning
from assembler.render.pdf_read import page_texts
from assembler.signing.appearance import local_time
from assembler.signing.pades import CUSTOMER_FIELD, PROCESSOR_FIELD, sign_pdf
from assembler.signing.provenance import check_provenance, read_claim
from tests.conftest import ROOT, require_tool
from tests.customers.helpers import pdf_pages
from tests.pdf_conformance import assert_conformant, assert_qpdf_clean
from tests.signing.conftest import SigningPki, run_cli, signer_config

CONTRACT_PDF = "C-1042-verwerkersovereenkomst-1.0.pdf"


@pytest.fixture
def project(project_dir: Path, key_env: dict[str, str]) -> tuple[Path, dict[str, str]]:
    """A project with the example customers imported, and an environment to sign with."""
    env = {**key_env, "ASSEMBLER_ROOT": str(project_dir)}
    proc = run_cli("customers", "import", str(ROOT / "examples" / "customers.csv"), env=env,
                   cwd=project_dir)
    assert proc.returncode == 0, proc.stderr
    return project_dir, env


def _build(project_dir: Path, env: dict[str, str], *extra: str) -> subprocess.CompletedProcess[str]:
    return run_cli("build", "--customer", "C-1042", "--format", "pdf", "-o", "out", *extra, env=env,
                   cwd=project_dir)


def _root_pem(env: dict[str, str]) -> str:
    return str(Path(env["ASSEMBLER_SIGNING_PKCS12"]).parent / "root.pem")


def _fields(pdf: bytes) -> dict[str, tuple[object, list[float]]]:
    reader = PdfFileReader(io.BytesIO(pdf))
    return {name: (value, [float(v) for v in annot.get_object()["/Rect"]])
            for name, value, annot in fields.enumerate_sig_fields(reader)}


def test_build_sign_then_verify(project: tuple[Path, dict[str, str]]) -> None:
    project_dir, env = project
    proc = _build(project_dir, env, "--sign")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"wrote out/{CONTRACT_PDF}"
    signed = (project_dir / "out" / CONTRACT_PDF).read_bytes()
    assert [p.name for p in (project_dir / "out").iterdir()] == [CONTRACT_PDF]  # only the signed file
    found = _fields(signed)
    assert found[CUSTOMER_FIELD][0] is None and found[PROCESSOR_FIELD][0] is not None
    # the processor's block is on the left, the customer's on the right, on the same line
    (_, py1, px2, _), (cx1, cy1, _, _) = found[PROCESSOR_FIELD][1], found[CUSTOMER_FIELD][1]
    assert px2 < cx1 and py1 == cy1
    proc = run_cli("verify", f"out/{CONTRACT_PDF}", "--trust", _root_pem(env), env=env, cwd=project_dir)
    assert proc.returncode == 0, proc.stdout
    assert proc.stdout.startswith(f"out/{CONTRACT_PDF}: VALID\n")
    assert ("provenance: match: the signed file is byte for byte verwerkersovereenkomst 1.0 for customer "
            "C-1042, rebuilt now; SHA-256 3f9102f00e21… is the pinned hash") in proc.stdout


def test_provenance_rebuilds_with_the_creation_day_the_file_carries(
        project: tuple[Path, dict[str, str]]) -> None:
    """Built (and signed) on one day, verified on another: the rebuild takes the file's day."""
    project_dir, env = project
    built_on = {**env, "SOURCE_DATE_EPOCH": "1780000000"}  # 28 May 2026 in Amsterdam
    assert _build(project_dir, built_on, "--sign").returncode == 0
    signed = (project_dir / "out" / CONTRACT_PDF).read_bytes()
    assert b"<xmp:CreateDate>2026-05-28T00:00:00" in signed
    proc = run_cli("verify", f"out/{CONTRACT_PDF}", "--trust", _root_pem(env), env=env, cwd=project_dir)
    assert proc.returncode == 0, proc.stdout
    assert "provenance: match: the signed file is byte for byte" in proc.stdout
    # `sign` on an unsigned file built that day finds it identical to its rebuild, too
    assert _build(project_dir, built_on).returncode == 0
    proc = run_cli("sign", f"out/{CONTRACT_PDF}", env=env, cwd=project_dir)
    assert proc.returncode == 0, proc.stderr


def test_build_sign_with_a_bad_key_writes_nothing(project: tuple[Path, dict[str, str]]) -> None:
    project_dir, env = project
    proc = _build(project_dir, {**env, "ASSEMBLER_SIGNING_PASSWORD": "fout"}, "--sign")
    assert proc.returncode == 1
    assert "wrong password" in proc.stderr
    assert not (project_dir / "out").exists() or not list((project_dir / "out").iterdir())


def test_sign_places_the_signature_like_build_sign(project: tuple[Path, dict[str, str]]) -> None:
    project_dir, env = project
    assert _build(project_dir, env).returncode == 0
    proc = run_cli("sign", f"out/{CONTRACT_PDF}", env=env, cwd=project_dir)
    assert proc.returncode == 0, proc.stderr
    assert "visible in the processor's signature block" in proc.stdout
    assert proc.stderr == ""
    by_sign = _fields((project_dir / "out" / CONTRACT_PDF.replace(".pdf", "-signed.pdf")).read_bytes())
    assert _build(project_dir, env, "--sign").returncode == 0
    by_build = _fields((project_dir / "out" / CONTRACT_PDF).read_bytes())
    assert {k: v[1] for k, v in by_sign.items()} == {k: v[1] for k, v in by_build.items()}


def test_provenance_mismatch_when_the_customer_text_differs(project: tuple[Path, dict[str, str]]) -> None:
    project_dir, env = project
    assert run_cli("build", "--customer", "C-1042", "--format", "pdf", "-o", "unsigned", env=env,
                   cwd=project_dir).returncode == 0
    assert _build(project_dir, env, "--sign").returncode == 0
    # the registry now holds another company name for C-1042: the signed text is not what a
    # rebuild gives, and verify says so (exit 1) although the signature itself is sound
    csv = (ROOT / "examples" / "customers.csv").read_text(encoding="utf-8")
    changed = project_dir / "changed.csv"
    changed.write_text(csv.replace("Bakkerij De Gouden Korrel B.V.", "Bakkerij Het Zilveren Brood B.V."),
                       encoding="utf-8")
    assert run_cli("customers", "import", str(changed), env=env, cwd=project_dir).returncode == 0
    proc = run_cli("verify", f"out/{CONTRACT_PDF}", env=env, cwd=project_dir)
    assert proc.returncode == 1
    assert "INVALID: the text is not the contract version it claims to be" in proc.stdout
    assert "signature 'Verwerker': valid" in proc.stdout
    assert re.search(r"provenance: mismatch: the signed file is not verwerkersovereenkomst 1\.0 for "
                     r"customer C-1042: page \d+ differs .*Gouden Korrel", proc.stdout), proc.stdout
    # and `sign` refuses a PDF whose text is not the contract it names
    proc = run_cli("sign", f"unsigned/{CONTRACT_PDF}", "-o", "refused.pdf", env=env, cwd=project_dir)
    assert proc.returncode == 1
    assert ("assembler: error: refusing to sign: the PDF says it is verwerkersovereenkomst 1.0 for "
            "customer C-1042, but it is not that contract as rebuilt now") in proc.stderr
    assert not (project_dir / "refused.pdf").exists()


def test_provenance_mismatch_against_the_pinned_hash(project: tuple[Path, dict[str, str]]) -> None:
    project_dir, env = project
    assert _build(project_dir, env, "--sign").returncode == 0
    manifest = project_dir / "versions" / "verwerkersovereenkomst" / "1.0.toml"
    text = manifest.read_text(encoding="utf-8")
    pinned = re.search(r'sha256 = "([0-9a-f]{64})"', text)
    assert pinned
    manifest.write_text(text.replace(pinned.group(1), "0" * 64), encoding="utf-8")
    proc = run_cli("verify", f"out/{CONTRACT_PDF}", env=env, cwd=project_dir)
    assert proc.returncode == 1
    assert ("provenance: mismatch: the PDF says its text has SHA-256 3f9102f00e21…, but version 1.0 "
            "is pinned to 000000000000…") in proc.stdout


def test_provenance_not_checked_without_the_customer(project: tuple[Path, dict[str, str]],
                                                     tmp_path: Path) -> None:
    project_dir, env = project
    assert _build(project_dir, env, "--sign").returncode == 0
    other = {**env, "ASSEMBLER_REGISTRY": str(tmp_path / "empty.sqlite3")}
    proc = run_cli("verify", f"out/{CONTRACT_PDF}", env=other, cwd=project_dir)
    assert proc.returncode == 3  # a sound signature, no trust root; the file could not be compared
    assert ("provenance: not checked: customer C-1042 not in the registry (there is no registry at "
            f"{tmp_path / 'empty.sqlite3'}); the text was not compared; SHA-256 3f9102f00e21… is the "
            "pinned hash") in proc.stdout
    assert not (tmp_path / "empty.sqlite3").exists()  # verify creates no registry


def test_signed_contract_passes_pdfsig_qpdf_pdfa_and_pdfua(project: tuple[Path, dict[str, str]]) -> None:
    project_dir, env = project
    assert _build(project_dir, env, "--sign").returncode == 0
    path = project_dir / "out" / CONTRACT_PDF
    out = subprocess.run([require_tool("pdfsig"), str(path)], capture_output=True, text=True).stdout
    assert "Signature Validation: Signature is Valid." in out
    assert "Signature Field Name: Verwerkingsverantwoordelijke" in out and "is not signed" in out
    assert_qpdf_clean(path.read_bytes())
    assert_conformant(path.read_bytes())  # PDF/A-2b and PDF/UA-1 survive the signature


def test_sign_our_contract_without_its_customer_is_invisible_with_a_warning(
        project: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    project_dir, env = project
    assert _build(project_dir, env).returncode == 0
    other = {**env, "ASSEMBLER_REGISTRY": str(tmp_path / "empty.sqlite3")}
    proc = run_cli("sign", f"out/{CONTRACT_PDF}", "-o", "invisible.pdf", env=other, cwd=project_dir)
    assert proc.returncode == 0, proc.stderr
    assert ("cannot find its signature blocks (customer C-1042 not in the registry (there is no "
            "registry at") in proc.stderr
    assert "invisible" in proc.stdout
    assert list(_fields((project_dir / "invisible.pdf").read_bytes())) == [PROCESSOR_FIELD]


def _paint_white_box(pdf: bytes) -> bytes:
    """Return `pdf` with a white rectangle drawn over the middle of page 2 (its text stays)."""
    writer = PdfWriter(io.BytesIO(pdf), incremental=True)
    page = writer.pages[1]
    box = DecodedStreamObject()
    box.set_data(b"q 1 1 1 rg 40 200 520 400 re f Q")
    contents = page.raw_get("/Contents")
    page[NameObject("/Contents")] = ArrayObject(
        [*(contents if isinstance(contents, ArrayObject) else [contents]), writer._add_object(box)])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_white_box_over_articles_is_refused_by_sign_and_verify(project: tuple[Path, dict[str, str]],
                                                                test_pki: SigningPki) -> None:
    project_dir, env = project
    assert _build(project_dir, env).returncode == 0
    painted = _paint_white_box((project_dir / "out" / CONTRACT_PDF).read_bytes())
    assert page_texts(painted) == page_texts((project_dir / "out" / CONTRACT_PDF).read_bytes())
    (project_dir / "painted.pdf").write_bytes(painted)
    proc = run_cli("sign", "painted.pdf", "-o", "signed.pdf", env=env, cwd=project_dir)
    assert proc.returncode == 1
    assert ("refusing to sign: the PDF says it is verwerkersovereenkomst 1.0 for customer C-1042, but "
            "it is not that contract as rebuilt now: the text is the same but the file is not") in proc.stderr
    assert not (project_dir / "signed.pdf").exists()
    # signed by another tool all the same: verify finds the signed file is not the contract
    (project_dir / "signed.pdf").write_bytes(sign_pdf(painted, signer_config(test_pki), None, None))
    proc = run_cli("verify", "signed.pdf", "--trust", _root_pem(env), env=env, cwd=project_dir)
    assert proc.returncode == 1, proc.stdout
    assert "INVALID: the text is not the contract version it claims to be" in proc.stdout
    assert ("provenance: mismatch: the signed file is not verwerkersovereenkomst 1.0 for customer C-1042: "
            "the text is the same but the file is not") in proc.stdout


def test_build_sign_fills_the_processors_place_and_date(project: tuple[Path, dict[str, str]]) -> None:
    project_dir, env = project
    assert _build(project_dir, env, "--sign").returncode == 0
    signed = (project_dir / "out" / CONTRACT_PDF).read_bytes()
    claim = read_claim(signed)
    assert claim is not None and claim.signing is not None
    assert (claim.signing.place, claim.signing.signatory) == ("Amsterdam", "J. de Vries (Directeur)")
    page = " ".join(pdf_pages(signed)[-2].split())  # the signature page, before Bijlage 1
    assert f"Plaats: Amsterdam Datum: {format_date_nl(claim.signing.day)}" in page
    # the customer's lines stay blank, to be written on
    assert page.count("Plaats: Amsterdam") == 1


def test_signing_fills_what_the_stamp_says(tmp_path: Path) -> None:
    from assembler.agreement.project import Project
    from assembler.customers.document import build_contract
    from tests.customers.helpers import customer_c1042

    signing = ProcessorSigning("Amsterdam", dt.date(2026, 12, 1), "J. de Vries (Directeur)")
    built = build_contract(Project(ROOT), customer_c1042(), signing=signing)
    assert built.pdf is not None
    text = " ".join(" ".join(pdf_pages(built.pdf)).split())
    assert "Plaats: Amsterdam Datum: 1 december 2026" in text
    claim = read_claim(built.pdf)
    assert claim is not None and claim.signing == signing
    unsigned = build_contract(Project(ROOT), customer_c1042())
    assert unsigned.pdf is not None and "Plaats: Amsterdam" not in " ".join(pdf_pages(unsigned.pdf))


def _stamp_as_before(pdf: bytes, customer_id: str) -> bytes:
    """Stamp the customer id as contracts were stamped before the keywords were exact: padded."""
    value = customer_id.ljust(document.ID_WIDTH)
    for placeholder, stamped in ((document.ID_PLACEHOLDER.encode("ascii"), value.encode("ascii")),
                                 (document.ID_PLACEHOLDER.encode("utf-16-be").hex().upper().encode(),
                                  value.encode("utf-16-be").hex().upper().encode())):
        pdf = pdf.replace(placeholder, stamped)
    return pdf


def test_a_contract_signed_with_the_old_padded_keywords_still_matches(
        project: tuple[Path, dict[str, str]], test_pki: SigningPki,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Its rebuild is made in the padded form and the result says so; a changed byte still shows."""
    project_dir, env = project
    registry_file = project_dir / "var" / "registry.sqlite3"
    with open_registry(registry_file) as registry:
        customer = registry.customer("C-1042")
    with monkeypatch.context() as m:
        m.setattr(document, "stamp_customer_id", _stamp_as_before)
        built = document.build_contract(Project(project_dir), customer, formats=("pdf",))
    old = built.pdf or b""
    assert b"assembler:customer=C-1042" + b" " * 58 in old  # the form of the earlier files
    assert built.processor_box is not None and built.customer_box is not None
    signed = sign_pdf(old, signer_config(test_pki), built.processor_box, built.customer_box)
    (project_dir / "out").mkdir()
    (project_dir / "out" / CONTRACT_PDF).write_bytes(signed)
    proc = run_cli("verify", f"out/{CONTRACT_PDF}", "--trust", _root_pem(env), env=env, cwd=project_dir)
    assert proc.returncode == 0, proc.stdout
    assert ("provenance: match: the signed file is byte for byte verwerkersovereenkomst 1.0 for "
            "customer C-1042, rebuilt now; it was built before the keywords were exact (its "
            "customer id padded with spaces inside them), so the rebuild was made in that form; "
            "SHA-256") in proc.stdout

    at = old.rindex(b"/ID[(") + 5  # one byte of the file identifier, same length
    tampered = old[:at] + (b"A" if old[at:at + 1] != b"A" else b"B") + old[at + 1:]
    assert tampered != old
    result = check_provenance(Project(project_dir), registry_file, tampered)
    assert result.status == "mismatch" and "differs from the rebuilt contract from byte" in result.detail, result.detail


def test_signing_a_signed_contract_says_it_is_signed_already(project: tuple[Path, dict[str, str]]) -> None:
    project_dir, env = project
    assert _build(project_dir, env, "--sign").returncode == 0
    signed = (project_dir / "out" / CONTRACT_PDF).read_bytes()
    claimed = PdfFileReader(io.BytesIO(signed)).embedded_signatures[0].self_reported_timestamp
    proc = run_cli("sign", f"out/{CONTRACT_PDF}", "-o", "again.pdf", env=env, cwd=project_dir)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert proc.stderr.strip().splitlines() == [
        "assembler: error: refusing to sign: the PDF is already signed by Test Ondertekenaar (field "
        f"'Verwerker') on {local_time(claimed)}; sign the original, unsigned PDF"]
    assert not (project_dir / "again.pdf").exists()
