"""Customer CSV: validate rows into `Customer` objects (pure: no files, no registry).

Every problem is reported as a `RowProblem` with the CSV line, the column and the reason, so the
CLI can print ``FILE:LINE: column X: reason`` for each; warnings (a VAT id whose checksum fails)
do not reject the row.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass, field

from assembler.customers.email_address import valid_email
from assembler.model import Customer

REQUIRED = ("customer_id", "company_name", "kvk", "street", "postcode", "city", "contact_name",
            "contact_email", "signatory_name", "signatory_role", "services", "version", "signed_on")
"""Columns every customer CSV must have."""
OPTIONAL = ("btw_id", "contact_salutation")
"""Columns a customer CSV may have."""
COLUMNS = REQUIRED + OPTIONAL

MAX_LENGTH = 300
"""Longest accepted text field, in characters."""

_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_KVK_RE = re.compile(r"^[0-9]{8}$")
_POSTCODE_RE = re.compile(r"^([1-9][0-9]{3}) ?([A-Za-z]{2})$")
_DATE_RE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_BTW_RE = re.compile(r"^NL([0-9]{9})B([0-9]{2})$")


@dataclass(frozen=True)
class RowProblem:
    """One problem in one row of a customer CSV."""

    line: int
    """1-based line where the row starts (the header is line 1)."""
    column: str
    """The column the problem is in (``""`` for the row or file as a whole)."""
    reason: str
    """What is wrong, in English."""
    warning: bool = False
    """True for a warning that does not reject the row."""

    def format(self, path: str) -> str:
        """Return ``path:line: column X: reason`` (``warning:`` before the reason for a warning)."""
        where = f"{path}:{self.line}: " + (f"column {self.column}: " if self.column else "")
        return where + ("warning: " if self.warning else "") + self.reason


@dataclass
class ParsedCustomers:
    """The outcome of reading a customer CSV."""

    customers: list[Customer] = field(default_factory=list)
    """The valid rows, in file order."""
    problems: list[RowProblem] = field(default_factory=list)
    """Errors and warnings, in file order."""
    invalid_rows: int = 0
    """Rows rejected because of at least one error."""

    @property
    def errors(self) -> list[RowProblem]:
        """Return the problems that reject a row."""
        return [p for p in self.problems if not p.warning]


def normalise_postcode(text: str) -> str:
    """Return a Dutch postcode as ``1234 AB``; raise ValueError when it is not one."""
    m = _POSTCODE_RE.match(text.strip())
    if not m:
        raise ValueError(f"{text!r} is not a Dutch postcode (four digits, not starting with 0, "
                         "and two letters: 1234 AB)")
    letters = m.group(2).upper()
    if letters in ("SA", "SD", "SS"):
        raise ValueError(f"{text!r} is not a Dutch postcode (the letters SA, SD and SS are not used)")
    return f"{m.group(1)} {letters}"


def btw_checksum_ok(btw_id: str) -> bool:
    """Return whether a Dutch VAT id (``NL123456789B01``) passes its checksum.

    Before 2020 the nine digits are an eleven-test number (weights 9..2, the last digit -1); sole
    traders' ids since 2020 pass ISO 7064 MOD 97-10 over the whole id (N=23, L=21, B=11).
    """
    m = _BTW_RE.match(btw_id)
    if not m:
        return False
    digits = m.group(1)
    eleven = sum(int(d) * w for d, w in zip(digits[:8], range(9, 1, -1), strict=True))
    eleven -= int(digits[8])
    if eleven % 11 == 0:
        return True
    numeric = "".join(str(ord(ch) - 55) if ch.isalpha() else ch for ch in btw_id)
    return int(numeric) % 97 == 1


def _text_problem(value: str) -> str | None:
    if len(value) > MAX_LENGTH:
        return f"longer than {MAX_LENGTH} characters ({len(value)})"
    bad = next((ch for ch in value if unicodedata.category(ch) in ("Cc", "Cs")), None)
    if bad is not None:
        return f"contains the control character U+{ord(bad):04X}"
    return None


def validate_row(row: dict[str, str], line: int, services: Collection[str],
                 versions: Collection[str]) -> tuple[Customer | None, list[RowProblem]]:
    """Return the row as a `Customer` (None when invalid) and its problems."""
    problems: list[RowProblem] = []
    values = {k: (row.get(k) or "").strip() for k in COLUMNS}

    def error(column: str, reason: str) -> None:
        problems.append(RowProblem(line, column, reason))

    for column in COLUMNS:
        if column in REQUIRED and not values[column]:
            error(column, "is empty")
        elif (reason := _text_problem(values[column])) is not None:
            error(column, reason)
    failed = {p.column for p in problems}

    def check(column: str) -> bool:
        return column not in failed and bool(values[column])

    if check("customer_id") and not _ID_RE.match(values["customer_id"]):
        error("customer_id", f"{values['customer_id']!r} is not an id: letters, digits, '.', '_' "
              "and '-', starting with a letter or digit, at most 64 characters")
    if check("kvk") and not _KVK_RE.match(values["kvk"]):
        error("kvk", f"{values['kvk']!r} is not a KvK number (exactly 8 digits)")
    if check("contact_email") and not valid_email(values["contact_email"]):
        error("contact_email", f"{values['contact_email']!r} is not an e-mail address")
    postcode = values["postcode"]
    if check("postcode"):
        try:
            postcode = normalise_postcode(postcode)
        except ValueError as exc:
            error("postcode", str(exc))
    chosen: list[str] = []
    if check("services"):
        for sid in (s.strip() for s in values["services"].split(";")):
            if not sid:
                continue
            if sid not in services:
                error("services", f"unknown service {sid!r} (known: {', '.join(services)})")
            elif sid not in chosen:
                chosen.append(sid)
        if not chosen and not any(p.column == "services" for p in problems):
            error("services", "names no service")
    if check("version") and values["version"] not in versions:
        error("version", f"unknown version {values['version']!r} (released: "
              f"{', '.join(versions) or 'none'})")
    signed_on = None
    if check("signed_on"):
        text = values["signed_on"]
        try:
            if not _DATE_RE.match(text):
                raise ValueError
            signed_on = dt.date.fromisoformat(text)
        except ValueError:
            error("signed_on", f"{text!r} is not a date in the form YYYY-MM-DD")
    btw = values["btw_id"].upper().replace(" ", "").replace(".", "")
    if check("btw_id"):
        if not _BTW_RE.match(btw):
            error("btw_id", f"{values['btw_id']!r} is not a Dutch VAT id (NL, 9 digits, B, "
                  "2 digits: NL123456789B01)")
        elif not btw_checksum_ok(btw):
            problems.append(RowProblem(line, "btw_id", f"{btw} fails the VAT id checksum; "
                                       "imported anyway, please check it", warning=True))
    if any(not p.warning for p in problems):
        return None, problems
    assert signed_on is not None
    order = list(services)
    customer = Customer(
        customer_id=values["customer_id"], company_name=values["company_name"], kvk=values["kvk"],
        street=values["street"], postcode=postcode, city=values["city"],
        contact_name=values["contact_name"], contact_email=values["contact_email"],
        signatory_name=values["signatory_name"], signatory_role=values["signatory_role"],
        services=tuple(sorted(chosen, key=order.index)), version=values["version"],
        signed_on=signed_on, btw_id=btw if values["btw_id"] else "",
        contact_salutation=values["contact_salutation"])
    return customer, problems


def parse_customers_csv(text: str, services: Collection[str],
                        versions: Collection[str]) -> ParsedCustomers:
    """Validate a whole customer CSV (UTF-8 text, header on line 1)."""
    out = ParsedCustomers()
    text = text.removeprefix("\ufeff")  # Excel writes a BOM
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        out.problems.append(RowProblem(1, "", "the file is empty (a header line is required)"))
        return out
    except csv.Error as exc:
        out.problems.append(RowProblem(1, "", f"not valid CSV: {exc}"))
        return out
    header = [h.strip() for h in header]
    missing = [c for c in REQUIRED if c not in header]
    unknown = [h for h in header if h not in COLUMNS]
    duplicate = sorted({h for h in header if header.count(h) > 1})
    for column in missing:
        out.problems.append(RowProblem(1, column, "missing from the header"))
    for column in unknown:
        out.problems.append(RowProblem(1, column or "(empty)", "is not a known column (known: "
                                       + ", ".join(COLUMNS) + ")"))
    for column in duplicate:
        out.problems.append(RowProblem(1, column, "appears twice in the header"))
    if missing or unknown or duplicate:
        return out
    seen: dict[str, int] = {}
    line = reader.line_num + 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            out.problems.append(RowProblem(line, "", f"not valid CSV: {exc}"))
            out.invalid_rows += 1
            break
        start, line = line, reader.line_num + 1
        if not any(c.strip() for c in cells):
            continue  # blank line
        if len(cells) != len(header):
            out.problems.append(RowProblem(start, "", f"has {len(cells)} fields, the header "
                                           f"{len(header)}"))
            out.invalid_rows += 1
            continue
        customer, problems = validate_row(dict(zip(header, cells, strict=True)), start,
                                          services, versions)
        if customer is not None and customer.customer_id in seen:
            problems.append(RowProblem(start, "customer_id", f"{customer.customer_id!r} already "
                                       f"appears on line {seen[customer.customer_id]}"))
            customer = None
        out.problems.extend(problems)
        if customer is None:
            out.invalid_rows += 1
        else:
            seen[customer.customer_id] = start
            out.customers.append(customer)
    return out
