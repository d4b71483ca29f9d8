"""Make every stream's end unambiguous: data ending in a carriage return gets its own CR LF.

PDF/A (ISO 19005-2 6.1.7.1) counts a stream's ``/Length`` up to "the EOL marker before the
``endstream`` keyword", and an EOL marker may be CR, LF or CR LF. Typst ends every stream's data
with a single LF; when the (compressed) data itself happens to end with the byte CR, the file
reads ``…<CR><LF>endstream`` and a validator that takes CR LF as the marker counts one byte
fewer than ``/Length`` (page-validation reports PDFA2B-STREAM-LENGTH-001). Which streams do
depends on the bytes a font subset or a page compresses to, so any document can meet it.

Writing CR LF after such data (``…<CR><CR><LF>endstream``) is read the same by every reader
(the data is ``/Length`` bytes either way) and leaves no doubt. The one extra byte per stream
moves the objects after it, so the cross-reference table and ``startxref`` are rewritten;
the output stays a function of the input, byte for byte.
"""

from __future__ import annotations

import bisect
import re

from assembler.errors import RenderError

_AMBIGUOUS = b"\r\nendstream"
_XREF_ENTRY = re.compile(rb"(\d{10}) (\d{5}) n")
_STARTXREF = re.compile(rb"startxref\s+(\d+)\s+%%EOF\s*\Z")


def unambiguous_stream_ends(pdf: bytes) -> bytes:
    """Return `pdf` with CR LF after every stream whose data ends in CR (see the module doc).

    Only for a file with one classic cross-reference table, as Typst writes it; anything else
    with such a stream is an error rather than a file with wrong offsets.
    """
    if _AMBIGUOUS not in pdf:
        return pdf
    found = _STARTXREF.search(pdf)
    if found is None or not pdf.startswith(b"xref", int(found.group(1))) or pdf.count(b"startxref") != 1:
        raise RenderError("a stream's data ends in CR, and the PDF has no single classic "
                          "cross-reference table to correct")
    xref_at = int(found.group(1))
    inserted: list[int] = []  # original offsets at which one byte (CR) goes in
    parts: list[bytes] = []
    last = 0
    at = pdf.find(_AMBIGUOUS)
    while at != -1:
        parts += [pdf[last:at + 1], b"\r"]  # keep the data's CR, then the new EOL's CR
        inserted.append(at + 1)
        last = at + 1
        at = pdf.find(_AMBIGUOUS, last)
    body = b"".join(parts) + pdf[last:xref_at]

    def moved(offset: int) -> int:
        return offset + bisect.bisect_right(inserted, offset)

    table = _XREF_ENTRY.sub(lambda m: b"%010d %s n" % (moved(int(m.group(1))), m.group(2)),
                            pdf[xref_at:found.start()])
    return body + table + b"startxref\n%d\n%%%%EOF" % moved(xref_at)
