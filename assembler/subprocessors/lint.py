"""Lint the sub-processor register: catalogue ids, ids, transfers, dates, and the notice period.

Every finding names ``contracts/<contract>/subverwerkers.toml`` and the line of the field.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from itertools import chain

from assembler.agreement.project import Project
from assembler.config import load_config
from assembler.errors import ConfigError, InputError
from assembler.model import Catalogue, Finding, Register, SubProcessor
from assembler.subprocessors.countries import ISO_3166_ALPHA2
from assembler.subprocessors.register import read_register
from assembler.tomlfile import line_of

EU_EEA = frozenset(
    "AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK"  # EU
    " IS LI NO".split())  # EEA
"""The EU and EEA member states (ISO 3166 alpha-2; Greece as ``GR``)."""
TRANSFER_BASES = ("adequaatheidsbesluit", "SCC", "BCR", "EU-US DPF")
NOTICE_DAYS = 30
"""Default ``[subprocessors] notice_days``: the notice large processors give (see `notice_deadline`)."""


def outside_eea(entry: SubProcessor) -> list[str]:
    """Return the locations of `entry` outside the EU/EEA.

    Art. 4.3 of the agreement allows processing outside the EU/EEA only by sub-processors on the
    list, and GDPR chapter V (art. 44–49) only on an adequacy decision (art. 45), standard
    contractual clauses (art. 46(2)(c)), binding corporate rules (art. 47) or the EU-US Data
    Privacy Framework (an adequacy decision of 10 July 2023): such an entry must name its basis.
    """
    return [loc for loc in entry.locations if loc not in EU_EEA]


def notice_deadline(effective: dt.date, notice_days: int) -> dt.date:
    """Return the last day to announce an addition that takes effect on `effective`.

    Art. 4.1: the customer is informed "tijdig" of a new sub-processor and given the chance to
    object (likewise GDPR art. 28(2)). "Tijdig" is made concrete as `notice_days` (default 30)
    days before `effective`, the period large processors give.
    """
    return effective - dt.timedelta(days=notice_days)


def objection_deadline(effective: dt.date, announced: dt.date) -> dt.date | None:
    """Return the last day to object to a sub-processor announced on `announced`; None if none.

    Art. 4.1 gives the chance to object before the sub-processor is used; the last day to
    object is therefore the day before `effective`. The window opens when the change is
    announced (put on the published list, or a notice sent). A sub-processor announced on the
    day it takes effect, such as those on the list from the start (``added == effective``), had
    no window: None, never a window that closed before it opened.
    """
    last = effective - dt.timedelta(days=1)
    return last if announced <= last else None


def late_objection_deadline(sent: dt.date, notice_days: int) -> dt.date:
    """Return the last day to object for a customer whose notice goes out late, on `sent`.

    A notice sent after `notice_deadline` cannot give the customer `notice_days` before
    ``effective``. Our lateness does not shorten the customer's chance to object (art. 4.1,
    GDPR art. 28(2)): they keep as long as a timely notice gives, `notice_days` counted from
    the day it is sent, so the last day is ``sent + notice_days - 1`` (a notice sent on the
    latest send day gets exactly `objection_deadline`). An objection in that time is handled
    under art. 4.2 as any other, even when the sub-processor is in use by then.
    """
    return sent + dt.timedelta(days=notice_days - 1)


class _Lines:
    """The lines of the register's text, to point each finding at its field."""

    def __init__(self, text: str) -> None:
        self.text = text

    def of(self, entry: SubProcessor, key: str, value: str | None = None) -> int:
        pattern = rf"^\s*{key}\s*=" + (rf".*{re.escape(value)}" if value else "")
        return line_of(self.text, pattern, entry.line) or entry.line


Problem = tuple[str, str, str, str | None]
"""(field, message, rule id, the value to find on the field's line or None) of one finding."""


def _catalogue_problems(e: SubProcessor, catalogue: Catalogue) -> Iterator[Problem]:
    services = {s.id for s in catalogue.services}
    categories = {c.id for c in catalogue.data_categories}
    for s in e.services:
        if s not in services:
            yield "services", f"unknown service {s!r} (not in the catalogue)", "catalogue", s
    for c in e.categories:
        if c not in categories:
            yield "categories", f"unknown data category {c!r} (not in the catalogue)", "catalogue", c


def _place_problems(e: SubProcessor) -> Iterator[Problem]:
    for key, codes in (("country", [e.country]), ("locations", list(e.locations))):
        for code in codes:
            if code not in ISO_3166_ALPHA2:
                yield key, f"{code!r} is not an ISO 3166-1 alpha-2 country code", "country", code
    far = outside_eea(e)
    if far and not e.transfer:
        yield ("locations", f"processes outside the EU/EEA ({', '.join(far)}) but names no transfer "
               f"basis (art. 4.3): set transfer = one of {', '.join(TRANSFER_BASES)}", "transfer", None)
    if e.transfer and e.transfer not in TRANSFER_BASES:
        yield ("transfer", f"unknown transfer basis {e.transfer!r}; use one of "
               f"{', '.join(TRANSFER_BASES)}", "transfer", None)


def _date_problems(e: SubProcessor) -> Iterator[Problem]:
    if e.effective < e.added:
        yield "effective", f"effective {e.effective} is before added {e.added}", "dates", None
    if e.removed is not None and e.removed <= e.effective:
        yield "removed", f"removed {e.removed} is not after effective {e.effective}", "dates", None


def _id_problems(e: SubProcessor, seen: dict[str, SubProcessor], lines: _Lines
                 ) -> Iterator[Problem]:
    first = seen.get(e.id)
    if first is not None and first is not e:
        yield ("id", f"id already used at line {lines.of(first, 'id')} (ids are never reused)",
               "id", None)
    if e.replaces and e.replaces not in seen:
        yield "replaces", f"replaces unknown id {e.replaces!r}", "id", None
    if e.replaces == e.id:
        yield "replaces", "replaces itself", "id", None


def lint_register(register: Register, catalogue: Catalogue) -> list[Finding]:
    """Return every rule the register breaks: catalogue ids, ids, places and transfers, dates."""
    lines, out = _Lines(register.text), []
    seen: dict[str, SubProcessor] = {}
    for e in register.entries:
        seen.setdefault(e.id, e)
    for e in register.entries:
        for key, message, rule, value in chain(_id_problems(e, seen, lines),
                                               _catalogue_problems(e, catalogue),
                                               _place_problems(e), _date_problems(e)):
            out.append(Finding("error", register.path, lines.of(e, key, value), f"{e.id}: {message}",
                               f"subprocessor-{rule}"))
    return out


def lint_against_base(register: Register, base: Register, today: dt.date,
                      notice_days: int) -> list[Finding]:
    """Return the rules a change of the register since `base` breaks (``check --base``).

    An id of the base list comes back with another ``added`` date: a reused id. An addition
    whose ``effective`` leaves less than `notice_days` from `today` cannot be announced in time
    (`notice_deadline`). A base without a register is where the register starts: its first
    entries record the sub-processors already in use, not additions.
    """
    if not base.text:
        return []
    lines, out = _Lines(register.text), []
    for e in register.entries:
        old = base.entry(e.id)
        if old is not None and old.added != e.added:
            out.append(Finding("error", register.path, lines.of(e, "id"),
                               f"{e.id}: id reused (it was added on {old.added} before); "
                               "choose a new id", "subprocessor-id"))
        elif old is None and today > notice_deadline(e.effective, notice_days):
            out.append(Finding(
                "error", register.path, lines.of(e, "effective"),
                f"{e.id}: effective {e.effective} leaves less than {notice_days} days' notice "
                f"from {today} (announce by {notice_deadline(e.effective, notice_days)})",
                "subprocessor-notice"))
    return out



def notice_days(project: Project) -> int:
    """Return ``[subprocessors] notice_days`` of the project (default `NOTICE_DAYS`)."""
    value = load_config(project.root).get("subprocessors", "notice_days", NOTICE_DAYS)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ConfigError(str(project.root / "assembler.toml"), None,
                          f"[subprocessors] notice_days must be a whole number of days, not {value!r}")
    return value


def check_register(project: Project, contract: str, commit: str | None, catalogue: Catalogue,
                   base: str | None = None, today: dt.date | None = None) -> list[Finding]:
    """Return the register's findings at `commit` (None: the work tree), as `check` reports them.

    With `base` (pull-request mode) also the rules against the register at that git ref.
    """
    try:
        register = read_register(project, contract, commit)
    except InputError as exc:
        return [Finding("error", exc.path, exc.line or 0, exc.detail, "subprocessor")]
    findings = lint_register(register, catalogue)
    if base is not None:
        try:
            old = read_register(project, contract, base)
        except InputError:
            return findings  # the base's own errors were reported when it was checked
        findings += lint_against_base(register, old, today or dt.date.today(), notice_days(project))
    return findings
