"""Facts about a signature that need no PDF library: its certificate's validity, what its XMP says.

pades.py asks these while it validates; they live apart so that the words a user reads about
expiry and revocation, and the reading of the XMP, can be read (and tested) on their own.
"""

from __future__ import annotations

import datetime as dt
from xml.etree import ElementTree

from cryptography import x509

from assembler.dutch import format_date_nl

NO_PATH = "no path to a trust root"


def trust_problem(signed_at: dt.datetime | None, cert: x509.Certificate, untrusted: bool,
                  indication: str) -> str:
    """Return in words why the signer of a signature made at `signed_at` is not to be trusted, or "".

    Expiry is said even without trust roots (the certificate's own dates tell it); revocation
    and a missing path only come from validating against roots (`untrusted`, with pyHanko's
    AdES sub-indication as `indication`, e.g. ``REVOKED_NO_POE``).
    """
    at = signed_at or dt.datetime.now(dt.UTC)
    if cert.not_valid_after_utc < at:
        return f"the signing certificate had expired ({format_date_nl(cert.not_valid_after_utc.date())})"
    if cert.not_valid_before_utc > at:
        return ("the signing certificate was not yet valid "
                f"(from {format_date_nl(cert.not_valid_before_utc.date())})")
    if not untrusted:
        return ""
    if "REVOKED" in indication:
        return "the signing certificate (or its CA) was revoked"
    if indication in ("OUT_OF_BOUNDS_NO_POE", "EXPIRED"):
        return "a certificate in the chain had expired when it was used"
    return NO_PATH


_XMP_UPDATED_BY_SIGNING = {"{http://ns.adobe.com/xap/1.0/}ModifyDate",
                           "{http://ns.adobe.com/xap/1.0/}MetadataDate", "{http://ns.adobe.com/pdf/1.3/}Producer"}
"""XMP entries every signing tool updates, like the Info entries above (pades.py)."""


def xmp_facts(xmp: bytes) -> list[tuple[str, tuple[tuple[str, str], ...], str]]:
    """Return what the XMP says, element by element, whatever prefixes a tool re-serialised it with."""
    if not xmp.strip():
        return []
    try:
        tree = ElementTree.fromstring(xmp)
    except ElementTree.ParseError:
        return [("unreadable", (), xmp.decode("latin-1"))]
    return [(e.tag, tuple(sorted((k, v) for k, v in e.attrib.items() if k not in _XMP_UPDATED_BY_SIGNING)),
             (e.text or "").strip()) for e in tree.iter() if e.tag not in _XMP_UPDATED_BY_SIGNING]
