"""The incident record: ``var/incidents/<id>.toml``, written by `incidents new`, read and checked.

The record stays outside git: it may name customers and describe what leaked, and git history
cannot be erased. Every error names the file and the line of the key that is wrong.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from assembler.errors import IncidentError, UsageError
from assembler.fsutil import atomic_write_text
from assembler.incidents.deadline import by_deadline, local_time
from assembler.model import Count, Incident, Precision
from assembler.tomlfile import line_of, load_toml

ID = re.compile(r"^[0-9A-Za-z][0-9A-Za-z_-]{0,39}$")
PRECISIONS = ("exact", "estimated", "unknown")
REQUIRED = ("id", "detected_at", "nature", "subjects", "records", "contact")
TEXTS = ("nature", "consequences", "measures", "contact", "next_update")
LISTS = ("services", "categories", "customers")
KNOWN = {*REQUIRED, *TEXTS, *LISTS, "occurred_from", "occurred_to"}

TEMPLATE = """\
# Incident record (art. 7 of the Verwerkersovereenkomst). Outside git: it may hold sensitive detail.
# Times are local, Europe/Amsterdam. Texts are Dutch: they go into the customers' letters as written.
id = "{id}"
detected_at = {detected}        # when we discovered it: the 48-hour clock starts here
# occurred_from = 2027-03-26T22:00:00   # when it began, if known
# occurred_to = 2027-03-27T08:00:00     # when it ended, if known
nature = ""          # art. 7.3 (I): what happened (vertrouwelijkheid, integriteit, beschikbaarheid)
services = []        # catalogue service ids affected, e.g. ["gespreksopname"]; and/or
categories = []      # catalogue data-category ids that leaked, e.g. ["belhistorie"]; and/or
customers = []       # customer ids, when known exactly
subjects = {{ count = 0, precision = "unknown" }}   # exact | estimated | unknown
records = {{ count = 0, precision = "unknown" }}
consequences = ""    # art. 7.3 (II): likely consequences; leave empty while not yet known
measures = ""        # art. 7.3 (III): measures taken or proposed; leave empty while not yet known
contact = "{contact}"
next_update = ""     # when the next update is promised, e.g. "uiterlijk 30 maart 2027 om 12.00 uur"
"""


def incidents_dir(root: Path) -> Path:
    """Return the folder of incident records: ``var/incidents/`` (ignored by git)."""
    return root / "var" / "incidents"


def incident_path(root: Path, incident_id: str) -> Path:
    """Return the record file of `incident_id`; raise when the id cannot be a file name."""
    if not ID.match(incident_id):
        raise UsageError(f"{incident_id!r} is not an incident id: use letters, digits, - and _ "
                         "(e.g. 2027-001)")
    return incidents_dir(root) / f"{incident_id}.toml"


def new_incident(root: Path, incident_id: str, detected: dt.datetime, contact: str) -> Path:
    """Write a record to fill in for `incident_id`, detected at `detected`; return its path.

    Never overwrites: a record is evidence of what was known when.
    """
    path = incident_path(root, incident_id)
    if path.exists():
        raise UsageError(f"{path}: already exists; edit it, or choose another id")
    stamp = local_time(detected).replace(second=0, microsecond=0, tzinfo=None).isoformat()
    # Owner-only: the record may describe what leaked and whose data it was.
    atomic_write_text(path, TEMPLATE.format(id=incident_id, detected=stamp, contact=contact),
                      mode=0o600)
    return path


@dataclass(frozen=True)
class Catalogue:
    """The ids an incident may name: catalogue services and data categories, customer ids."""

    services: Collection[str]
    categories: Collection[str]
    customers: Collection[str]


def read_incident(path: Path, known: Catalogue, now: dt.datetime | None = None) -> Incident:
    """Return the incident in `path`, or raise `IncidentError` at the line of the first problem.

    With `now` (the real clock, for the commands that plan and build notices), a moment after it
    is refused too: see `refuse_future`.
    """
    try:
        raw = path.read_bytes()
        text = raw.decode("utf-8").replace("\r\n", "\n")
    except OSError as exc:
        raise UsageError(f"{path}: cannot read the incident record: {exc.strerror or exc}; "
                         "create it with `assembler incidents new ID`") from exc
    data = load_toml(text, str(path), IncidentError)
    where = _Where(str(path), text)
    _check_keys(where, data, path.stem)
    lists = _affected(where, data, known)
    texts = {k: _text(where, data, k) for k in TEXTS}
    for key, why in (("nature", "describe what happened (art. 7.3 (I))"),
                     ("contact", "name the contact point (GDPR art. 33(3)(b))")):
        if not texts[key]:
            where.fail(key, f"{key!r} is empty: {why}")
    occurred = [_moment(where, data, k, optional=True) for k in ("occurred_from", "occurred_to")]
    detected = _moment(where, data, "detected_at", optional=False)
    assert detected is not None
    if occurred[0] and occurred[1] and occurred[1] < occurred[0]:
        where.fail("occurred_to", "occurred_to is before occurred_from")
    if now is not None:
        refuse_future(where, {"detected_at": detected, "occurred_from": occurred[0],
                              "occurred_to": occurred[1]}, now)
    return Incident(
        id=str(data["id"]), path=str(path), detected_at=detected,
        occurred_from=occurred[0], occurred_to=occurred[1],
        services=lists["services"], categories=lists["categories"], customers=lists["customers"],
        subjects=_count(where, data, "subjects"), records=_count(where, data, "records"),
        nature=texts["nature"], consequences=texts["consequences"], measures=texts["measures"],
        contact=texts["contact"], next_update=texts["next_update"],
        record_sha256=hashlib.sha256(raw).hexdigest())


def refuse_future(where: _Where, moments: dict[str, dt.datetime | None], now: dt.datetime) -> None:
    """Raise at the first of `moments` (key → time) that lies after `now` (the real clock).

    Art. 7.1 of the Verwerkersovereenkomst starts the 48-hour clock when VoIP Express discovers
    the breach, and art. 7.3 reports when it happened: facts of the past. A `detected_at` in the
    future would move the deadline (`breach_deadline`) later than the law allows (GDPR art. 33(2):
    "zonder onredelijke vertraging") and date the letters to a moment that has not yet come, so
    it is a typing error to fix in the record, never a plan. The same holds for when the breach
    began and ended. Compared on the real clock in Europe/Amsterdam (`dutch.now_nl`), in absolute
    time (`by_deadline`): in the hour the clocks repeat each autumn, 02:30 CEST comes before
    02:15 CET, although it reads later.
    """
    for key, moment in moments.items():
        if moment is not None and not by_deadline(local_time(moment), now):
            where.fail(key, f"{key} {moment:%Y-%m-%d %H:%M} is in the future (now "
                       f"{local_time(now):%Y-%m-%d %H:%M %Z}): a breach is recorded as it happened")


def _check_keys(where: _Where, data: dict[str, Any], stem: str) -> None:
    """Raise at the first unknown or missing key, or an id that is not the file's name."""
    for key in data:
        if key not in KNOWN:
            where.fail(key, f"unknown key {key!r}; known: {', '.join(sorted(KNOWN))}")
    for key in REQUIRED:
        if key not in data:
            where.fail(None, f"{key!r} is missing")
    if data["id"] != stem:
        where.fail("id", f"id {data['id']!r} differs from the file's name {stem!r}")


def _affected(where: _Where, data: dict[str, Any], known: Catalogue) -> dict[str, tuple[str, ...]]:
    """Return the services, categories and customers named, each checked against `known`."""
    lists = {k: _ids(where, data, k) for k in LISTS}
    for key, allowed in (("services", known.services), ("categories", known.categories),
                         ("customers", known.customers)):
        unknown = [x for x in lists[key] if x not in allowed]
        if unknown:
            where.fail(key, f"{key} {', '.join(map(repr, unknown))} not in the "
                       f"{'registry' if key == 'customers' else 'catalogue (bijlage-1.toml)'}")
    if not any(lists.values()):
        where.fail("services", "say who is affected: services, categories or customers")
    return lists


@dataclass(frozen=True)
class _Where:
    """Raise errors at the line of a key in one record."""

    path: str
    text: str

    def fail(self, key: str | None, message: str) -> None:
        line = line_of(self.text, rf"^\s*{re.escape(key)}\s*=") if key else None
        raise IncidentError(self.path, line or None, message)


def _text(where: _Where, data: dict[str, Any], key: str) -> str:
    value = data.get(key, "")
    if not isinstance(value, str):
        where.fail(key, f"{key!r} must be text in quotes")
    return str(value).strip()


def _ids(where: _Where, data: dict[str, Any], key: str) -> tuple[str, ...]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
        where.fail(key, f"{key!r} must be a list of ids in quotes, e.g. [\"gespreksopname\"]")
    return tuple(cast(list[str], value))


def _moment(where: _Where, data: dict[str, Any], key: str, optional: bool) -> dt.datetime | None:
    value = data.get(key)
    if value is None and optional:
        return None
    if not isinstance(value, dt.datetime) or value.tzinfo is not None:
        where.fail(key, f"{key!r} must be a local date and time without quotes or offset, "
                   "e.g. 2027-03-27T10:00:00 (Europe/Amsterdam)")
    assert isinstance(value, dt.datetime)
    return local_time(value)


def _count(where: _Where, data: dict[str, Any], key: str) -> Count:
    value = data[key]
    if not isinstance(value, dict) or value.get("precision") not in PRECISIONS:
        where.fail(key, f"{key!r} must be {{ count = N, precision = \"exact\" | \"estimated\" | "
                   "\"unknown\" }")
    precision = cast(Precision, value["precision"])
    count = value.get("count")
    if precision == "unknown":
        return Count(None, precision)
    if not isinstance(count, int) or isinstance(count, bool) or count < 0:
        where.fail(key, f"{key!r}: count must be a whole number >= 0 when precision is {precision}")
    return Count(int(count), precision)
