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
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass, field

from assembler.customers.email_address import valid_email
from assembler.dutch import today_nl
from assembler.model import Customer
from assembler.render.font_coverage import unshowable

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
    bad = next((ch for ch in value if unicodedata.category(ch) in ("Cc", "Cs", "Cn", "Co")), None)
    if bad is not None:
        return f"contains the control or unassigned character U+{ord(bad):04X}"
    missing = unshowable(value)
    if missing:
        foreign = missing[0][1]
        script = unicodedata.name(foreign, "unnamed").split()[0]
        return (f"contains {foreign!r} (U+{ord(foreign):04X}, {script} script), which no font of "
                "the contract can show; write it in Latin letters")
    return None


def _unneutralise(cell: str) -> str:
    """Return an exported cell as it was: the export puts ``'`` before formula-like cells."""
    return cell[1:] if cell.startswith("'") and cell[1:2] in ("=", "+", "-", "@") else cell


class _Row:
    """One row being checked: its trimmed values and the problems found so far."""

    def __init__(self, row: dict[str, str], line: int) -> None:
        self.line = line
        self.values = {k: _unneutralise((row.get(k) or "").strip()) for k in COLUMNS}
        self.problems: list[RowProblem] = []
        for column in COLUMNS:
            if column in REQUIRED and not self.values[column]:
                self.error(column, "is empty")
            elif (reason := _text_problem(self.values[column])) is not None:
                self.error(column, reason)
        self._failed = {p.column for p in self.problems}

    def error(self, column: str, reason: str, *, warning: bool = False) -> None:
        """Record a problem in `column`."""
        self.problems.append(RowProblem(self.line, column, reason, warning=warning))

    def check(self, column: str) -> bool:
        """Return whether `column` has a value that passed the text checks, so is worth checking."""
        return column not in self._failed and bool(self.values[column])

    @property
    def invalid(self) -> bool:
        """Return whether an error (not only a warning) rejects the row."""
        return any(not p.warning for p in self.problems)


def _check_formats(row: _Row) -> None:
    """Check the fields whose form alone says whether they are right: id, KvK number, e-mail."""
    v = row.values
    if row.check("customer_id") and not _ID_RE.match(v["customer_id"]):
        row.error("customer_id", f"{v['customer_id']!r} is not an id: letters, digits, '.', '_' "
                  "and '-', starting with a letter or digit, at most 64 characters")
    if row.check("kvk") and not _KVK_RE.match(v["kvk"]):
        row.error("kvk", f"{v['kvk']!r} is not a KvK number (exactly 8 digits)")
    if row.check("contact_email") and not valid_email(v["contact_email"]):
        row.error("contact_email", f"{v['contact_email']!r} is not an e-mail address")


def _check_postcode(row: _Row) -> str:
    """Return the postcode as ``1234 AB`` (as given when it is not one)."""
    postcode = row.values["postcode"]
    if row.check("postcode"):
        try:
            return normalise_postcode(postcode)
        except ValueError as exc:
            row.error("postcode", str(exc))
    return postcode


def _check_services(row: _Row, services: Collection[str]) -> tuple[str, ...]:
    """Return the row's services, known ones only, once each, in catalogue order."""
    if not row.check("services"):
        return ()
    chosen: list[str] = []
    unknown = False
    for sid in (s.strip() for s in row.values["services"].split(";")):
        if sid and sid not in services:
            row.error("services", f"unknown service {sid!r} (known: {', '.join(services)})")
            unknown = True
        elif sid and sid not in chosen:
            chosen.append(sid)
    if not chosen and not unknown:
        row.error("services", "names no service")
    order = list(services)
    return tuple(sorted(chosen, key=order.index))


def _check_version(row: _Row, versions: Collection[str]) -> None:
    """Check that the row names a released version."""
    if row.check("version") and row.values["version"] not in versions:
        row.error("version", f"unknown version {row.values['version']!r} (released: "
                  f"{', '.join(versions) or 'none'})")


def signed_before_effective(signed_on: dt.date, version: str, effective: dt.date) -> str | None:
    """Return why a signature of `version` dated `signed_on` cannot be imported, or None if it can.

    A version binds nobody before its own effective date: until then it is only announced
    (`timeline.version_states`), and the customers it concerns are bound by the text in force.
    An import row says "this customer is bound by `version` from `signed_on`"
    (`lifecycle.version_in_force`), so a date before the version took effect claims a fact that
    cannot be true: typically a typing error, or the date of an older agreement (1.0 implements
    the AVG, art. 28 GDPR, which applies from 25 May 2018). The row is refused rather than bound
    from the effective date: moving a recorded signing date would put a day into the registry
    that nobody signed on and would hide the error; the registry's facts must be the evidence as
    it is, so the person who holds the signed copy corrects the row.
    """
    if signed_on >= effective:
        return None
    return f"{signed_on.isoformat()} is before version {version} took effect ({effective.isoformat()})"


def _check_signed_on(row: _Row) -> dt.date | None:
    """Return the signing date (None when it is missing, not a YYYY-MM-DD date, or in the future).

    A customer is bound from `signed_on` by the version they signed (the lifecycle rule,
    `customers.lifecycle`), so the date is a fact of the past: a signature dated after today
    has not been given. Imported, it would make a customer `active` with no version in force
    and put them in plans and notices as if bound. Today is the real clock's day in
    Europe/Amsterdam (`dutch.today_nl`); a contract signed today may be imported today.
    """
    text = row.values["signed_on"]
    if not row.check("signed_on"):
        return None
    try:
        if not _DATE_RE.match(text):
            raise ValueError
        day = dt.date.fromisoformat(text)
    except ValueError:
        row.error("signed_on", f"{text!r} is not a date in the form YYYY-MM-DD")
        return None
    today = today_nl()
    if day > today:
        row.error("signed_on", f"{text} is in the future (today is {today.isoformat()}, "
                  "Europe/Amsterdam): import a contract once it is signed")
        return None
    return day


def _check_btw(row: _Row) -> str:
    """Return the VAT id without spaces and dots ("" when none); a failed checksum only warns."""
    given = row.values["btw_id"]
    btw = given.upper().replace(" ", "").replace(".", "")
    if row.check("btw_id"):
        if not _BTW_RE.match(btw):
            row.error("btw_id", f"{given!r} is not a Dutch VAT id (NL, 9 digits, B, "
                      "2 digits: NL123456789B01)")
        elif not btw_checksum_ok(btw):
            row.error("btw_id", f"{btw} fails the VAT id checksum; imported anyway, please check it",
                      warning=True)
    return btw if given else ""


def validate_row(row: dict[str, str], line: int, services: Collection[str],
                 versions: Mapping[str, dt.date]) -> tuple[Customer | None, list[RowProblem]]:
    """Return the row as a `Customer` (None when invalid) and its problems.

    `versions` gives the effective date of each released version, by number.
    """
    checked = _Row(row, line)
    _check_formats(checked)
    postcode = _check_postcode(checked)
    chosen = _check_services(checked, services)
    _check_version(checked, versions)
    signed_on = _check_signed_on(checked)
    version = checked.values["version"]
    if signed_on is not None and version in versions and \
            (reason := signed_before_effective(signed_on, version, versions[version])):
        checked.error("signed_on", reason)
    btw = _check_btw(checked)
    if checked.invalid:
        return None, checked.problems
    assert signed_on is not None
    v = checked.values
    customer = Customer(
        customer_id=v["customer_id"], company_name=v["company_name"], kvk=v["kvk"],
        street=v["street"], postcode=postcode, city=v["city"],
        contact_name=v["contact_name"], contact_email=v["contact_email"],
        signatory_name=v["signatory_name"], signatory_role=v["signatory_role"],
        services=chosen, version=v["version"], signed_on=signed_on, btw_id=btw,
        contact_salutation=v["contact_salutation"])
    return customer, checked.problems


def _header_problems(header: list[str]) -> list[RowProblem]:
    """Return what is wrong with the header line: missing, unknown or repeated columns."""
    missing = [c for c in REQUIRED if c not in header]
    unknown = [h for h in header if h not in COLUMNS]
    duplicate = sorted({h for h in header if header.count(h) > 1})
    return ([RowProblem(1, column, "missing from the header") for column in missing]
            + [RowProblem(1, column or "(empty)", "is not a known column (known: "
                          + ", ".join(COLUMNS) + ")") for column in unknown]
            + [RowProblem(1, column, "appears twice in the header") for column in duplicate])


def _count_problem(header: list[str], cells: list[str]) -> str:
    """Return what is wrong with a row that has more or fewer fields than the header."""
    count = f"has {len(cells)} field{'' if len(cells) == 1 else 's'}, the header {len(header)}"
    if len(cells) < len(header):
        return (f"{count}: no field for {', '.join(header[len(cells):])} (an empty value still "
                "needs its separator)")
    return (f"{count}: {len(cells) - len(header)} more than there are columns (a value with the "
            "separator in it must be quoted)")


def _rows(reader: Iterator[list[str]], line_num: Callable[[], int], out: ParsedCustomers
          ) -> Iterator[tuple[int, list[str]]]:
    """Yield (first line, cells) of each non-blank row; a CSV syntax error ends the file."""
    line = line_num() + 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            out.problems.append(RowProblem(line, "", f"not valid CSV: {exc}"))
            out.invalid_rows += 1
            return
        start, line = line, line_num() + 1
        if any(c.strip() for c in cells):  # skip blank lines
            yield start, cells


def delimiter(text: str) -> str:
    """Return the CSV's field separator, ``,`` or ``;``, read from its header line alone.

    Excel with Dutch regional settings saves "CSV" with ``;`` between fields. The header is
    ours (column names without either character), so it decides without guessing: ``;`` when
    splitting the first line on ``;`` finds more known column names than splitting it on ``,``.
    """
    first = text.split("\n", 1)[0]
    def known(sep: str) -> int:
        return sum(cell.strip().strip('"') in COLUMNS for cell in first.split(sep))
    return ";" if known(";") > known(",") else ","


def parse_customers_csv(text: str, services: Collection[str],
                        versions: Mapping[str, dt.date]) -> ParsedCustomers:
    """Validate a whole customer CSV (UTF-8 text, header on line 1, fields split by `delimiter`).

    `versions` gives the effective date of each released version, by number.
    """
    out = ParsedCustomers()
    text = text.removeprefix("\ufeff")  # Excel writes a BOM
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter(text))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        out.problems.append(RowProblem(1, "", "the file is empty (a header line is required)"))
        return out
    except csv.Error as exc:
        out.problems.append(RowProblem(1, "", f"not valid CSV: {exc}"))
        return out
    out.problems += _header_problems(header)
    if out.problems:
        return out
    seen: dict[str, int] = {}
    for start, cells in _rows(reader, lambda: reader.line_num, out):
        if len(cells) != len(header):
            out.problems.append(RowProblem(start, "", _count_problem(header, cells)))
            out.invalid_rows += 1
            continue
        customer, problems = validate_row(dict(zip(header, cells, strict=True)), start,
                                          services, versions)
        # ids differing only in case are one id: their files would collide on macOS and Windows
        if customer is not None and customer.customer_id.casefold() in seen:
            problems.append(RowProblem(start, "customer_id", f"{customer.customer_id!r} already "
                                       f"appears on line {seen[customer.customer_id.casefold()]} "
                                       "(ids are the same whatever the case)"))
            customer = None
        out.problems.extend(problems)
        if customer is None:
            out.invalid_rows += 1
        else:
            seen[customer.customer_id.casefold()] = start
            out.customers.append(customer)
    return out
