"""OOXML packages (DOCX) as deterministic zip files: fixed timestamps, fixed order, no extras.

The one zip writer for every DOCX: the contract (`contract_docx`) and the redline
(`redline_docx`). Same parts and date in, same bytes out.
"""

from __future__ import annotations

import datetime as dt
import io
import struct
import zipfile
import zlib
from collections import OrderedDict
from collections.abc import Mapping

ZIP_EPOCH = dt.date(1980, 1, 1)
"""The earliest date a zip entry can carry; the contract DOCX's entries all have it."""


def _dos_date(date: dt.date) -> int:
    """Return `date` as an MS-DOS date field (dates before 1980 become 1980)."""
    return (max(date.year, 1980) - 1980) << 9 | date.month << 5 | date.day


class PackageWriter:
    """Write packages, reusing the compressed bytes of parts seen before.

    Most parts of a contract (styles, theme, settings) are the same object for every customer of a
    version; deflating them once instead of per document is most of the cost of writing the
    package. A part is recognised by identity (the same bytes object), never by content.
    """

    def __init__(self, max_cached: int = 512) -> None:
        # id(blob) -> (blob, crc, deflated); holding the blob keeps its id from being reused.
        self._done: OrderedDict[int, tuple[bytes, int, bytes]] = OrderedDict()
        self._max = max_cached

    def _deflate(self, blob: bytes, reuse: bool) -> tuple[int, bytes]:
        cached = self._done.get(id(blob))
        if cached is not None and cached[0] is blob:
            self._done.move_to_end(id(blob))
            return cached[1], cached[2]
        compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
        deflated = compressor.compress(blob) + compressor.flush()
        crc = zlib.crc32(blob)
        if reuse:
            self._done[id(blob)] = (blob, crc, deflated)
            if len(self._done) > self._max:
                self._done.popitem(last=False)
        return crc, deflated

    def write(self, parts: Mapping[str, bytes], *, date: dt.date = ZIP_EPOCH,
              fresh: frozenset[str] = frozenset()) -> bytes:
        """Return the zip of `parts` in the order given, every entry dated `date` at 00:00.

        `fresh` names parts that differ per document and are not worth caching.
        """
        out = io.BytesIO()
        central = []
        dos_time, dos_date = 0, _dos_date(date)
        for name, blob in parts.items():
            crc, data = self._deflate(blob, name not in fresh)
            encoded = name.encode("utf-8")
            offset = out.tell()
            out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, dos_time, dos_date, crc,
                                  len(data), len(blob), len(encoded), 0))
            out.write(encoded)
            out.write(data)
            central.append(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, dos_time,
                                       dos_date, crc, len(data), len(blob), len(encoded), 0, 0,
                                       0, 0, 0, offset) + encoded)
        start = out.tell()
        for entry in central:
            out.write(entry)
        size = out.tell() - start
        out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(central), len(central), size,
                              start, 0))
        return out.getvalue()


_WRITER = PackageWriter()


def write_package(parts: Mapping[str, bytes], *, date: dt.date = ZIP_EPOCH,
                  fresh: frozenset[str] = frozenset()) -> bytes:
    """Return a package of `parts` in the order given, every entry dated `date`."""
    return _WRITER.write(parts, date=date, fresh=fresh)


def read_parts(package: bytes) -> dict[str, bytes]:
    """Return the parts of a zip package by name, in the order they are stored."""
    with zipfile.ZipFile(io.BytesIO(package)) as z:
        return {info.filename: z.read(info.filename) for info in z.infolist()}
