"""A stream whose data ends in CR gets a CR LF of its own; every offset still points at its object."""

from __future__ import annotations

import re

import pytest

from assembler.errors import RenderError
from assembler.render.stream_ends import unambiguous_stream_ends


def _pdf(streams: list[bytes]) -> bytes:
    """Return a small classic PDF, written as Typst writes it (LF before endstream, no final EOL)."""
    out = b"%PDF-1.7\n"
    offsets = []
    for n, data in enumerate(streams, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n<</Length %d>>\nstream\n%s\nendstream\nendobj\n" % (n, len(data), data)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(streams) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    return out + b"trailer\n<</Size %d>>\nstartxref\n%d\n%%%%EOF" % (len(streams) + 1, xref)


def _objects(pdf: bytes) -> list[bytes]:
    """Return each stream's data as a reader finds it: from the xref offset, /Length bytes."""
    xref = int(re.search(rb"startxref\n(\d+)", pdf).group(1))  # type: ignore[union-attr]
    assert pdf.startswith(b"xref", xref)
    found = []
    for offset in re.findall(rb"(\d{10}) 00000 n", pdf[xref:]):
        at = int(offset)
        head = re.match(rb"(\d+) 0 obj\n<</Length (\d+)>>\nstream\n", pdf[at:])
        assert head, pdf[at:at + 20]
        start = at + head.end()
        found.append(pdf[start:start + int(head.group(2))])
    return found


def test_data_ending_in_cr_gets_cr_lf_and_offsets_move() -> None:
    streams = [b"abc\r", b"plain", b"x\ry\r", b"last"]
    fixed = unambiguous_stream_ends(_pdf(streams))
    assert _objects(fixed) == streams  # the data and its /Length unchanged, each object found
    assert fixed.count(b"\r\r\nendstream") == 2 and b"\n\nendstream" not in fixed
    assert fixed.endswith(b"%%EOF")


def test_a_pdf_without_such_a_stream_is_returned_as_it_was() -> None:
    pdf = _pdf([b"abc", b"def"])
    assert unambiguous_stream_ends(pdf) is pdf


def test_a_cross_reference_stream_is_refused_rather_than_corrupted() -> None:
    pdf = _pdf([b"abc\r"]).replace(b"xref\n0 2", b"nope\n0 2")
    with pytest.raises(RenderError, match="cross-reference table"):
        unambiguous_stream_ends(pdf)
