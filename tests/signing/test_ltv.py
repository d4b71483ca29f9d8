"""PAdES B-LT (`--ltv`): revocation data fetched from a local CRL server, or a clear error."""

from __future__ import annotations

import datetime as dt
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

from assembler.errors import SigningError
from assembler.signing import demo_pki as pki
from assembler.signing.keys import SignerConfig
from assembler.signing.pades import sign_pdf
from assembler.signing.verify import verify_pdf
from tests.conftest import require_tool
from tests.pdf_conformance import failures
from tests.signing.conftest import PkiServer, SamplePdf, SigningPki, serve_pki, signer_config, stamper


@pytest.fixture(scope="module")
def crl_pki() -> Iterator[tuple[PkiServer, pki.Issued, pki.Issued]]:
    """A root whose signer and TSA certificates name a CRL served on 127.0.0.1."""
    server = serve_pki()
    root = pki.make_ca("LTV Root CA", "Testlab")
    crl_url = f"{server.url}/root.crl"
    signer = pki.make_cert(root, "LTV Ondertekenaar", "VoIP Express", crl_url=crl_url)
    tsa = pki.make_cert(root, "LTV TSA", "Testlab", timestamping=True, crl_url=crl_url)
    now = dt.datetime.now(dt.UTC)
    server.crl = (x509.CertificateRevocationListBuilder().issuer_name(root.cert.subject)
                  .last_update(now - dt.timedelta(hours=1)).next_update(now + dt.timedelta(days=7))
                  .sign(root.key, hashes.SHA256())).public_bytes(serialization.Encoding.DER)
    server.stamper = stamper(tsa, [root.cert])
    yield server, root, signer
    server.shutdown()
    server.server_close()


def test_b_lt_embeds_revocation_data(sample: SamplePdf, crl_pki) -> None:  # type: ignore[no-untyped-def]
    server, root, signer = crl_pki
    signed = sign_pdf(sample.pdf, _ltv_config(server, root, signer), sample.processor_box,
                      sample.customer_box)
    assert b"/DSS" in signed and b"/CRLs" in signed
    result = verify_pdf(signed, {"": [root.cert]})
    assert result.valid
    (check,) = result.signatures
    assert check.level == "B-LT" and check.trusted and check.timestamp and check.timestamp.valid
    # the validation data is part of the signed revision: nothing follows the signature
    assert check.coverage == "whole file" and check.later_changes == "none"


def _ltv_config(server: PkiServer, root: pki.Issued, signer: pki.Issued) -> SignerConfig:
    return SignerConfig(key=signer.key, cert=signer.cert, chain=(root.cert,),
                        tsa_url=f"{server.url}/tsa", ltv=True)


def test_b_lt_signed_contract_stays_pdf_a_2b_and_pdf_ua_1(sample: SamplePdf,  # type: ignore[no-untyped-def]
                                                           crl_pki) -> None:
    """The validation data must not rewrite Typst's XMP nor leave the ByteRange short of the end."""
    server, root, signer = crl_pki
    signed = sign_pdf(sample.pdf, _ltv_config(server, root, signer), sample.processor_box,
                      sample.customer_box)
    assert signed.startswith(sample.pdf)  # one incremental update: the XMP is Typst's, untouched
    assert failures(signed, "2b") == [] and failures(signed, "ua1") == []


def test_pdfsig_validates_a_b_lt_signature(tmp_path: Path, sample: SamplePdf,  # type: ignore[no-untyped-def]
                                           crl_pki) -> None:
    server, root, signer = crl_pki
    path = tmp_path / "ltv.pdf"
    path.write_bytes(sign_pdf(sample.pdf, _ltv_config(server, root, signer), sample.processor_box,
                              sample.customer_box))
    out = subprocess.run([require_tool("pdfsig"), str(path)], capture_output=True, text=True).stdout
    assert "Signature Validation: Signature is Valid." in out
    assert "Total document signed" in out


def test_ltv_without_revocation_data_is_a_clear_error(sample: SamplePdf, test_pki: SigningPki,
                                                      tsa_url: str) -> None:
    with pytest.raises(SigningError, match=r"--ltv: cannot fetch revocation data \(CRL or OCSP\)"):
        sign_pdf(sample.pdf, signer_config(test_pki, tsa_url=tsa_url, ltv=True), None, None)


def test_ltv_needs_a_timestamp_server(sample: SamplePdf, test_pki: SigningPki) -> None:
    with pytest.raises(SigningError, match="needs a timestamp"):
        sign_pdf(sample.pdf, signer_config(test_pki, ltv=True), None, None)


def test_unreachable_timestamp_server_is_a_clear_error(sample: SamplePdf, test_pki: SigningPki) -> None:
    with pytest.raises(SigningError, match=r"timestamp server http://127\.0\.0\.1:9/tsa"):
        sign_pdf(sample.pdf, signer_config(test_pki, tsa_url="http://127.0.0.1:9/tsa"), None, None)


def test_a_timestamp_over_other_data_makes_the_signature_invalid(sample: SamplePdf,
                                                                  test_pki: SigningPki) -> None:
    """A TSA that stamps the wrong imprint: verify shows the timestamp invalid and exits 1."""
    from asn1crypto import tsp

    class WrongImprint(DummyTimeStamper):
        def _build_tst_info(self, message_imprint, dt, req):  # type: ignore[no-untyped-def]
            wrong = tsp.MessageImprint({"hash_algorithm": message_imprint["hash_algorithm"],
                                        "hashed_message": bytes(32)})
            return super()._build_tst_info(wrong, dt, req)

    server = serve_pki()
    good = stamper(test_pki.tsa, [test_pki.root.cert])
    server.stamper = WrongImprint(tsa_cert=good.tsa_cert, tsa_key=good.tsa_key,
                                  certs_to_embed=good.certs_to_embed)
    try:
        signed = sign_pdf(sample.pdf, signer_config(test_pki, tsa_url=f"{server.url}/tsa"), None, None)
    finally:
        server.shutdown()
        server.server_close()
    result = verify_pdf(signed, {"": [test_pki.root.cert]})
    (check,) = result.signatures
    assert check.valid and check.timestamp is not None and not check.timestamp.valid
    assert not check.ok and not result.valid
