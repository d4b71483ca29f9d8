"""PAdES signatures with pyHanko: the only module that imports pyhanko.

`sign_pdf` adds, in ONE incremental update, everything the signed file needs (the processor's
signature field with its visible appearance, the customer's empty field) and then signs it:
SubFilter ``ETSI.CAdES.detached`` (PAdES) set explicitly, SHA-256, a certification signature
that allows only form filling (so the customer can countersign the empty field and nothing else
goes unnoticed), B-T with an RFC 3161 timestamp when a TSA is configured, B-LT when asked.
Nothing rewrites the file after the signature, and the original bytes stay untouched in front:
an incremental update keeps the PDF/A-2b identification of the input.

The appearance is a one-page PDF that Typst renders at the exact size of the signature box,
drawn as the field's appearance stream. pyHanko's own text stamp uses a non-embedded standard
font (Courier) unless fonttools/uharfbuzz are installed, which PDF/A forbids; Typst embeds
(subsets) Libertinus Serif, so every glyph in the appearance comes from an embedded font.

`check_signatures` validates every signature in a file and returns model objects.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
from collections.abc import Mapping, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from pyhanko.pdf_utils import content, generic, layout
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers, timestamps
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.general import SigningError as PyHankoSigningError
from pyhanko.sign.signers.pdf_signer import PdfSigningSession
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.settings import KeyUsageConstraints
from pyhanko.stamp import StaticStampStyle
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.errors import PathBuildingError, PathValidationError
from pyhanko_certvalidator.registry import SimpleCertificateStore
from pyhanko_certvalidator.util import get_pyca_cryptography_hash

from assembler.dutch import format_date_nl
from assembler.errors import SigningError, VerifyError
from assembler.model import Coverage, LaterChanges, SignatureBox, SignatureCheck, TimestampCheck
from assembler.render.typst_pdf import template, timestamp_of
from assembler.signing.keys import SignerConfig, name_part
from assembler.signing.signature_facts import NO_PATH, trust_problem, xmp_facts

PROCESSOR_FIELD = "Verwerker"
"""Name of the signature field VoIP Express signs."""
CUSTOMER_FIELD = "Verwerkingsverantwoordelijke"
"""Name of the empty field left for the customer's countersignature."""
TIMEZONE = ZoneInfo("Europe/Amsterdam")

# pyHanko logs every failed path build (an untrusted signer) with a traceback; verify reports it.
for _name in ("pyhanko", "pyhanko_certvalidator"):
    logging.getLogger(_name).addHandler(logging.NullHandler())
    logging.getLogger(_name).propagate = False


def sign_pdf(
    pdf: bytes,
    signer: SignerConfig,
    box: SignatureBox | None,
    customer_box: SignatureBox | None,
    *,
    now: dt.datetime | None = None,
) -> bytes:
    """Return `pdf` signed by `signer`: visible in `box`, an empty field in `customer_box`.

    Without `box` the signature is invisible. The signing time in the signature and in its
    appearance is `now` (default: the clock).
    """
    now = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    if signer.ltv and not signer.tsa_url:
        raise SigningError("--ltv (PAdES B-LT) needs a timestamp: set [signing] tsa_url or "
                           "ASSEMBLER_SIGNING_TSA_URL")
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
        already_signed = bool(writer.prev.embedded_signatures)
        existing = {name for name, _, _ in fields.enumerate_sig_fields(writer.prev)}
    except (PdfError, ValueError) as exc:
        raise SigningError(f"not a PDF that can be signed: {exc}") from exc
    if PROCESSOR_FIELD in existing:
        raise SigningError(f"the PDF already has a signature field {PROCESSOR_FIELD!r}; "
                           "sign the original, unsigned PDF")
    if customer_box is not None and CUSTOMER_FIELD not in existing:
        fields.append_signature_field(writer, fields.SigFieldSpec(
            CUSTOMER_FIELD, on_page=customer_box.page, box=_box(customer_box)))
    field_spec = fields.SigFieldSpec(PROCESSOR_FIELD, on_page=box.page if box else 0,
                                     box=_box(box) if box else None)
    meta = _signature_metadata(signer, certify=not already_signed)
    stamp = _stamp_style(signer, box, now) if box else None
    pdf_signer = _TimedPdfSigner(
        meta, _pyhanko_signer(signer), now,
        timestamper=timestamps.HTTPTimeStamper(signer.tsa_url, timeout=10) if signer.tsa_url else None,
        stamp_style=stamp, new_field_spec=field_spec)
    try:
        out = pdf_signer.sign_pdf(writer)
    except (PyHankoSigningError, PdfError) as exc:
        raise SigningError(_signing_failure(signer, exc)) from exc
    except timestamps.TimestampRequestError as exc:
        cause = f" ({exc.__cause__})" if exc.__cause__ else ""
        raise SigningError(f"timestamp server {signer.tsa_url}: {exc}{cause}") from exc
    except (PathBuildingError, PathValidationError) as exc:
        raise SigningError(f"--ltv: cannot validate the signing certificate: {exc}") from exc
    except OSError as exc:
        raise SigningError(f"signing failed: {exc}") from exc
    data: bytes = out.getvalue()
    return data


def _signature_metadata(signer: SignerConfig, *, certify: bool) -> signers.PdfSignatureMetadata:
    """Return the PAdES signature's metadata: SHA-256, certification (form filling allowed) or approval."""
    return signers.PdfSignatureMetadata(
        field_name=PROCESSOR_FIELD,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=signer.reason,
        location=signer.location,
        # A certification signature must be the first; on a PDF someone already signed, approve.
        certify=certify,
        docmdp_permissions=fields.MDPPerm.FILL_FORMS,
        embed_validation_info=signer.ltv,
        validation_context=_ltv_context(signer) if signer.ltv else None,
    )


def _stamp_style(signer: SignerConfig, box: SignatureBox, now: dt.datetime) -> StaticStampStyle:
    """Return the visible signature's style: our Typst-rendered appearance, filling the box."""
    return StaticStampStyle(background=_PdfPage(_appearance(signer, box, now)), border_width=0,
                            background_opacity=1.0,
                            background_layout=layout.SimpleBoxLayoutRule(
                                x_align=layout.AxisAlignment.ALIGN_MIN,
                                y_align=layout.AxisAlignment.ALIGN_MIN,
                                margins=layout.Margins(0, 0, 0, 0)))


class _TimedPdfSigner(signers.PdfSigner):
    """A PdfSigner whose signing time is fixed, so the visible appearance can show the same time."""

    def __init__(self, meta: signers.PdfSignatureMetadata, signer: signers.Signer, now: dt.datetime,
                 **kwargs: object) -> None:
        super().__init__(meta, signer, **kwargs)  # type: ignore[arg-type]
        self._now = now

    def init_signing_session(self, pdf_out, existing_fields_only=False) -> PdfSigningSession:  # type: ignore[no-untyped-def]
        session = super().init_signing_session(pdf_out, existing_fields_only=existing_fields_only)
        session.system_time = self._now
        return session


class _PdfPage(content.PdfContent):
    """The first page of an in-memory PDF, imported as a form XObject (fonts and all)."""

    def __init__(self, pdf: bytes) -> None:
        super().__init__()
        self._pdf = pdf

    def render(self) -> bytes:
        writer = self._ensure_writer
        xobj = writer.import_page_as_xobject(PdfFileReader(io.BytesIO(self._pdf)), page_ix=0)
        name = "/SigAppearance"
        self.resources.xobject[name] = xobj
        x1, y1, x2, y2 = xobj.get_object()["/BBox"]
        self.box = layout.BoxConstraints(width=abs(x2 - x1), height=abs(y2 - y1))
        return name.encode("ascii") + b" Do"


def _box(box: SignatureBox) -> tuple[int, int, int, int]:
    return (round(box.x1), round(box.y1), round(box.x2), round(box.y2))


def _appearance(signer: SignerConfig, box: SignatureBox, now: dt.datetime) -> bytes:
    """Return the one-page PDF (PDF/A) drawn in the processor's signature box."""
    local = now.astimezone(TIMEZONE)
    lines = [["Door", signer.common_name]]
    if signer.organisation:
        lines.append(["Namens", signer.organisation])
    lines += [["Datum", f"{format_date_nl(local.date())}, {local:%H:%M} uur ({local.tzname()})"],
              ["Reden", signer.reason], ["Plaats", signer.location]]
    x1, y1, x2, y2 = _box(box)
    data = {"width": x2 - x1, "height": y2 - y1, "heading": "Digitaal ondertekend", "lines": lines}
    return template("signature-stamp.typ").render(data, timestamp_of(local.date()))


def _der(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


class _LoadedKeySigner(signers.SimpleSigner):
    """A SimpleSigner that signs with an already loaded key.

    pyHanko's SimpleSigner loads the DER private key again for every raw signature (twice per
    PDF: a dry run to size the signature, then the real one); an RSA key load with its
    consistency check costs ~40 ms here, a third of the budget.
    """

    def __init__(self, key: PrivateKeyTypes, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._key = key

    async def async_sign_raw(self, data: bytes, digest_algorithm: str, dry_run: bool = False) -> bytes:
        if dry_run and isinstance(self._key, rsa.RSAPrivateKey):
            return bytes(self._key.key_size // 8)  # only its length matters
        return self.sign_raw(data, digest_algorithm)

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm)
        if isinstance(self._key, rsa.RSAPrivateKey) and mechanism.signature_algo == "rsassa_pkcs1v15":
            return self._key.sign(data, PKCS1v15(), get_pyca_cryptography_hash(digest_algorithm))
        return super().sign_raw(data, digest_algorithm)


def _pyhanko_signer(signer: SignerConfig) -> signers.SimpleSigner:
    key = asn1_keys.PrivateKeyInfo.load(signer.key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    registry = SimpleCertificateStore()  # type: ignore[no-untyped-call]
    for cert in signer.chain:
        registry.register(_der(cert))
    return _LoadedKeySigner(signer.key, signing_cert=_der(signer.cert), signing_key=key,
                            cert_registry=registry)


def _ltv_context(signer: SignerConfig) -> ValidationContext:
    roots = [c for c in signer.chain if c.subject == c.issuer]
    if not roots:
        raise SigningError(f"--ltv: {signer.source} holds no root certificate; the PKCS#12 file must "
                           "carry the whole chain up to the root to collect revocation data")
    return ValidationContext(trust_roots=[_der(c) for c in roots],
                             other_certs=[_der(c) for c in signer.chain if c not in roots],
                             allow_fetching=True, revocation_mode="require")


def _signing_failure(signer: SignerConfig, exc: Exception) -> str:
    text = str(exc)
    if signer.ltv and ("revocation" in text.lower() or "validat" in text.lower()):
        return ("--ltv: cannot fetch revocation data (CRL or OCSP) for the signing certificate; "
                f"sign without --ltv or use a certificate whose CA publishes it ({text})")
    return f"signing failed: {text}"


# --- verification -----------------------------------------------------------------------------


TrustRoots = Mapping[str, Sequence[x509.Certificate]]
"""Trust roots per signature field; the key ``""`` holds the roots of every field without its own."""


def check_signatures(pdf: bytes, trust: TrustRoots) -> tuple[list[SignatureCheck], list[str]]:
    """Return a check of every signature in `pdf`, and the names of empty signature fields.

    Each signature is checked against its field's own roots, else the general ones. The
    customer's countersignature is often made under their own CA: without roots of its own, a
    chain that does not reach the general roots leaves it "not verified", never "untrusted".
    """
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        sigs = reader.embedded_signatures
        empty = [name for name, value, _ in fields.enumerate_sig_fields(reader) if value is None]
    except (PdfError, ValueError, KeyError, IndexError) as exc:
        raise VerifyError(f"not a readable PDF: {exc}") from exc
    checks = []
    for sig in sigs:
        own = sig.field_name in trust
        roots = list(trust.get(sig.field_name, trust.get("", ())))
        ctx = ValidationContext(trust_roots=[_der(c) for c in roots], allow_fetching=False)
        try:
            status = validate_pdf_signature(
                sig, ctx, key_usage_settings=KeyUsageConstraints(
                    key_usage={"digital_signature", "non_repudiation"}, match_all_key_usages=False))
        except Exception as exc:  # noqa: BLE001 - pyHanko raises many kinds on malformed signatures
            checks.append(SignatureCheck(
                field=sig.field_name, intact=False, valid=False, signer_cn="", signer_o="",
                signing_time=None, timestamp=None, subfilter=_subfilter(sig), digest="",
                coverage="unknown", later_changes="unknown", changes_allowed=False,
                trusted=False if roots else None, level="", problem=str(exc)))
            continue
        lenient = not own and sig.field_name == CUSTOMER_FIELD
        checks.append(_check_of(sig, status, bool(roots), lenient))
    return checks, empty


def _subfilter(sig: object) -> str:
    try:
        return str(sig.sig_object["/SubFilter"])[1:]  # type: ignore[attr-defined]
    except (KeyError, AttributeError):
        return ""


_COVERAGE: dict[str, Coverage] = {"ENTIRE_FILE": "whole file", "ENTIRE_REVISION": "signed revision"}
_CHANGES: dict[ModificationLevel, LaterChanges] = {
    ModificationLevel.NONE: "none",
    ModificationLevel.LTA_UPDATES: "validation data",
    ModificationLevel.FORM_FILLING: "form filling",
    ModificationLevel.ANNOTATIONS: "annotations",
    ModificationLevel.OTHER: "other",
}


def _check_of(sig, status, trust_checked: bool,  # type: ignore[no-untyped-def]
              lenient: bool) -> SignatureCheck:
    cert = x509.load_der_x509_certificate(status.signing_cert.dump())
    problem = trust_problem(status.signer_reported_dt, cert, trust_checked and not status.trusted,
                                  getattr(status.trust_problem_indic, "name", ""))
    trusted: bool | None = bool(status.trusted) if trust_checked else None
    if trusted is False and lenient and problem == NO_PATH:
        trusted, problem = None, ""
    if problem and not trust_checked:
        trusted = False  # out of its validity period when it signed: no root can make that right
    ts = status.timestamp_validity
    timestamp = TimestampCheck(time=ts.timestamp, intact=ts.intact, valid=ts.valid and ts.intact,
                               trusted=ts.trusted if trust_checked else None) if ts else None
    coverage = _COVERAGE.get(status.coverage.name if status.coverage else "", "partial")
    level = status.modification_level
    changes: LaterChanges = _CHANGES.get(level, "other") if level is not None else "other"
    allowed = (coverage == "whole file"
               or (level in (ModificationLevel.LTA_UPDATES, ModificationLevel.FORM_FILLING)
                   and status.docmdp_ok is not False))
    if coverage == "partial":
        allowed = False
    if coverage == "signed revision" and allowed and _metadata_changed(sig):
        # pyHanko's policy lets the document information and the XMP change; we do not: they
        # name the contract, its version and the customer.
        changes, allowed = "document metadata (title, subject, keywords, XMP, …)", False
    dss = sig.reader.root.get("/DSS") is not None
    return SignatureCheck(
        field=sig.field_name, intact=bool(status.intact), valid=bool(status.valid and status.intact),
        signer_cn=name_part(cert.subject, x509.NameOID.COMMON_NAME),
        signer_o=name_part(cert.subject, x509.NameOID.ORGANIZATION_NAME),
        signing_time=status.signer_reported_dt, timestamp=timestamp, subfilter=_subfilter(sig),
        digest=str(status.md_algorithm),
        coverage=coverage, later_changes=changes, changes_allowed=allowed,
        trusted=trusted, trust_problem=problem,
        level="B-LT" if timestamp and dss else "B-T" if timestamp else "B-B",
        revision_end=_revision_end(sig),
    )


_INFO_UPDATED_BY_SIGNING = {"/ModDate", "/Producer"}
"""Info entries every signing tool updates (pyHanko, Acrobat): not a change of content."""
def _metadata_changed(sig) -> bool:  # type: ignore[no-untyped-def]
    """Return whether the document information or the XMP changed after `sig` was made."""
    reader = sig.reader
    before = reader.get_historical_resolver(sig.signed_revision)

    def seen(trailer, resolve) -> tuple[dict[str, str], object]:  # type: ignore[no-untyped-def]
        # resolve through the revision's own resolver: the reader would give today's object
        ref = trailer.raw_get("/Info") if "/Info" in trailer else None
        value = resolve(ref) if isinstance(ref, generic.IndirectObject) else (ref or {})
        info = {k: str(v) for k, v in value.items() if k not in _INFO_UPDATED_BY_SIGNING}
        root = resolve(trailer.raw_get("/Root"))
        xmp = resolve(root.raw_get("/Metadata")).data if "/Metadata" in root else b""
        return info, xmp_facts(xmp)

    return seen(before.trailer_view, before) != seen(reader.trailer_view, lambda r: r.get_object())


def signed_revision(pdf: bytes, field: str) -> bytes:
    """Return the bytes `field`'s signature covers: the file as it was when signed."""
    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    for sig in reader.embedded_signatures:
        if sig.field_name == field:
            return pdf[: _revision_end(sig)]
    raise VerifyError(f"no signature in field {field!r}")


def _revision_end(sig) -> int:  # type: ignore[no-untyped-def]
    byte_range = [int(v) for v in sig.sig_object["/ByteRange"]]
    return byte_range[2] + byte_range[3] if len(byte_range) == 4 else 0
