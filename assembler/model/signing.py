"""What verifying a signed PDF found: each signature, its timestamp, the provenance."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

Coverage = Literal["whole file", "signed revision", "partial", "unknown"]
"""How much of the file a signature covers (``unknown``: the signature could not be evaluated)."""
LaterChanges = Literal["none", "validation data", "form filling", "annotations", "other", "unknown",
                       "document metadata (title, subject, keywords, XMP, …)"]
"""What was appended to a PDF after a signature."""
PadesLevel = Literal["", "B-B", "B-T", "B-LT"]
"""The PAdES baseline level a signature reaches (``""``: none, it could not be evaluated)."""
VerifyVerdict = Literal["valid", "not verified", "invalid"]
"""What `verify` concludes: ``not verified`` is intact but with a signer no trust root vouches for."""
PdfKind = Literal["destruction statement", "dossier index", "revision notice letter",
                       "breach notice letter", "sub-processor notice letter", "sub-processor list",
                       "version text", "redline"]
"""The PDFs assembler makes besides contracts, as `verify` names them."""
ProvenanceStatus = Literal["match", "mismatch", "not checked"]
"""Whether a PDF's embedded text matches the pinned version."""


@dataclass(frozen=True)
class ProcessorSigning:
    """Where and on which day the processor signs: printed on its Plaats and Datum lines."""

    place: str
    """``"Amsterdam"`` (the signature's location, from [signing] location)."""
    day: dt.date
    """The signing day in Europe/Amsterdam, from the clock at signing."""
    signatory: str
    """Who signs as printed above the signature: ``"J. de Vries (Directeur)"``.

    No comma: it travels in the PDF's comma-separated keywords."""


@dataclass(frozen=True)
class TimestampCheck:
    """The RFC 3161 timestamp on a signature (PAdES B-T)."""

    time: dt.datetime
    """The time the timestamp server vouches for."""
    intact: bool
    """The token matches the signature it stamps."""
    valid: bool
    """Intact and cryptographically sound."""
    trusted: bool | None
    """The TSA chains to a given trust root; None when no trust roots were given."""


@dataclass(frozen=True)
class SignatureCheck:
    """What `verify` found about one signature in a PDF."""

    field: str
    """The signature field's name, e.g. ``"Verwerker"``."""
    intact: bool
    """The signed bytes are unchanged (the digest matches)."""
    valid: bool
    """Intact, and the signature over the digest is cryptographically valid."""
    signer_cn: str
    """Subject CN of the signing certificate."""
    signer_o: str
    """Subject O of the signing certificate, or empty."""
    signing_time: dt.datetime | None
    """The time the signer claims (not vouched for by a third party)."""
    timestamp: TimestampCheck | None
    """The signature timestamp, if there is one."""
    subfilter: str
    """``ETSI.CAdES.detached`` for PAdES."""
    digest: str
    """The message digest algorithm, e.g. ``"sha256"``."""
    coverage: Coverage
    """``"whole file"``, ``"signed revision"`` (changes appended later) or ``"partial"``."""
    later_changes: LaterChanges
    """Changes appended after signing: ``"none"``, ``"validation data"``, ``"form filling"``
    (e.g. the countersignature in the empty field), ``"annotations"``, ``"other"``, ``"unknown"``."""
    changes_allowed: bool
    """The later changes are of a kind the signature permits (validation data, form filling)."""
    trusted: bool | None
    """The certificate chains to a given trust root; None when not verified (no roots for it)."""
    level: PadesLevel
    """PAdES baseline level reached: ``"B-B"``, ``"B-T"`` or ``"B-LT"``; ``""`` for a signature
    that is not PAdES (another SubFilter, such as ``adbe.pkcs7.detached``) or not evaluated."""
    revision_end: int = 0
    """Length of the file as signed (the end of the signed byte range)."""
    problem: str = ""
    """Why the signature could not be evaluated at all, if so."""
    trust_problem: str = ""
    """In words, why the signer is not trusted: expired, revoked, no path to a trust root."""
    signer_sha256: str = ""
    """SHA-256 of the signing certificate (DER, hex): tells one certificate from another of the same name."""

    @property
    def ok(self) -> bool:
        """Return whether this signature holds: valid, unmodified beyond what it allows, trusted if asked.

        A timestamp must be valid when there is one; whether its TSA chains to a ``--trust`` root
        is shown but does not decide (TSAs are usually under another root than the signer).
        """
        return (self.valid and self.changes_allowed and self.trusted is not False and not self.problem
                and (self.timestamp is None or self.timestamp.valid))


@dataclass(frozen=True)
class Provenance:
    """Whether a signed PDF's text is exactly the contract version it names."""

    status: ProvenanceStatus
    """``"match"``, ``"mismatch"`` or ``"not checked"``."""
    detail: str
    """One sentence saying what was compared, or why nothing was."""
    contract: str = ""
    version: str = ""
    customer_id: str = ""
    sha256: str = ""
    """The SHA-256 the PDF's metadata claims for the version text."""


@dataclass(frozen=True)
class VerifyResult:
    """Everything `verify` says about a PDF."""

    signatures: tuple[SignatureCheck, ...]
    """Every signature, in the order they were made."""
    empty_fields: tuple[str, ...]
    """Signature fields nobody has signed yet (e.g. the customer's)."""
    provenance: Provenance
    """Whether the text is the version it claims to be."""
    trust_checked: bool = False
    """Trust roots were given (``--trust`` or ``[signing] trust``)."""

    @property
    def verdict(self) -> VerifyVerdict:
        """Return ``valid`` only when every signature holds and chains to a trust root.

        A file whose signatures are intact but whose signer no trust root vouches for is
        ``not verified``: anyone can make a certificate that says "VoIP Express".
        """
        if (not self.signatures or not all(s.ok for s in self.signatures)
                or self.provenance.status == "mismatch"):
            return "invalid"
        if any(s.trusted is None for s in self.signatures):
            return "not verified"
        return "valid"

    @property
    def valid(self) -> bool:
        """Return whether the PDF is authentic: signed, trusted, every signature holding, not refuted."""
        return self.verdict == "valid"
