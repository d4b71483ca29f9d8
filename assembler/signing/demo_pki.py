"""Certificates for the demo and the tests: an RSA CA and signer, made with `cryptography`.

`make_ca` / `make_cert` create certificates with any validity and key usage (the tests use them
for expired, not-yet-valid and non-signing keys). `demo_pki` creates, on first use, a DEMO CA
and a DEMO signer under ``var/pki/`` (mode 0700): the PKCS#12 file (0600) and its generated
password in a file beside it (0600), which the demo exports into the environment of the
commands it runs, never onto a command line.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from assembler.fsutil import atomic_write_bytes

DEMO_ORG = "VoIP Express DEMO — niet vertrouwd"
DEMO_CA_NAME = "VoIP Express DEMO CA — niet vertrouwd"
DEMO_SIGNER_NAME = "VoIP Express DEMO ondertekening — niet vertrouwd"


@dataclass(frozen=True)
class Issued:
    """A key and its certificate."""

    key: rsa.RSAPrivateKey
    cert: x509.Certificate


def _name(cn: str, org: str) -> x509.Name:
    return x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "NL"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, org),
        x509.NameAttribute(NameOID.COMMON_NAME, cn),
    ])


def _key_usage(**set_: bool) -> x509.KeyUsage:
    fields = dict(digital_signature=False, content_commitment=False, key_encipherment=False,
                  data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
                  encipher_only=False, decipher_only=False)
    fields.update(set_)
    return x509.KeyUsage(**fields)


def make_ca(cn: str = DEMO_CA_NAME, org: str = DEMO_ORG, *, days: int = 3650,
            now: dt.datetime | None = None) -> Issued:
    """Return a self-signed RSA CA certificate and its key."""
    now = now or dt.datetime.now(dt.UTC)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = _name(cn, org)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(_key_usage(key_cert_sign=True, crl_sign=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return Issued(key, cert)


def make_cert(
    ca: Issued,
    cn: str = DEMO_SIGNER_NAME,
    org: str = DEMO_ORG,
    *,
    not_before: dt.datetime | None = None,
    not_after: dt.datetime | None = None,
    signing: bool = True,
    timestamping: bool = False,
    crl_url: str | None = None,
) -> Issued:
    """Return an RSA certificate issued by `ca`: for signing documents unless `signing` is false."""
    now = dt.datetime.now(dt.UTC)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    usage = (_key_usage(digital_signature=True, content_commitment=True) if signing
             else _key_usage(key_encipherment=True))
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(cn, org)).issuer_name(ca.cert.subject).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before or now - dt.timedelta(days=1))
        .not_valid_after(not_after or now + dt.timedelta(days=730))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(usage, critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()),
                       critical=False)
    )
    if timestamping:
        builder = builder.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]),
                                        critical=True)
    if crl_url:
        builder = builder.add_extension(x509.CRLDistributionPoints([x509.DistributionPoint(
            full_name=[x509.UniformResourceIdentifier(crl_url)], relative_name=None, reasons=None,
            crl_issuer=None)]), critical=False)
    return Issued(key, builder.sign(ca.key, hashes.SHA256()))


def pkcs12_bytes(signer: Issued, chain: list[x509.Certificate], password: str,
                 friendly_name: str = "signer") -> bytes:
    """Return `signer` and `chain` as a PKCS#12 file encrypted with `password`."""
    return pkcs12.serialize_key_and_certificates(
        friendly_name.encode(), signer.key, signer.cert, chain,
        serialization.BestAvailableEncryption(password.encode("utf-8")),
    )


def pem(cert: x509.Certificate) -> bytes:
    """Return `cert` in PEM."""
    return cert.public_bytes(serialization.Encoding.PEM)


@dataclass(frozen=True)
class DemoPki:
    """Where the demo PKI lives."""

    folder: Path
    pkcs12: Path
    """The DEMO signer's key and chain (mode 0600)."""
    password_file: Path
    """Its generated password (mode 0600)."""
    ca_pem: Path
    """The DEMO CA certificate, to pass to ``verify --trust``."""

    def password(self) -> str:
        """Return the generated password."""
        return self.password_file.read_text(encoding="utf-8").strip()


def demo_pki(root: Path) -> DemoPki:
    """Return the demo PKI under ``root/var/pki``, creating it on first use."""
    folder = root / "var" / "pki"
    pki = DemoPki(folder, folder / "demo-signer.p12", folder / "demo-signer.password",
                  folder / "demo-ca.pem")
    if pki.pkcs12.is_file() and pki.password_file.is_file() and pki.ca_pem.is_file():
        return pki
    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, 0o700)
    ca = make_ca()
    signer = make_cert(ca)
    password = secrets.token_urlsafe(24)
    atomic_write_bytes(pki.password_file, password.encode() + b"\n", mode=0o600)
    atomic_write_bytes(pki.pkcs12, pkcs12_bytes(signer, [ca.cert], password), mode=0o600)
    atomic_write_bytes(pki.ca_pem, pem(ca.cert), mode=0o644)
    return pki
