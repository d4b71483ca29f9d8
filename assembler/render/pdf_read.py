"""Reading PDFs (pypdf, the only module that imports it): metadata keywords and page texts."""

from __future__ import annotations

import datetime as dt
import io

from pypdf import PdfReader
from pypdf.errors import PdfReadError

from assembler.errors import RenderError


def pdf_keywords(pdf: bytes) -> list[str]:
    """Return the keywords of a PDF: XMP ``pdf:Keywords``, else the Info ``/Keywords``.

    Both hold one comma-separated string (Typst writes the same list into both).
    """
    try:
        reader = PdfReader(io.BytesIO(pdf))
        xmp = reader.xmp_metadata
        raw = str(xmp.pdf_keywords or "") if xmp is not None else ""
        if not raw:
            info = reader.metadata
            raw = str(info.get("/Keywords", "")) if info else ""
    except (PdfReadError, ValueError, OSError) as exc:
        raise RenderError(f"not a readable PDF: {exc}") from exc
    return [k.strip() for k in raw.split(",") if k.strip()]


def pdf_title(pdf: bytes) -> str:
    """Return the title of a PDF: XMP ``dc:title``, else the Info ``/Title`` ("" without one)."""
    try:
        reader = PdfReader(io.BytesIO(pdf))
        xmp = reader.xmp_metadata
        titles = xmp.dc_title if xmp is not None else None
        title = next(iter(titles.values()), "") if isinstance(titles, dict) else ""
        if not title:
            info = reader.metadata
            title = str(info.get("/Title", "")) if info else ""
    except (PdfReadError, ValueError, OSError) as exc:
        raise RenderError(f"not a readable PDF: {exc}") from exc
    return str(title).strip()


def pdf_created(pdf: bytes) -> dt.datetime | None:
    """Return when a PDF says it was created (XMP ``xmp:CreateDate``, in UTC), or None."""
    try:
        xmp = PdfReader(io.BytesIO(pdf)).xmp_metadata
        created = xmp.xmp_create_date if xmp is not None else None
    except (PdfReadError, ValueError, KeyError, OSError):
        return None
    if created is None:
        return None
    return created.replace(tzinfo=dt.UTC) if created.tzinfo is None else created.astimezone(dt.UTC)


def page_texts(pdf: bytes) -> list[str]:
    """Return the text of each page as pypdf extracts it, whitespace runs folded to one space."""
    try:
        reader = PdfReader(io.BytesIO(pdf))
        return [" ".join(page.extract_text().split()) for page in reader.pages]
    except (PdfReadError, ValueError, KeyError, OSError) as exc:
        raise RenderError(f"cannot extract the text of the PDF: {exc}") from exc
