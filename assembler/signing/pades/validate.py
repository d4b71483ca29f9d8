"""Validating PAdES signatures with pyHanko: each signature of a file as model objects."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko.sign.validation.errors import NoDSSFoundError
from pyhanko.sign.validation.settings import KeyUsageConstraints
from pyhanko_certvalidator import ValidationContext

from assembler.errors import VerifyError
from assembler.model import Coverage, LaterChanges, SignatureCheck, TimestampCheck
from assembler.signing.keys import name_part
from assembler.signing.pades.sign import CUSTOMER_FIELD, der
from assembler.signing.signature_facts import NO_PATH, trust_problem, xmp_facts

PADES_SUBFILTER = "ETSI.CAdES.detached"
"""The SubFilter of a PAdES signature; ``adbe.pkcs7.detached`` and others are plain CMS."""

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
        ctx = _context(reader, roots)
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


def _context(reader: PdfFileReader, roots: Sequence[x509.Certificate]) -> ValidationContext:
    """Return a validation context: `roots`, and the revocation data the file carries (its DSS).

    Verification stays offline (nothing is fetched): what the file embeds, the CRLs and OCSP
    responses of a B-LT signature or added later as validation data, is what revocation is
    judged by. A CA signs each of them, so an added one can only tell more, never hide a
    revocation; a certificate it lists as revoked is reported so, in words.
    """
    settings = {"trust_roots": [der(c) for c in roots], "allow_fetching": False}
    try:
        return DocumentSecurityStore.read_dss(reader).as_validation_context(settings)
    except NoDSSFoundError:
        return ValidationContext(**settings)  # type: ignore[arg-type]


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
        # A PAdES level needs a PAdES signature (ISO 32000-2 12.8.3.4): a CMS one reaches none.
        level=("" if _subfilter(sig) != PADES_SUBFILTER
               else "B-LT" if timestamp and dss else "B-T" if timestamp else "B-B"),
        revision_end=_revision_end(sig),
        signer_sha256=cert.fingerprint(hashes.SHA256()).hex(),
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
