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


def xmp_facts(xmp: bytes) -> list[tuple[str, str]]:
    """Return what the XMP says as sorted (property, value) pairs, however a tool serialised it.

    RDF/XML writes one property either as an element (``<pdf:Keywords>…</pdf:Keywords>``) or as
    an attribute of its ``rdf:Description``, and a URI either as text or as ``rdf:resource``;
    signing tools (pyHanko among them) re-serialise one form as the other. Every leaf value is
    kept, so a changed customer id, title or ``pdfaid:part`` still shows; what every signing tool
    updates (modification and metadata dates, producer, the XMP toolkit's name) does not count.
    """
    if not xmp.strip():
        return []
    try:
        tree = ElementTree.fromstring(xmp)
    except ElementTree.ParseError:
        return [("unreadable", xmp.decode("latin-1"))]
    facts = []
    for e in tree.iter():
        for key, value in e.attrib.items():
            if key == _RDF_RESOURCE:
                facts.append((e.tag, value))
            elif not key.startswith(_RDF) and key not in _IGNORED:
                facts.append((key, value))
        if len(e) == 0 and (e.text or "").strip() and e.tag not in _IGNORED:
            facts.append((e.tag, (e.text or "").strip()))
    return sorted(facts)


_RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"
_RDF_RESOURCE = _RDF + "resource"
_IGNORED = _XMP_UPDATED_BY_SIGNING | {"{adobe:ns:meta/}xmptk"}
