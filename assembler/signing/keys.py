"""The signing key: a PKCS#12 file, opened with a password that never passes through arguments.

`load_signer` reads ``[signing]`` from assembler.toml (``pkcs12``, ``tsa_url``, ``reason``,
``location``; each overridable by ``ASSEMBLER_SIGNING_<KEY>``), opens the PKCS#12 file and checks,
before anything is signed, that the certificate is valid now and meant for signing. The password
comes only from ``ASSEMBLER_SIGNING_PASSWORD`` or from the `ask_password` callback the CLI gives
(a hidden prompt on a terminal); it is never stored on the result, never logged.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from cryptography.hazmat.primitives.serialization import pkcs12

from assembler.config import Config
from assembler.errors import ConfigError, InputError, SigningKeyError

PASSWORD_ENV = "ASSEMBLER_SIGNING_PASSWORD"
DEFAULT_REASON = "Ondertekening Verwerkersovereenkomst namens Verwerker"
DEFAULT_LOCATION = "Amsterdam"


@dataclass(frozen=True)
class SignerConfig:
    """A usable signing key with its certificate chain and the signature's settings."""

    key: PrivateKeyTypes
    """The private key (in memory only)."""
    cert: x509.Certificate
    """The signer's certificate."""
    chain: tuple[x509.Certificate, ...]
    """The other certificates of the PKCS#12 file (intermediates, root), embedded in the signature."""
    reason: str = DEFAULT_REASON
    """Why the document is signed (Dutch; shown by PDF readers)."""
    location: str = DEFAULT_LOCATION
    """Where it is signed (Dutch)."""
    tsa_url: str | None = None
    """RFC 3161 timestamp server; with it the signature is PAdES B-T instead of B-B."""
    ltv: bool = False
    """Embed revocation data (PAdES B-LT); signing fails when it cannot be fetched."""
    source: str = ""
    """Where the key came from (a path), for messages."""

    @property
    def common_name(self) -> str:
        """Return the certificate's subject CN (or the whole subject when it has none)."""
        return name_part(self.cert.subject, x509.NameOID.COMMON_NAME) or self.cert.subject.rfc4514_string()

    @property
    def organisation(self) -> str:
        """Return the certificate's subject O, or an empty string."""
        return name_part(self.cert.subject, x509.NameOID.ORGANIZATION_NAME)


def name_part(name: x509.Name, oid: x509.ObjectIdentifier) -> str:
    """Return the first value of `oid` in `name`, or an empty string."""
    values = name.get_attributes_for_oid(oid)
    return str(values[0].value) if values else ""


def load_signer(
    config: Config,
    ask_password: Callable[[], str | None] | None = None,
    *,
    ltv: bool = False,
    now: dt.datetime | None = None,
) -> SignerConfig:
    """Return the signer configured in `config`, its key checked and ready to sign."""
    path = config.path_setting("signing", "pkcs12")
    if path is None:
        raise ConfigError(str(config.path), None,
                          "no signing key: set [signing] pkcs12 or ASSEMBLER_SIGNING_PKCS12 "
                          "to the path of a PKCS#12 (.p12) file")
    password = os.environ.get(PASSWORD_ENV)
    if password is None and ask_password is not None:
        password = ask_password()
    if password is None:
        raise SigningKeyError(str(path), f"no password: set {PASSWORD_ENV} "
                                         "(or run in a terminal to be asked)")
    key, cert, chain = open_pkcs12(path, password)
    check_certificate(path, cert, now)
    tsa = config.get("signing", "tsa_url") or None
    return SignerConfig(
        key=key, cert=cert, chain=chain,
        reason=str(config.get("signing", "reason", DEFAULT_REASON)),
        location=str(config.get("signing", "location", DEFAULT_LOCATION)),
        tsa_url=str(tsa) if tsa else None, ltv=ltv, source=str(path),
    )


def configured_certificates(config: Config) -> list[x509.Certificate]:
    """Return the certificate of the configured signer, when it can be read without asking.

    `customers receive` holds a countersignature against it (the processor's own certificate is
    never the customer's). Reading a PKCS#12 file needs its password; receiving a copy does not
    need the key, so nobody is asked for it: without ``ASSEMBLER_SIGNING_PASSWORD``, or when the
    file cannot be opened, the list is empty and the other checks (the certificate and the
    organisation of our signature in the file) still apply.
    """
    path = config.path_setting("signing", "pkcs12")
    password = os.environ.get(PASSWORD_ENV)
    if path is None or password is None:
        return []
    try:
        return [open_pkcs12(path, password)[1]]
    except SigningKeyError:
        return []


def open_pkcs12(
    path: Path, password: str
) -> tuple[PrivateKeyTypes, x509.Certificate, tuple[x509.Certificate, ...]]:
    """Return the key, certificate and chain of a PKCS#12 file; a clear error when it cannot be opened."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise SigningKeyError(str(path), "no such file (the PKCS#12 signing key)") from None
    except OSError as exc:
        raise SigningKeyError(str(path), f"cannot read: {exc.strerror or exc}") from None
    if not data.startswith(b"\x30"):
        raise SigningKeyError(str(path), "not a PKCS#12 file")
    try:
        key, cert, extra = pkcs12.load_key_and_certificates(data, password.encode("utf-8") or None)
    except ValueError:
        # cryptography does not tell a wrong password from a damaged file; the first is far likelier.
        raise SigningKeyError(str(path), "wrong password (or a damaged PKCS#12 file)") from None
    if key is None or cert is None:
        raise SigningKeyError(str(path), "the PKCS#12 file holds no private key with its certificate")
    return key, cert, tuple(extra)


def check_certificate(path: Path, cert: x509.Certificate, now: dt.datetime | None = None) -> None:
    """Raise SigningKeyError unless `cert` is valid at `now` and allowed to sign documents."""
    now = now or dt.datetime.now(dt.UTC)
    who = name_part(cert.subject, x509.NameOID.COMMON_NAME) or cert.subject.rfc4514_string()
    if now < cert.not_valid_before_utc:
        raise SigningKeyError(str(path), f"certificate {who!r} is not valid yet: valid from "
                                         f"{cert.not_valid_before_utc:%Y-%m-%d %H:%M} UTC")
    if now > cert.not_valid_after_utc:
        raise SigningKeyError(str(path), f"certificate {who!r} expired on "
                                         f"{cert.not_valid_after_utc:%Y-%m-%d %H:%M} UTC")
    try:
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return  # no KeyUsage extension: the key is not restricted (RFC 5280 4.2.1.3)
    if not (usage.digital_signature or usage.content_commitment):
        raise SigningKeyError(str(path), f"certificate {who!r} is not for signing: its key usage has "
                                         "neither digitalSignature nor nonRepudiation")


def trust_entries(config: Config, given: list[str]) -> list[tuple[str, Path]]:
    """Return the trust roots to use as (field, PEM file): `given` (``--trust``), else the configuration.

    An entry is ``ROOT.pem`` (every signature field without roots of its own) or
    ``FIELD=ROOT.pem`` (that field only: a customer's own CA for their countersignature).
    ``[signing] trust`` is a path or a list of them, relative to the project;
    ``ASSEMBLER_SIGNING_TRUST`` holds them separated by the system's path separator.
    """
    base = config.path.parent
    if given:
        entries, base = given, Path.cwd()
    else:
        value = config.get("signing", "trust", "")
        if isinstance(value, str):
            entries = [e for e in value.split(os.pathsep) if e]
        elif isinstance(value, list) and all(isinstance(e, str) for e in value):
            entries = value
        else:
            raise ConfigError(str(config.path), None,
                              "[signing] trust must be a path or a list of paths to PEM files")
    result = []
    for entry in entries:
        field, _, name = entry.rpartition("=") if "=" in entry.split("/")[0] else ("", "", entry)
        path = Path(name).expanduser()
        result.append((field, path if path.is_absolute() else base / path))
    return result


def load_trust(entries: list[tuple[str, Path]]) -> dict[str, list[x509.Certificate]]:
    """Return the certificates of `entries` per signature field (``""``: every other field)."""
    trust: dict[str, list[x509.Certificate]] = {}
    for field, path in entries:
        trust.setdefault(field, []).extend(load_trust_roots([path]))
    return trust


def load_trust_roots(paths: list[Path]) -> list[x509.Certificate]:
    """Return the certificates in the PEM (or DER) files `paths`: the roots `verify --trust` accepts."""
    roots: list[x509.Certificate] = []
    for path in paths:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise InputError(str(path), None, f"cannot read: {exc.strerror or exc}") from None
        try:
            roots += (x509.load_pem_x509_certificates(data) if b"-----BEGIN" in data
                      else [x509.load_der_x509_certificate(data)])
        except ValueError:
            raise InputError(str(path), None, "not a PEM or DER certificate") from None
    return roots
