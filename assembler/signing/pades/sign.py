"""PAdES signing with pyHanko (pyhanko is imported only in this package).

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
"""

from __future__ import annotations

import datetime as dt
import io
import logging
from typing import Any

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
from pyhanko.sign.general import SigningError as PyHankoSigningError
from pyhanko.sign.signers.pdf_signer import DSSContentSettings, PdfSigningSession, SigDSSPlacementPreference
from pyhanko.stamp import StaticStampStyle
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.errors import PathBuildingError, PathValidationError, RevokedError
from pyhanko_certvalidator.registry import SimpleCertificateStore
from pyhanko_certvalidator.util import get_pyca_cryptography_hash

from assembler.errors import SigningError
from assembler.model import SignatureBox
from assembler.signing.appearance import appearance_pdf, box_rect, local_time
from assembler.signing.keys import SignerConfig

PROCESSOR_FIELD = "Verwerker"
"""Name of the signature field VoIP Express signs."""
CUSTOMER_FIELD = "Verwerkingsverantwoordelijke"
"""Name of the empty field left for the customer's countersignature."""

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
    signatory: str = "",
) -> bytes:
    """Return `pdf` signed by `signer`: visible in `box`, an empty field in `customer_box`.

    Without `box` the signature is invisible. The signing time in the signature and in its
    appearance is `now` (default: the clock); the appearance names `signatory` when given.
    """
    now = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    if signer.ltv and not signer.tsa_url:
        raise SigningError("--ltv (PAdES B-LT) needs a timestamp: set [signing] tsa_url or "
                           "ASSEMBLER_SIGNING_TSA_URL")
    if not pdf.endswith(b"\n"):
        pdf += b"\n"  # Typst ends with "%%EOF"; the update must start on a line of its own (PDF/A)
    try:
        writer = _KeepXmpWriter(io.BytesIO(pdf), strict=False)
        already_signed = bool(writer.prev.embedded_signatures)
        existing = {name for name, _, _ in fields.enumerate_sig_fields(writer.prev)}
    except (PdfError, ValueError) as exc:
        raise SigningError(f"not a PDF that can be signed: {exc}") from exc
    _refuse_signed(writer.prev, contract=False)
    _add_fields(writer, existing, box, customer_box)
    field_spec = None if box else fields.SigFieldSpec(
        PROCESSOR_FIELD, readable_field_name="Handtekening verwerker")
    meta = _signature_metadata(signer, certify=not already_signed)
    stamp = _stamp_style(signer, box, now, signatory) if box else None
    pdf_signer = _TimedPdfSigner(
        meta, _pyhanko_signer(signer), now,
        timestamper=timestamps.HTTPTimeStamper(signer.tsa_url, timeout=10) if signer.tsa_url else None,
        stamp_style=stamp, new_field_spec=field_spec)
    try:
        out = signed_update(pdf_signer, writer)
    except (PyHankoSigningError, PdfError) as exc:
        raise SigningError(_signing_failure(signer, exc)) from exc
    except timestamps.TimestampRequestError as exc:
        cause = f" ({exc.__cause__})" if exc.__cause__ else ""
        raise SigningError(f"timestamp server {signer.tsa_url}: {exc}{cause}") from exc
    except (PathBuildingError, PathValidationError) as exc:
        raise SigningError(f"--ltv: cannot validate the signing certificate: {exc}") from exc
    except OSError as exc:
        raise SigningError(f"signing failed: {exc}") from exc
    return out


def check_unsigned(pdf: bytes, *, contract: bool) -> None:
    """Raise SigningError when `pdf` is already signed where our signature would go.

    Checked before anything else about the file: a signed copy differs from the unsigned
    original in every byte after it, and "it differs from byte N on" would hide the reason.
    Refused: a PDF whose field `PROCESSOR_FIELD` exists (signed: by whom and when; or empty),
    and, when it is one of our contracts (`contract`), a PDF anyone has signed already.
    """
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    except (PdfError, ValueError) as exc:
        raise SigningError(f"not a PDF that can be signed: {exc}") from exc
    _refuse_signed(reader, contract=contract)


def _refuse_signed(reader: Any, *, contract: bool) -> None:
    try:
        sigs = reader.embedded_signatures
        names = {name for name, _, _ in fields.enumerate_sig_fields(reader)}
    except (PdfError, ValueError, KeyError) as exc:
        raise SigningError(f"not a PDF that can be signed: {exc}") from exc
    first = next((s for s in sigs if s.field_name == PROCESSOR_FIELD), sigs[0] if sigs and contract else None)
    if first is not None:
        who = first.signer_cert.subject.native.get("common_name") or first.signer_cert.subject.human_friendly
        when = first.self_reported_timestamp
        raise SigningError(f"refusing to sign: the PDF is already signed by {who} (field "
                           f"{first.field_name!r}){' on ' + local_time(when) if when else ''}; "
                           "sign the original, unsigned PDF")
    if PROCESSOR_FIELD in names:
        raise SigningError(f"refusing to sign: the PDF already has a signature field {PROCESSOR_FIELD!r}; "
                           "sign the original, unsigned PDF")


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
        # The validation data goes into the signed revision itself (collected before signing, the
        # TSA's included): no later update rewrites the XMP, and the signature's ByteRange covers
        # the whole file, as PDF/A-2b (ISO 19005-2 6.4.3) requires. Without VRI, which can only
        # name a signature that already exists.
        dss_settings=DSSContentSettings(
            placement=SigDSSPlacementPreference.TOGETHER_WITH_SIGNATURE, include_vri=False),
    )


def _add_fields(writer: Any, existing: set[str], box: SignatureBox | None,
                customer_box: SignatureBox | None) -> None:
    """Add the visible signature fields (customer's, processor's) with /TU, tagged for PDF/UA."""
    for name, at, label in ((CUSTOMER_FIELD, customer_box, "Handtekening verwerkingsverantwoordelijke"),
                            (PROCESSOR_FIELD, box, "Handtekening verwerker")):
        if at is not None and name not in existing:
            fields.append_signature_field(writer, fields.SigFieldSpec(
                name, on_page=at.page, box=box_rect(at), readable_field_name=label))
            ref = next(r for n, _, r in fields.enumerate_sig_fields(writer) if n == name)
            _tag_widget(writer, ref, at.page, label)


class _KeepXmpWriter(IncrementalPdfFileWriter):
    """An incremental writer that leaves the document's XMP metadata as Typst wrote it.

    pyHanko re-serialises the XMP on every update and in doing so writes the PDF/A extension
    schemas' ``namespaceURI`` as a URI resource; PDF/A-2b (ISO 19005-2
    6.6.2.3) requires it as text, so the signed file would no longer be PDF/A. The signature
    itself records when it was made; the XMP keeps saying when the document was created.
    """

    def _update_meta(self) -> None:
        return


class _StreamEndOutput(io.BytesIO):
    """The signed file as pyHanko writes it, with an unambiguous end to every stream.

    pyHanko ends each stream's data with ``\nendstream``. When the data itself ends in a CR
    (compressed data does, one stream in 256), a reader cannot tell ``CR LF`` from an end-of-line
    marker, and PDF/A-2b (ISO 19005-2 6.1.7.1: /Length counts the bytes up to the EOL before
    ``endstream``) reads the stream one byte short. Such data gets ``CR LF`` as its end-of-line
    marker instead, as Typst writes it. pyHanko takes every offset from ``tell()``, so the xref
    and the signature's ByteRange count the extra byte.
    """

    _ended_with_cr = False

    def write(self, data: Any, /) -> int:
        chunk = bytes(data)
        size = len(chunk)
        if chunk == b"\nendstream" and self._ended_with_cr:
            chunk = b"\r\nendstream"
        self._ended_with_cr = chunk.endswith(b"\r")
        super().write(chunk)
        return size


def signed_update(pdf_signer: signers.PdfSigner, writer: IncrementalPdfFileWriter) -> bytes:
    """Return the file `pdf_signer` writes from `writer`: the original bytes, then the signed update."""
    out = _StreamEndOutput()
    pdf_signer.sign_pdf(writer, output=out)
    return out.getvalue()


_pdf: Any = generic
"""pyHanko's PDF object constructors (untyped in pyHanko)."""


def _tag_widget(writer: Any, ref: Any, page_ix: int,
                label: str) -> None:
    """Put the signature widget `ref` in the structure tree as a Form element (PDF/UA-1 7.18).

    The Form element hangs under the document element with an object reference to the widget,
    the widget points back through the parent tree, and its page orders annotations by
    structure (``/Tabs /S``). pyHanko's form-filling rules look for exactly this path
    (StructTreeRoot.K … K.Obj), so the customer's countersignature stays an allowed change.
    """
    root = writer.root
    if "/StructTreeRoot" not in root:
        return
    tree = root["/StructTreeRoot"]
    parent_ref = tree.raw_get("/K")
    if isinstance(parent_ref, _pdf.ArrayObject):
        parent_ref = parent_ref.raw_get(0)
    parent = parent_ref.get_object()
    page_ref = writer.find_page_for_modification(page_ix)[0]
    key = int(tree.get("/ParentTreeNextKey", 0))
    form = writer.add_object(_pdf.DictionaryObject({
        _pdf.NameObject("/Type"): _pdf.NameObject("/StructElem"),
        _pdf.NameObject("/S"): _pdf.NameObject("/Form"),
        _pdf.NameObject("/P"): parent_ref,
        _pdf.NameObject("/Alt"): _pdf.TextStringObject(label),
        _pdf.NameObject("/Pg"): page_ref,
        _pdf.NameObject("/K"): _pdf.DictionaryObject({
            _pdf.NameObject("/Type"): _pdf.NameObject("/OBJR"),
            _pdf.NameObject("/Obj"): ref, _pdf.NameObject("/Pg"): page_ref})}))
    kids = parent["/K"]
    if not isinstance(kids, _pdf.ArrayObject):
        parent["/K"] = kids = _pdf.ArrayObject([kids])
    kids.append(form)
    tree["/ParentTree"]["/Nums"].extend([_pdf.NumberObject(key), form])
    tree["/ParentTreeNextKey"] = _pdf.NumberObject(key + 1)
    ref.get_object()["/StructParent"] = _pdf.NumberObject(key)
    page_ref.get_object()["/Tabs"] = _pdf.NameObject("/S")
    for changed in (parent_ref, root.raw_get("/StructTreeRoot"), ref, page_ref):
        writer.mark_update(changed)


def _stamp_style(signer: SignerConfig, box: SignatureBox, now: dt.datetime,
                 signatory: str) -> StaticStampStyle:
    """Return the visible signature's style: our Typst-rendered appearance, filling the box."""
    return StaticStampStyle(background=_PdfPage(appearance_pdf(signer, box, now, signatory)), border_width=0,
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


def der(cert: x509.Certificate) -> asn1_x509.Certificate:
    """Return `cert` as asn1crypto sees it (pyHanko's certificate type)."""
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
        registry.register(der(cert))
    return _LoadedKeySigner(signer.key, signing_cert=der(signer.cert), signing_key=key,
                            cert_registry=registry)


def _ltv_context(signer: SignerConfig) -> ValidationContext:
    roots = [c for c in signer.chain if c.subject == c.issuer]
    if not roots:
        raise SigningError(f"--ltv: {signer.source} holds no root certificate; the PKCS#12 file must "
                           "carry the whole chain up to the root to collect revocation data")
    return ValidationContext(trust_roots=[der(c) for c in roots],
                             other_certs=[der(c) for c in signer.chain if c not in roots],
                             allow_fetching=True, revocation_mode="require")


def _signing_failure(signer: SignerConfig, exc: Exception) -> str:
    text = str(exc)
    if isinstance(exc.__cause__, RevokedError):
        return (f"the signing certificate is revoked ({exc.__cause__}); nothing was signed: "
                "use a certificate that is not revoked")
    if signer.ltv and ("revocation" in text.lower() or "validat" in text.lower()):
        return ("--ltv: cannot fetch revocation data (CRL or OCSP) for the signing certificate; "
                f"sign without --ltv or use a certificate whose CA publishes it ({text})")
    return f"signing failed: {text}"


# --- verification -----------------------------------------------------------------------------
