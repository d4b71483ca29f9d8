"""`assembler verify` on valid, countersigned and tampered files; poppler's pdfsig agrees."""

from __future__ import annotations

import io
import json
import subprocess
from pathlib import Path

import pytest
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers
from pyhanko.sign.fields import SigSeedSubFilter
from pypdf import PdfWriter
from pypdf.annotations import Text
from pypdf.generic import NameObject

from assembler.dutch import format_date_nl
from assembler.signing import demo_pki as pki
from assembler.signing.keys import SignerConfig
from assembler.signing.pades import CUSTOMER_FIELD, sign_pdf
from tests.conftest import require_tool
from tests.signing.conftest import SamplePdf, SigningPki, run_cli, signer_config


@pytest.fixture(scope="module")
def signed(sample: SamplePdf, test_pki: SigningPki) -> bytes:
    """The sample, signed B-B with the visible signature and the customer's empty field."""
    return sign_pdf(sample.pdf, signer_config(test_pki), sample.processor_box, sample.customer_box)


def _verify(tmp_path: Path, pdf: bytes, env: dict[str, str], *extra: str) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "file.pdf"
    path.write_bytes(pdf)
    return run_cli("verify", str(path), *extra, env=env, cwd=tmp_path)


def _pdfsig(tmp_path: Path, pdf: bytes) -> str:
    path = tmp_path / "pdfsig.pdf"
    path.write_bytes(pdf)
    proc = subprocess.run([require_tool("pdfsig"), str(path)], capture_output=True, text=True)
    return proc.stdout + proc.stderr


def _flip_byte_in_signed_content(pdf: bytes) -> bytes:
    # a byte inside the first content stream: the file still parses, the digest no longer matches
    at = pdf.index(b"stream", pdf.index(b"/FlateDecode")) + 40
    return pdf[:at] + bytes([pdf[at] ^ 0x01]) + pdf[at + 1:]


def _append(pdf: bytes, change) -> bytes:  # type: ignore[no-untyped-def]
    writer = PdfWriter(io.BytesIO(pdf), incremental=True)
    change(writer)
    out = io.BytesIO()
    writer.write(out)
    result = out.getvalue()
    assert result.startswith(pdf)  # really an incremental update after the signature
    return result


def _add_note(writer: PdfWriter) -> None:
    writer.add_annotation(page_number=0, annotation=Text(rect=(50, 700, 200, 780), text="Gewijzigd"))


def _change_title(writer: PdfWriter) -> None:
    writer.add_metadata({"/Title": "Een andere overeenkomst"})


def _replace_text(writer: PdfWriter) -> None:
    # page 1 shows page 2's content: the text of the contract is replaced
    first, second = writer.pages[0], writer.pages[1]
    first.replace_contents(second.get_contents())
    first[NameObject("/Resources")] = second["/Resources"]


def test_valid_file(tmp_path: Path, signed: bytes, key_env: dict[str, str]) -> None:
    proc = _verify(tmp_path, signed, key_env, "--trust", _root(tmp_path, key_env))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = proc.stdout
    assert out.splitlines()[0].endswith(": VALID")
    assert "signature 'Verwerker': valid" in out
    assert "signer:     Test Ondertekenaar (VoIP Express)" in out
    assert "PAdES B-B (ETSI.CAdES.detached" in out
    assert "coverage:   the whole file" in out
    assert "trust:      trusted" in out
    assert "empty signature field 'Verwerkingsverantwoordelijke': not signed yet" in out


def _root(tmp_path: Path, env: dict[str, str]) -> str:
    return str(Path(env["ASSEMBLER_SIGNING_PKCS12"]).parent / "root.pem")


def test_untrusted_root_and_no_trust_given(tmp_path: Path, signed: bytes, key_env: dict[str, str],
                                           test_pki: SigningPki) -> None:
    other = tmp_path / "other.pem"
    other.write_bytes(pki.pem(test_pki.other_root.cert))
    proc = _verify(tmp_path, signed, key_env, "--trust", str(other))
    assert proc.returncode == 1
    assert "INVALID: the signer of 'Verwerker' is not trusted (no path to a trust root)" in proc.stdout
    assert "NOT trusted: no path to a trust root" in proc.stdout
    proc = _verify(tmp_path, signed, key_env)
    assert proc.returncode == 3
    assert proc.stdout.splitlines()[0].endswith(
        ": INTACT, SIGNER NOT VERIFIED: no trust root vouches for 'Verwerker'")
    assert "trust:      NOT VERIFIED: no trust root for 'Verwerker'" in proc.stdout


def test_json_output(tmp_path: Path, signed: bytes, key_env: dict[str, str]) -> None:
    proc = _verify(tmp_path, signed, key_env, "--format", "json", "--trust", _root(tmp_path, key_env))
    assert proc.returncode == 0
    data = json.loads(proc.stdout)
    assert data["valid"] is True and data["problems"] == []
    sig = data["signatures"][0]
    assert (sig["field"], sig["intact"], sig["trusted"], sig["coverage"], sig["subfilter"]) == (
        "Verwerker", True, True, "whole file", "ETSI.CAdES.detached")
    assert sig["signing_time"].endswith("+00:00")
    assert data["empty_fields"] == [CUSTOMER_FIELD]


@pytest.mark.parametrize("tamper, says", [
    (_flip_byte_in_signed_content, "the content signed in 'Verwerker' was modified"),
    (lambda pdf: _append(pdf, _add_note), "changes were appended after 'Verwerker' was signed"),
    (lambda pdf: _append(pdf, _change_title), "changes were appended after 'Verwerker' was signed"),
    (lambda pdf: _append(pdf, _replace_text), "changes were appended after 'Verwerker' was signed"),
], ids=["byte-flipped", "annotation-appended", "metadata-changed", "text-replaced"])
def test_tampered_file_is_invalid(tmp_path: Path, signed: bytes, key_env: dict[str, str],
                                  tamper, says: str) -> None:  # type: ignore[no-untyped-def]
    proc = _verify(tmp_path, tamper(signed), key_env, "--trust", _root(tmp_path, key_env))
    assert proc.returncode == 1, proc.stdout
    assert says in proc.stdout.splitlines()[0]
    assert "INVALID" in proc.stdout


def test_customer_countersignature_is_an_allowed_change(tmp_path: Path, signed: bytes,
                                                        key_env: dict[str, str],
                                                        test_pki: SigningPki) -> None:
    countersigned = _countersign(signed, pki.make_cert(test_pki.root, "Klant Ondertekenaar", "Klant B.V."))
    proc = _verify(tmp_path, countersigned, key_env, "--trust", _root(tmp_path, key_env))
    assert proc.returncode == 0, proc.stdout
    assert "coverage:   the file as signed; added later: form filling (allowed)" in proc.stdout
    assert "signature 'Verwerkingsverantwoordelijke': valid" in proc.stdout
    assert "Klant Ondertekenaar (Klant B.V.)" in proc.stdout
    assert "empty signature field" not in proc.stdout


def test_unsigned_pdf_and_not_a_pdf(tmp_path: Path, sample: SamplePdf, key_env: dict[str, str]) -> None:
    proc = _verify(tmp_path, sample.pdf, key_env)
    assert proc.returncode == 1
    assert "INVALID: not signed" in proc.stdout
    proc = _verify(tmp_path, b"hello", key_env)
    assert proc.returncode == 1
    assert proc.stderr.strip() == f"assembler: error: {tmp_path / 'file.pdf'}: not a PDF file"
    assert "Traceback" not in proc.stderr


def test_pdfsig_accepts_ours_and_rejects_the_tampered_one(tmp_path: Path, signed: bytes) -> None:
    out = _pdfsig(tmp_path, signed)
    assert "Signature Field Name: Verwerker" in out
    assert "Signature Type: ETSI.CAdES.detached" in out
    assert "Signature Validation: Signature is Valid." in out
    assert "Total document signed" in out
    tampered = _pdfsig(tmp_path, _flip_byte_in_signed_content(signed))
    assert "Signature Validation: Signature is Valid." not in tampered
    assert "Digest Mismatch" in tampered or "Signature is Invalid" in tampered
    appended = _pdfsig(tmp_path, _append(signed, _add_note))
    assert "Total document signed" not in appended  # pdfsig sees the appended update too


def test_sign_and_verify_b_t_through_the_cli(tmp_path: Path, sample: SamplePdf, key_env: dict[str, str],
                                             tsa_url: str) -> None:
    src = tmp_path / "contract.pdf"
    src.write_bytes(sample.pdf)
    env = {**key_env, "ASSEMBLER_SIGNING_TSA_URL": tsa_url}
    proc = run_cli("sign", str(src), env=env, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "PAdES B-T" in proc.stdout
    proc = run_cli("verify", str(tmp_path / "contract-signed.pdf"), "--trust", _root(tmp_path, key_env),
                   env=key_env, cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout
    assert "PAdES B-T (ETSI.CAdES.detached" in proc.stdout
    assert "(valid, TSA trusted)" in proc.stdout


def test_pdfsig_trusts_ours_with_the_root_in_an_nss_database(tmp_path: Path, signed: bytes,
                                                             test_pki: SigningPki) -> None:
    certutil = require_tool("certutil")
    nss = tmp_path / "nss"
    nss.mkdir()
    root = tmp_path / "root.pem"
    root.write_bytes(pki.pem(test_pki.root.cert))
    subprocess.run([certutil, "-N", "-d", f"sql:{nss}", "--empty-password"], check=True)
    subprocess.run([certutil, "-A", "-d", f"sql:{nss}", "-n", "Test Root CA", "-t", "CT,C,C", "-i",
                    str(root)], check=True)
    path = tmp_path / "signed.pdf"
    path.write_bytes(signed)
    out = subprocess.run([require_tool("pdfsig"), "-nssdir", f"sql:{nss}", str(path)],
                         capture_output=True, text=True).stdout
    assert "Signature Validation: Signature is Valid." in out
    assert "Certificate Validation: Certificate is Trusted." in out


# --- forgeries and honest signatures that must not be called VALID (or INVALID) -----------------


def test_self_made_voip_express_certificate_is_never_valid(tmp_path: Path, sample: SamplePdf,
                                                           key_env: dict[str, str]) -> None:
    forger = pki.make_ca("VoIP Express Root CA", "VoIP Express")
    fake = pki.make_cert(forger, "VoIP Express", "VoIP Express")
    forged = sign_pdf(sample.pdf, SignerConfig(key=fake.key, cert=fake.cert, chain=(forger.cert,)),
                      sample.processor_box, sample.customer_box)
    proc = _verify(tmp_path, forged, key_env)
    assert proc.returncode == 3, proc.stdout
    assert proc.stdout.splitlines()[0].endswith(": INTACT, SIGNER NOT VERIFIED: no trust root vouches "
                                                "for 'Verwerker'")
    assert "VALID" not in proc.stdout.replace("INVALID", "")
    proc = _verify(tmp_path, forged, key_env, "--trust", _root(tmp_path, key_env))
    assert proc.returncode == 1
    assert "INVALID: the signer of 'Verwerker' is not trusted (no path to a trust root)" in proc.stdout


def test_trust_roots_from_the_environment(tmp_path: Path, signed: bytes, key_env: dict[str, str]) -> None:
    proc = _verify(tmp_path, signed, {**key_env, "ASSEMBLER_SIGNING_TRUST": _root(tmp_path, key_env)})
    assert proc.returncode == 0, proc.stdout
    assert "trust:      trusted: the certificate chains to a trust root" in proc.stdout


def _edit_xmp(writer: PdfWriter) -> None:
    metadata = writer.root_object["/Metadata"].get_object()
    data = metadata.get_data()
    assert b"Verwerkersovereenkomst (test)" in data
    metadata.set_data(data.replace(b"Verwerkersovereenkomst (test)", b"Koopovereenkomst"))


def test_xmp_edited_after_signing_is_invalid(tmp_path: Path, signed: bytes, key_env: dict[str, str]) -> None:
    proc = _verify(tmp_path, _append(signed, _edit_xmp), key_env, "--trust", _root(tmp_path, key_env))
    assert proc.returncode == 1, proc.stdout
    assert "INVALID: changes were appended after 'Verwerker' was signed" in proc.stdout
    assert "CHANGED after signing: document metadata (title, subject, keywords, XMP, …)" in proc.stdout


def test_expired_signer_is_reported_as_expired(tmp_path: Path, sample: SamplePdf, key_env: dict[str, str],
                                               test_pki: SigningPki) -> None:
    expired = sign_pdf(sample.pdf, SignerConfig(key=test_pki.expired.key, cert=test_pki.expired.cert,
                                                chain=(test_pki.root.cert,)),
                       sample.processor_box, sample.customer_box)
    day = format_date_nl(test_pki.expired.cert.not_valid_after_utc.date())
    for extra in (("--trust", _root(tmp_path, key_env)), ()):
        proc = _verify(tmp_path, expired, key_env, *extra)
        assert proc.returncode == 1, proc.stdout
        assert (f"INVALID: the signer of 'Verwerker' is not trusted (the signing certificate had "
                f"expired ({day}))") in proc.stdout


def _countersign(signed: bytes, customer: pki.Issued,
                 subfilter: SigSeedSubFilter = SigSeedSubFilter.PADES) -> bytes:
    key = asn1_keys.PrivateKeyInfo.load(customer.key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    cert = asn1_x509.Certificate.load(customer.cert.public_bytes(serialization.Encoding.DER))
    meta = signers.PdfSignatureMetadata(field_name=CUSTOMER_FIELD, md_algorithm="sha256",
                                        subfilter=subfilter)
    return signers.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(signed)), meta,
                            signers.SimpleSigner(cert, key, cert_registry=None),
                            existing_fields_only=True).getvalue()


def test_countersignature_under_the_customers_own_ca(tmp_path: Path, signed: bytes,
                                                     key_env: dict[str, str]) -> None:
    their_root = pki.make_ca("Klant Root CA", "Klant B.V.")
    countersigned = _countersign(signed, pki.make_cert(their_root, "Klant Ondertekenaar", "Klant B.V."))
    ours = _root(tmp_path, key_env)
    proc = _verify(tmp_path, countersigned, key_env, "--trust", ours)
    assert proc.returncode == 3, proc.stdout  # not INVALID: their root was simply not given
    assert ("INTACT, SIGNER NOT VERIFIED: no trust root vouches for 'Verwerkingsverantwoordelijke'"
            in proc.stdout)
    theirs = tmp_path / "klant-root.pem"
    theirs.write_bytes(pki.pem(their_root.cert))
    proc = _verify(tmp_path, countersigned, key_env, "--trust", ours,
                   "--trust", f"{CUSTOMER_FIELD}={theirs}")
    assert proc.returncode == 0, proc.stdout
    assert proc.stdout.splitlines()[0].endswith(": VALID")
    # roots given for their field only say nothing about ours
    proc = _verify(tmp_path, signed, key_env, "--trust", f"{CUSTOMER_FIELD}={theirs}")
    assert proc.returncode == 3


def test_a_cms_countersignature_is_not_called_pades(tmp_path: Path, signed: bytes,
                                                   key_env: dict[str, str], test_pki: SigningPki) -> None:
    # pyHanko's default SubFilter, as a customer's tool may sign: CMS, no PAdES level at all
    countersigned = _countersign(signed, pki.make_cert(test_pki.root, "Klant Ondertekenaar", "Klant B.V."),
                                 SigSeedSubFilter.ADOBE_PKCS7_DETACHED)
    proc = _verify(tmp_path, countersigned, key_env, "--trust", _root(tmp_path, key_env))
    formats = [line.strip() for line in proc.stdout.splitlines() if line.strip().startswith("format:")]
    assert formats == ["format:     PAdES B-B (ETSI.CAdES.detached, SHA-256 digest)",
                       "format:     CMS (adbe.pkcs7.detached), not PAdES; SHA-256 digest"], proc.stdout
    levels = [s["level"] for s in json.loads(_verify(tmp_path, countersigned, key_env, "--trust",
                                                     _root(tmp_path, key_env), "--format", "json").stdout)
              ["signatures"]]
    assert levels == ["B-B", ""]
