"""The personal-data guard: refuse files that would put personal data into git.

Git history cannot be erased (GDPR art. 17), so customers' contact persons, phone numbers and bank
accounts, and the customer registry itself, must never be committed. The guard scans files (by
default every file git tracks) for:

- e-mail addresses outside the example domains (exactly example.nl/.com/.org/.net: a subdomain
  such as shop.example.nl is a name someone may own, the reserved TLDs .example, .test,
  .invalid, .localhost, and localhost);
- Dutch phone numbers: +31 / 0031 numbers, mobile 06 numbers and landline numbers with an area
  code (020 and seven digits). Ten digits with at most one dash, after the area code, so dates
  (28-11-2026), KvK numbers (8 digits), version numbers and hashes are not taken for one;
- Dutch numbers in the common written forms too: ``(020) 123 4567``, ``020 - 123 45 67``;  (guard: allow)
- IBANs whose mod-97 checksum is valid, in any case and spacing (``nl91 abna 0417 1643 00``,  (guard: allow)
  ``NL91.ABNA.0417.1643.00``; a random code that looks like one is not reported);  (guard: allow)
- BSNs (burgerservicenummers): nine digits, optionally grouped, that pass the elfproef
  (``123.456.782``; a nine-digit number that fails it is not reported);  (guard: allow)
- a registry database: a file named ``*.sqlite``, ``*.sqlite3``, ``*.db`` or ``*.db3``, or any
  file that starts with the SQLite magic bytes.

Text in UTF-16 (a spreadsheet's "Unicode text" export) is decoded and scanned like UTF-8. A
DOCX, XLSX, PPTX or ODF file is a zip of XML parts: each XML part's text is scanned paragraph by
paragraph (a number Word split over two runs is found whole), and a hyperlink's target in the
``.rels`` parts too; a finding names the file and the part. A binary file the guard cannot read
(a font, a PDF, a ``-wal`` file) is reported as a warning, never silently passed. A line that
must contain such a value on purpose (a test of the guard itself) carries the pragma
``guard: allow``. What is found is reported masked, so the report does not spread it further.
"""

from __future__ import annotations

import html
import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from assembler.model import Finding

PRAGMA = "guard: allow"
ZIP_MAGIC = b"PK\x03\x04"
MAX_PART = 64 * 1024 * 1024
"""Largest XML part of an Office file the guard unpacks (bytes)."""
_PARAGRAPH_END = re.compile(r"</(?:w:p|a:p|text:p|text:h|x:si|si|row)>|<w:br/>")
_TAG = re.compile(r"<[^>]*>")
_TARGET = re.compile(r'\bTarget="([^"]*)"')
SQLITE_MAGIC = b"SQLite format 3\x00"
DATABASE_SUFFIXES = (".sqlite", ".sqlite3", ".db", ".db3")
EXAMPLE_DOMAINS = ("example.nl", "example.com", "example.org", "example.net", "localhost")
RESERVED_TLDS = ("example", "test", "invalid", "localhost")

_EMAIL = re.compile(
    r"(?<![\w.%+-])(?P<local>[A-Za-z0-9][\w.%+-]*)@(?P<domain>[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*)")
# +31 6 …, +31 (0)20 …, 0031-20-…: the country code makes the intent plain.
_PHONE_INTL = re.compile(r"(?<![\w+])(?:\+31|0031)[ -]?(?:\(0\)[ -]?)?[1-9](?:[ -]?\d){8}(?![\w-])")
# 06-xxxxxxxx, 06 xxxx xxxx, 020-xxxxxxx, 010 - xxx xx xx, 06xxxxxxxx: validated in `_dutch_phone`.
_PHONE_NATIONAL = re.compile(r"(?<![\w+.,/:-])0[1-9][\d -]{7,14}\d(?!\w|[.,/:-]\d)")
_IBAN_START = re.compile(r"(?<![A-Za-z0-9])(?P<country>[A-Za-z]{2})(?P<check>\d{2})(?=[ .A-Za-z0-9-])")
# (020) 123 4567, (0513) 12 34 56: the area code in brackets.  # guard: allow
_PHONE_BRACKETS = re.compile(r"(?<![\w)])\(0[1-9]\d{0,2}\)[ -]?\d(?:[ -]?\d){4,7}(?![\w-])")
# 123456782, 123.456.782, 1234 56 782: nine digits, checked by the elfproef in `bsn_valid`.  # guard: allow
# Only these groupings: a phone number's spaced digits are not a BSN.
_BSN = re.compile(r"(?<![\w.,/:)-])(?<!\d )(?:\d{9}|\d{3}\.\d{3}\.\d{3}|\d{4} \d{2} \d{3})"
                  r"(?![\w]|[.,/:-]\d| \d)")
# Lengths of the IBANs of the SEPA countries a Dutch business meets; other codes are ignored.
IBAN_LENGTHS = {
    "AT": 20, "BE": 16, "BG": 22, "CH": 21, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "EE": 20,
    "ES": 24, "FI": 18, "FR": 27, "GB": 22, "GR": 27, "HR": 21, "HU": 28, "IE": 22, "IS": 26,
    "IT": 27, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "MC": 27, "MT": 31, "NL": 18, "NO": 15,
    "PL": 28, "PT": 25, "RO": 24, "SE": 24, "SI": 19, "SK": 24,
}


def example_domain(domain: str) -> bool:
    """Return whether e-mail to `domain` can never reach a real person."""
    domain = domain.lower().rstrip(".")
    if domain.rsplit(".", 1)[-1] in RESERVED_TLDS:
        return True
    return domain in EXAMPLE_DOMAINS


def iban_valid(iban: str) -> bool:
    """Return whether `iban` (spaces allowed) has a known country's length and a valid checksum."""
    code = iban.replace(" ", "").upper()
    if IBAN_LENGTHS.get(code[:2]) != len(code) or not code.isalnum():
        return False
    digits = "".join(str(int(ch, 36)) for ch in code[4:] + code[:4])
    return int(digits) % 97 == 1


def bsn_valid(bsn: str) -> bool:
    """Return whether the nine digits of `bsn` pass the elfproef of a burgerservicenummer.

    The weighted sum 9·d1 + 8·d2 + … + 2·d8 − 1·d9 is a multiple of 11 (and not 0).
    """
    digits = [int(ch) for ch in bsn if ch.isdigit()]
    if len(digits) != 9:
        return False
    total = sum(d * w for d, w in zip(digits, range(9, 1, -1), strict=False)) - digits[8]
    return total % 11 == 0 and total != 0


def _dutch_phone(candidate: str) -> bool:
    text = candidate.strip()
    digits = re.sub(r"\D", "", text)
    if len(digits) != 10:
        return False
    parts = [p.strip() for p in text.split("-")]
    if len(parts) > 2:  # 28-11-2026 12: a date, not a phone number
        return False
    if len(parts) == 2:
        area = parts[0].replace(" ", "")
        if not (2 <= len(area) <= 4 and area.isdigit()) or " " in parts[0]:
            return False
    groups = re.split(r"[ -]+", text)
    return all(len(g) >= 2 for g in groups)


def _iban_at(line: str, start: int, length: int) -> tuple[str, int] | None:
    """Collect `length` alphanumerics from `start`, single spaces allowed; return them and the end."""
    out: list[str] = []
    i = start
    while i < len(line) and len(out) < length:
        ch = line[i]
        if ch.isalnum() and ch.isascii():
            out.append(ch.upper())
        elif not (ch in " .-" and i + 1 < len(line) and line[i + 1].isalnum() and out):
            return None
        i += 1
    if len(out) != length or (i < len(line) and line[i].isalnum()):
        return None
    return "".join(out), i


def _mask(value: str, keep: int = 2) -> str:
    return value[:keep] + "…" + value[-keep:] if len(value) > 2 * keep else "…"


def _emails(line: str) -> Iterator[str]:
    """Yield each e-mail address on `line` outside the example domains."""
    for m in _EMAIL.finditer(line):
        domain = m.group("domain")
        if "." not in domain and domain.lower() != "localhost":
            continue  # "user@host": no address anyone can mail
        if m.group("local") == "git" and line[m.end():m.end() + 1] == ":":
            continue  # git@github.com:owner/repo, a remote, not a person
        if not example_domain(domain):
            yield (f"e-mail address {m.group('local')[:1]}…@{domain} outside the example domains "
                   "(use example.nl or example.com)")


def _ibans(line: str, spans: list[tuple[int, int]]) -> Iterator[str]:
    """Yield each IBAN with a valid checksum; add the span of every IBAN-shaped text to `spans`."""
    for m in _IBAN_START.finditer(line):
        length = IBAN_LENGTHS.get(m.group("country").upper())
        found = _iban_at(line, m.start(), length) if length else None
        if found:
            iban, end = found
            spans.append((m.start(), end))
            if iban_valid(iban):
                yield f"IBAN {iban[:4]}…{iban[-2:]} (valid checksum)"


def _national_phone(candidate: str) -> str:
    """Return the longest Dutch phone number `candidate` starts with ("" when none).

    The pattern is greedy: a number followed by " 12" must still be found.
    """
    while candidate and not _dutch_phone(candidate):
        candidate = re.sub(r"[ -]*\d+$", "", candidate) if re.search(r"[ -]", candidate) else ""
    return candidate


def _phones(line: str, iban_spans: list[tuple[int, int]]) -> Iterator[str]:
    """Yield each Dutch phone number on `line` that is not part of an IBAN."""

    def in_iban(pos: int) -> bool:
        return any(start <= pos < end for start, end in iban_spans)

    for m in _PHONE_INTL.finditer(line):
        if not in_iban(m.start()):
            yield f"Dutch phone number {_mask(m.group(0), 3)}"
    for m in _PHONE_BRACKETS.finditer(line):
        if len(re.sub(r"\D", "", m.group(0))) == 10:
            yield f"Dutch phone number {_mask(m.group(0), 3)}"
    for m in _PHONE_NATIONAL.finditer(line):
        if in_iban(m.start()):
            continue  # the digits of a spaced IBAN ("NL.. ABNA 0417 …") are not a phone number
        candidate = _national_phone(m.group(0))
        if candidate:
            yield f"Dutch phone number {_mask(candidate.strip(), 2)}"


def scan_line(line: str) -> Iterator[str]:
    """Yield a description of each piece of personal data on one line of text."""
    if PRAGMA in line:
        return
    yield from _emails(line)
    iban_spans: list[tuple[int, int]] = []
    yield from _ibans(line, iban_spans)
    yield from _phones(line, iban_spans)
    for m in _BSN.finditer(line):
        if not any(start <= m.start() < end for start, end in iban_spans) and bsn_valid(m.group(0)):
            yield f"BSN {_mask(re.sub(r'[ .]', '', m.group(0)), 2)} (passes the elfproef)"


def scan_bytes(path: str, data: bytes) -> Iterator[Finding]:
    """Yield a finding for each piece of personal data in the file `path` with content `data`."""
    if path.lower().endswith(DATABASE_SUFFIXES) or data.startswith(SQLITE_MAGIC):
        what = "an SQLite database" if data.startswith(SQLITE_MAGIC) else "a database file"
        yield Finding("error", path, 0, f"{what}: the customer registry belongs in var/, never in git",
                      "guard")
        return
    if data.startswith(ZIP_MAGIC):
        parts = office_xml_texts(data)
        if parts is not None:
            for part, paragraphs in parts:
                unit = "link" if part.endswith(".rels") else "paragraph"
                for number, paragraph in enumerate(paragraphs, 1):
                    for what in scan_line(paragraph):
                        yield Finding("error", f"{path} ({part})", 0, f"{unit} {number}: {what}",
                                      "guard")
            return
    text = _text_of(data)
    if text is None:
        yield Finding("warning", path, 0, "binary file: not scanned for personal data (keep "
                                          "customers' data out of it)", "guard")
        return
    for number, line in enumerate(text.splitlines(), 1):
        for what in scan_line(line):
            yield Finding("error", path, number, what, "guard")


def office_xml_texts(data: bytes) -> list[tuple[str, list[str]]] | None:
    """Return the text of each XML part of a zip-based Office file, paragraph by paragraph.

    None when `data` is not a readable zip. The text is what the reader sees (tags removed,
    entities decoded, a paragraph's runs joined); a ``.rels`` part gives its targets (where a
    ``mailto:`` link points). A part larger than `MAX_PART` is not unpacked (a zip bomb).
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = [i for i in archive.infolist() if i.filename.endswith((".xml", ".rels"))]
        out = []
        for info in infos:
            if info.file_size > MAX_PART:
                out.append((info.filename, [f"(part of {info.file_size} bytes not unpacked)"]))
                continue
            xml = archive.read(info).decode("utf-8", errors="replace")
            if info.filename.endswith(".rels"):
                out.append((info.filename, [html.unescape(t) for t in _TARGET.findall(xml)]))
                continue
            text = _TAG.sub("", _PARAGRAPH_END.sub("\n", xml.replace("<w:tab/>", "\t")))
            out.append((info.filename, [html.unescape(line) for line in text.splitlines() if line.strip()]))
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError, EOFError):
        return None
    return out


def _text_of(data: bytes) -> str | None:
    """Return `data` as text (UTF-8, or UTF-16 with or without a BOM), or None for a binary file."""
    head = data[:8192]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    if b"\0" not in head:
        return data.decode("utf-8", errors="replace")
    # UTF-16 without a BOM: every other byte NUL (ASCII text); which half says the byte order
    even, odd = head[0::2], head[1::2]
    if len(head) >= 2 and odd.count(0) > 0.9 * len(odd) and even.count(0) < 0.1 * len(even):
        return data.decode("utf-16-le", errors="replace")
    if len(head) >= 2 and even.count(0) > 0.9 * len(even) and odd.count(0) < 0.1 * len(odd):
        return data.decode("utf-16-be", errors="replace")
    return None


def scan_files(root: Path, paths: Iterable[str], given: bool = False) -> list[Finding]:
    """Scan the files `paths` (relative to `root`, or absolute).

    A missing file is skipped when the paths come from git (deleted in the work tree), but is an
    error when the user `given` it: a typo must not pass as "nothing found".
    """
    findings: list[Finding] = []
    for rel in paths:
        path = root / rel
        if not path.is_file():
            if given:
                findings.append(Finding("error", rel, 0, "no such file", "guard"))
            continue  # deleted in the work tree, or a submodule: nothing to commit from it
        try:
            data = path.read_bytes()
        except OSError as exc:
            findings.append(Finding("error", rel, 0, f"cannot read: {exc.strerror or exc}", "guard"))
            continue
        findings.extend(scan_bytes(rel, data))
    return findings
