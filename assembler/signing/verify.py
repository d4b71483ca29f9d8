"""Verify a signed PDF: its signatures (via sign.py), and whether its text is what it claims.

Provenance compares the text of the revision the processor signed (not whatever was appended
later) with the text of a freshly rebuilt document, page by page, as pypdf extracts them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from cryptography import x509

from assembler.errors import RenderError, VerifyError
from assembler.model import Provenance, VerifyResult
from assembler.render.pdf_read import page_texts
from assembler.signing.pades import PROCESSOR_FIELD, check_signatures, signed_revision

ProvenanceCheck = Callable[[bytes], Provenance]
"""Given the signed revision of a PDF, say whether its text is the version it names."""

NOT_CHECKED = Provenance("not checked", "the PDF carries no contract metadata (not built by assembler)")


def verify_pdf(
    pdf: bytes,
    trust_roots: list[x509.Certificate] | None,
    provenance: ProvenanceCheck | None = None,
) -> VerifyResult:
    """Return what can be said about `pdf`: each signature, empty fields, and its provenance."""
    checks, empty = check_signatures(pdf, trust_roots)
    result = VerifyResult(tuple(checks), tuple(empty), NOT_CHECKED, trust_checked=trust_roots is not None)
    if not checks:
        return replace(result, provenance=Provenance("not checked", "the PDF has no signature"))
    if provenance is None:
        return replace(result, provenance=Provenance(
            "not checked", "no contract repository to rebuild the text from (run inside the project)"))
    # The text the processor signed: the first signature's revision (ours, or the first one there is).
    first = next((c for c in checks if c.field == PROCESSOR_FIELD), checks[0])
    if not first.intact:
        return replace(result, provenance=Provenance(
            "not checked", f"the signature in {first.field!r} does not cover an intact text"))
    return replace(result, provenance=provenance(signed_revision(pdf, first.field)))


def compare_texts(signed: bytes, rebuilt: bytes) -> str | None:
    """Return None when both PDFs have the same text, else where they first differ (in English)."""
    try:
        a, b = page_texts(signed), page_texts(rebuilt)
    except RenderError as exc:
        raise VerifyError(exc.message) from exc
    if len(a) != len(b):
        return f"the PDF has {len(a)} page(s), the rebuilt contract {len(b)}"
    for number, (left, right) in enumerate(zip(a, b, strict=True), start=1):
        if left != right:
            at = next((i for i, (x, y) in enumerate(zip(left, right, strict=False)) if x != y),
                      min(len(left), len(right)))
            return (f"page {number} differs from the rebuilt contract near "
                    f"{left[max(0, at - 20):at + 30]!r} (rebuilt: {right[max(0, at - 20):at + 30]!r})")
    return None
