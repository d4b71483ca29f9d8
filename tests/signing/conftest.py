"""Fixtures for the signing tests: a test PKI, a PDF/A to sign, and a local RFC 3161 server."""

from __future__ import annotations

import datetime as dt
import http.server
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from asn1crypto import keys as asn1_keys
from asn1crypto import tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

from assembler.model import SignatureBox
from assembler.render import typst_pdf as render_pdf
from assembler.signing import demo_pki as pki
from assembler.signing.keys import SignerConfig

HERE = Path(__file__).resolve().parent
PASSWORD = "Wachtwoord-voor-de-test-3f9a"
"""The test PKCS#12 password; tests check it never shows in output."""
A4_HEIGHT = 841.89


@dataclass(frozen=True)
class SigningPki:
    """A root CA with certificates for every case the tests need."""

    root: pki.Issued
    signer: pki.Issued
    expired: pki.Issued
    not_yet_valid: pki.Issued
    no_signing: pki.Issued
    tsa: pki.Issued
    other_root: pki.Issued


@pytest.fixture(scope="session")
def test_pki() -> SigningPki:
    """Return the test PKI (RSA, made with cryptography)."""
    now = dt.datetime.now(dt.UTC)
    root = pki.make_ca("Test Root CA", "Testlab")
    return SigningPki(
        root=root,
        signer=pki.make_cert(root, "Test Ondertekenaar", "VoIP Express"),
        expired=pki.make_cert(root, "Verlopen", "VoIP Express", not_before=now - dt.timedelta(days=400),
                              not_after=now - dt.timedelta(days=30)),
        not_yet_valid=pki.make_cert(root, "Nog niet geldig", "VoIP Express",
                                    not_before=now + dt.timedelta(days=10),
                                    not_after=now + dt.timedelta(days=400)),
        no_signing=pki.make_cert(root, "Alleen versleutelen", "VoIP Express", signing=False),
        tsa=pki.make_cert(root, "Test TSA", "Testlab", signing=True, timestamping=True),
        other_root=pki.make_ca("Someone Else CA", "Elsewhere"),
    )


def signer_config(pki_: SigningPki, **kwargs: object) -> SignerConfig:
    """Return a SignerConfig for the test signer."""
    return SignerConfig(key=pki_.signer.key, cert=pki_.signer.cert, chain=(pki_.root.cert,),
                        **kwargs)  # type: ignore[arg-type]


@dataclass(frozen=True)
class SamplePdf:
    """A two-page PDF/A-2b with two signature blocks, rendered by Typst through our wrapper."""

    pdf: bytes
    processor_box: SignatureBox
    customer_box: SignatureBox


def render_sample(paragraphs: list[str]) -> SamplePdf:
    """Render tests/signing/sample.typ and return it with its signature boxes."""
    saved = render_pdf.TEMPLATES
    render_pdf.TEMPLATES = HERE
    try:
        template = render_pdf.Template("sample.typ")
    finally:
        render_pdf.TEMPLATES = saved
    data = {"title": "Verwerkersovereenkomst (test)", "keywords": ["test"], "paragraphs": paragraphs}
    pdf = template.render(data, render_pdf.timestamp_of(dt.date(2026, 11, 28)))
    boxes = {}
    for b in template.query(data, "sigbox"):
        boxes[b["role"]] = SignatureBox(page=b["page"] - 1, x1=b["x"], y1=A4_HEIGHT - b["y"] - b["h"],
                                        x2=b["x"] + b["w"], y2=A4_HEIGHT - b["y"])
    return SamplePdf(pdf, boxes["processor"], boxes["customer"])


PARAGRAPHS = [f"{n}.1. De Verwerker verwerkt de persoonsgegevens uitsluitend in opdracht van de "
              f"Verwerkingsverantwoordelijke. " * 12 for n in range(1, 5)]


@pytest.fixture(scope="session")
def sample() -> SamplePdf:
    """Return the sample PDF/A to sign."""
    return render_sample(PARAGRAPHS)


# --- a local RFC 3161 timestamp server --------------------------------------------------------


def _asn1_cert(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def stamper(tsa: pki.Issued, chain: list[x509.Certificate]) -> DummyTimeStamper:
    """Return pyHanko's dummy timestamper signing with `tsa`."""
    key = asn1_keys.PrivateKeyInfo.load(tsa.key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return DummyTimeStamper(tsa_cert=_asn1_cert(tsa.cert), tsa_key=key,
                            certs_to_embed=[_asn1_cert(c) for c in chain])


class PkiServer(http.server.ThreadingHTTPServer):
    """A local TSA (POST) and CRL (GET) server; set `stamper` and `crl` once the certificates exist."""

    stamper: DummyTimeStamper | None = None
    crl: bytes | None = None

    @property
    def url(self) -> str:
        """Return the base URL."""
        return f"http://127.0.0.1:{self.server_address[1]}"


def serve_pki() -> PkiServer:
    """Start a PkiServer on 127.0.0.1 (an ephemeral port) in a thread."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def _reply(self, body: bytes, kind: str) -> None:
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            body = self.rfile.read(int(self.headers["Content-Length"]))
            ts = server.stamper
            assert ts is not None
            self._reply(ts.request_tsa_response(tsp.TimeStampReq.load(body)).dump(),
                        "application/timestamp-reply")

        def do_GET(self) -> None:  # noqa: N802
            if server.crl is None:
                self.send_error(404)
            else:
                self._reply(server.crl, "application/pkix-crl")

        def log_message(self, *args: object) -> None:
            pass

    server = PkiServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture(scope="session")
def tsa_url(test_pki: SigningPki) -> Iterator[str]:
    """Return the URL of a local RFC 3161 server (pyHanko's dummy timestamper) on 127.0.0.1."""
    server = serve_pki()
    server.stamper = stamper(test_pki.tsa, [test_pki.root.cert])
    yield f"{server.url}/tsa"
    server.shutdown()
    server.server_close()


# --- running the CLI with a key -----------------------------------------------------------------


@pytest.fixture
def key_env(tmp_path: Path, test_pki: SigningPki) -> dict[str, str]:
    """Return an environment with the test signer's PKCS#12 file and password configured."""
    p12 = tmp_path / "signer.p12"
    p12.write_bytes(pki.pkcs12_bytes(test_pki.signer, [test_pki.root.cert], PASSWORD))
    (tmp_path / "root.pem").write_bytes(pki.pem(test_pki.root.cert))
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSEMBLER_")}
    env.update({"ASSEMBLER_SIGNING_PKCS12": str(p12), "ASSEMBLER_SIGNING_PASSWORD": PASSWORD,
                "PYTHONPATH": str(HERE.parent.parent)})
    return env


def run_cli(*args: str, env: dict[str, str], cwd: Path | None = None,
            stdin: int | None = subprocess.DEVNULL) -> subprocess.CompletedProcess[str]:
    """Run ``python -m assembler ARGS`` as a fresh process."""
    return subprocess.run([sys.executable, "-m", "assembler", *args], env=env, cwd=cwd,
                          capture_output=True, text=True, stdin=stdin, timeout=120)
