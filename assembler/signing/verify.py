"""Verify a signed PDF: its signatures (via pades.py), and whether it is byte for byte what it claims.

Provenance holds the revision the processor signed (not whatever was appended later) against a
freshly rebuilt document. Builds are deterministic, so the signed revision must be the rebuild
itself followed by one incremental update (the signature). Comparing extracted text is not
enough: a white rectangle painted over two articles leaves the text intact.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from zoneinfo import ZoneInfo

from assembler.errors import RenderError, VerifyError
from assembler.model import Provenance, VerifyResult
from assembler.render.pdf_read import page_texts
from assembler.signing.pades import PROCESSOR_FIELD, TrustRoots, check_signatures, signed_revision

ProvenanceCheck = Callable[[bytes], Provenance]
"""Given the signed revision of a PDF, say whether it is the version it names."""

NOT_CHECKED = Provenance("not checked", "provenance was not checked")
"""A placeholder: `verify_pdf` always says why it did not check, or what it found."""
TIMEZONE = ZoneInfo("Europe/Amsterdam")


def verify_pdf(
    pdf: bytes,
    trust: TrustRoots,
    provenance: ProvenanceCheck | None = None,
) -> VerifyResult:
    """Return what can be said about `pdf`: each signature, empty fields, and its provenance."""
    checks, empty = check_signatures(pdf, trust)
    result = VerifyResult(tuple(checks), tuple(empty), NOT_CHECKED,
                          trust_checked=any(bool(roots) for roots in trust.values()))
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


def compare_signed(signed_revision: bytes, rebuilt: bytes) -> str | None:
    """Return None when `signed_revision` is `rebuilt` plus one signing update, else how it differs."""
    if signed_revision.startswith(rebuilt) and signed_revision[len(rebuilt):].count(b"%%EOF") == 1:
        return None
    return compare_bytes(signed_revision, rebuilt)


def compare_bytes(pdf: bytes, rebuilt: bytes) -> str | None:
    """Return None when `pdf` is byte for byte `rebuilt`, else where it differs (text first)."""
    if pdf == rebuilt:
        return None
    text = compare_texts(pdf, rebuilt)
    if text:
        return text
    at = next((i for i, (x, y) in enumerate(zip(pdf, rebuilt, strict=False)) if x != y),
              min(len(pdf), len(rebuilt)))
    return (f"the text is the same but the file is not: it differs from the rebuilt contract from "
            f"byte {at} on (something drawn over the text, or a file made by another tool)")


PAGE_NUMBER = re.compile(r"\bpagina \d+ van \d+\b")
"""The footer's page number, which moves with the layout."""


def _words(pages: list[str]) -> str:
    """Return the words of all `pages` in order, page numbers left out."""
    return " ".join(PAGE_NUMBER.sub(" ", " ".join(pages)).split())


def compare_texts(signed: bytes, rebuilt: bytes) -> str | None:
    """Return None when both PDFs have the same text, else where they first differ (in English)."""
    try:
        a, b = page_texts(signed), page_texts(rebuilt)
    except RenderError as exc:
        raise VerifyError(exc.message) from exc
    if a != b and _words(a) == _words(b):
        return (f"the words are exactly those of the rebuilt contract, laid out differently (on "
                f"{len(a)} page(s), the rebuild on {len(b)}; page numbers aside): a layout of "
                "another version of assembler, which this one cannot rebuild byte for byte")
    if len(a) != len(b):
        return f"the PDF has {len(a)} page(s), the rebuilt contract {len(b)}"
    for number, (left, right) in enumerate(zip(a, b, strict=True), start=1):
        if left != right:
            at = next((i for i, (x, y) in enumerate(zip(left, right, strict=False)) if x != y),
                      min(len(left), len(right)))
            return (f"page {number} differs from the rebuilt contract near "
                    f"{left[max(0, at - 20):at + 30]!r} (rebuilt: {right[max(0, at - 20):at + 30]!r})")
    return None
