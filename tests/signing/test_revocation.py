"""A revoked signing certificate: `verify` says so in words and never VALID; `--ltv` refuses to sign."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from asn1crypto import crl as asn1_crl
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from pyhanko.sign.validation.dss import DocumentSecurityStore

from assembler.errors import SigningError
from assembler.signing import demo_pki as pki
from assembler.signing.keys import SignerConfig
from assembler.signing.pades import sign as pades_sign
from assembler.signing.pades import sign_pdf
from assembler.signing.verify import verify_pdf
from tests.signing.conftest import PkiServer, SamplePdf, run_cli, serve_pki, stamper

REVOKED = "the signing certificate (or its CA) was revoked"


@pytest.fixture(scope="module")
def revoked_pki() -> Iterator[tuple[PkiServer, pki.Issued, pki.Issued]]:
    """A demo CA, a signer it issued and then revoked, and its CRL served on 127.0.0.1."""
    server = serve_pki()
    root = pki.make_ca("Intrekking Root CA", "Testlab")
    crl_url = f"{server.url}/root.crl"
    signer = pki.make_cert(root, "Ingetrokken Ondertekenaar", "VoIP Express", crl_url=crl_url)
    tsa = pki.make_cert(root, "Intrekking TSA", "Testlab", timestamping=True, crl_url=crl_url)
    now = dt.datetime.now(dt.UTC)
    revoked = (x509.RevokedCertificateBuilder().serial_number(signer.cert.serial_number)
               .revocation_date(now - dt.timedelta(hours=2))
               .add_extension(x509.CRLReason(x509.ReasonFlags.key_compromise), critical=False).build())
    server.crl = (x509.CertificateRevocationListBuilder().issuer_name(root.cert.subject)
                  .last_update(now - dt.timedelta(hours=1)).next_update(now + dt.timedelta(days=7))
                  .add_revoked_certificate(revoked)
                  .sign(root.key, hashes.SHA256())).public_bytes(serialization.Encoding.DER)
    server.stamper = stamper(tsa, [root.cert])
    yield server, root, signer
    server.shutdown()
    server.server_close()


def _with_crl(signed: bytes, crl: bytes) -> bytes:
    """Append the CA's CRL as validation data (a DSS update, as a validator or archive adds it)."""
    out = io.BytesIO(signed)
    writer = pades_sign._KeepXmpWriter(out, strict=False)
    DocumentSecurityStore.supply_dss_in_writer(writer, None, crls=[asn1_crl.CertificateList.load(crl)])
    writer.write_in_place()
    return out.getvalue()


@pytest.fixture(scope="module")
def revoked_signed(sample: SamplePdf, revoked_pki) -> bytes:  # type: ignore[no-untyped-def]
    server, root, signer = revoked_pki
    config = SignerConfig(key=signer.key, cert=signer.cert, chain=(root.cert,))
    signed = sign_pdf(sample.pdf, config, sample.processor_box, sample.customer_box)
    assert server.crl is not None
    return _with_crl(signed, server.crl)


def test_verify_reports_a_revoked_signer_in_words_and_never_valid(revoked_signed: bytes,  # type: ignore[no-untyped-def]
                                                                 revoked_pki) -> None:
    _, root, _ = revoked_pki
    result = verify_pdf(revoked_signed, {"": [root.cert]})
    (check,) = result.signatures
    assert check.intact and check.trusted is False and check.trust_problem == REVOKED
    assert check.later_changes == "validation data" and check.changes_allowed
    assert not result.valid and result.verdict != "valid"


def test_the_cli_says_revoked_and_exits_non_zero(tmp_path: Path, revoked_signed: bytes,  # type: ignore[no-untyped-def]
                                                 revoked_pki, key_env: dict[str, str]) -> None:
    _, root, _ = revoked_pki
    (tmp_path / "ingetrokken.pdf").write_bytes(revoked_signed)
    (tmp_path / "ca.pem").write_bytes(pki.pem(root.cert))
    proc = run_cli("verify", "ingetrokken.pdf", "--trust", "ca.pem", env=key_env, cwd=tmp_path)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "VALID" not in proc.stdout.replace("INVALID", "")
    assert REVOKED in proc.stdout
    assert "Traceback" not in proc.stderr


def test_without_the_crl_the_revocation_cannot_be_seen_offline(sample: SamplePdf,  # type: ignore[no-untyped-def]
                                                               revoked_pki) -> None:
    """verify fetches nothing: without embedded revocation data it cannot tell (and says trusted)."""
    _, root, signer = revoked_pki
    config = SignerConfig(key=signer.key, cert=signer.cert, chain=(root.cert,))
    signed = sign_pdf(sample.pdf, config, sample.processor_box, sample.customer_box)
    (check,) = verify_pdf(signed, {"": [root.cert]}).signatures
    assert check.trusted and check.trust_problem == ""


def test_ltv_refuses_to_sign_with_a_revoked_certificate(sample: SamplePdf, revoked_pki) -> None:  # type: ignore[no-untyped-def]
    server, root, signer = revoked_pki
    config = SignerConfig(key=signer.key, cert=signer.cert, chain=(root.cert,),
                          tsa_url=f"{server.url}/tsa", ltv=True)
    with pytest.raises(SigningError, match="revoked"):
        sign_pdf(sample.pdf, config, sample.processor_box, sample.customer_box)
