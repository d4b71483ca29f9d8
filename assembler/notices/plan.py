"""Revision notices under art. 11.2: who must be told about a new version, by when, and where each stands.

`plan_notices` answers per customer: the version they are on, whether the new version changes
anything for them (their own Bijlage 1 included), the latest day to send (the art. 11.2 rule in
`notices/deadline.py`, minus the channel's delivery buffer) and a status:

- ``not_affected``: already on the version, or nothing in it reads differently for them;
- ``notified``: the ledger holds a notice the server accepted in time, and no bounce;
- ``on_time``: still to send, and today is on or before the latest send day;
- ``late``: still to send after the latest send day, or sent too late.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from assembler.agreement.project import Project
from assembler.config import Config
from assembler.customers.lifecycle import histories, owed_notice, stated_effective, version_in_force
from assembler.customers.registry import Registry
from assembler.dutch import day_nl
from assembler.errors import AssemblerError, UnknownRefError, UsageError
from assembler.model import (
    TOELICHTING_TODO,
    Agreement,
    Customer,
    LedgerEvent,
    LedgerNotice,
    NoticeState,
    PlanRow,
    Redline,
    Resolved,
    Version,
    version_key,
)
from assembler.notices.customer_changes import annex_explained
from assembler.notices.deadline import (
    earliest_effective,
    latest_send_day,
    non_working_day,
    notice_is_on_time,
)
from assembler.notices.ledger import Ledger
from assembler.redline.compare import build_redline
from assembler.redline.queries import ANNEX_NOTE, annex_changes, customer_change, explained_parts


@dataclass(frozen=True)
class NoticePlan:
    """The plan of one version's notices."""

    version: Version
    previous: str
    """The version before it (what most customers are on)."""
    today: dt.date
    buffer_days: int
    latest_send: dt.date
    warning: str
    """Non-empty when the latest send day is a weekend day or public holiday."""
    rows: tuple[PlanRow, ...]
    left_out: int = 0
    """Customers left out: terminated, or bound by no version on the effective date."""

    @property
    def late(self) -> list[PlanRow]:
        """Return the rows that can no longer be notified in time."""
        return [r for r in self.rows if r.status == "late"]

    @property
    def earliest_effective(self) -> dt.date:
        """Return the earliest effective date notices sent today can still be on time for."""
        return earliest_effective(self.today, self.buffer_days)

    def counts(self) -> dict[str, int]:
        """Return how many customers have each status."""
        out = {s: 0 for s in ("on_time", "late", "notified", "not_affected")}
        for r in self.rows:
            out[r.status] += 1
        return out


def email_buffer_days(config: Config) -> int:
    """Return the days an e-mail notice is assumed to take to reach the customer (at most 30)."""
    return config.whole_number("notices", "email_buffer_days", 1, 0, 30)


def notice_version(project: Project, contract: str, number: str) -> tuple[Version, Version]:
    """Return (the released version `number`, the version before it); raise when there is none."""
    versions = [v for v in project.versions(contract) if v.status == "released"]
    version = next((v for v in versions if v.number == number), None)
    if version is None:
        known = ", ".join(v.number for v in versions) or "none"
        raise UnknownRefError(number, f"no released version {number} of {contract} (released: {known})")
    earlier = [v for v in versions if v.key < version.key]
    if not earlier:
        raise UsageError(f"version {number} is the first version of {contract}: there is nothing "
                         "to give notice of")
    return version, earlier[-1]


class Texts:
    """The released versions' texts and the redlines between them, each made once."""

    def __init__(self, project: Project, contract: str) -> None:
        self.project = project
        self.contract = contract
        self._resolved: dict[str, Resolved] = {}
        self._redlines: dict[tuple[str, str], Redline] = {}
        self._changes: dict[tuple[str, str, frozenset[str]], str | None] = {}
        self._annex: dict[tuple[str, str, frozenset[str]], bool] = {}

    def resolved(self, number: str) -> Resolved:
        """Return the text of version `number`."""
        if number not in self._resolved:
            self._resolved[number] = self.project.resolve(number, self.contract)
        return self._resolved[number]

    def agreement(self, number: str) -> Agreement:
        """Return the parsed agreement of version `number`."""
        return self.resolved(number).agreement

    def redline(self, old: str, new: str) -> Redline:
        """Return the redline from version `old` to version `new`."""
        if (old, new) not in self._redlines:
            self.resolved(old)  # an unknown version raises UnknownRefError here
            self._redlines[old, new] = build_redline(self.project, old, new, self.contract)
        return self._redlines[old, new]

    def annex_changes(self, old: str, new: str, services: Sequence[str]) -> bool:
        """Return whether a customer's own Bijlage 1 reads differently from `old` to `new`."""
        key = (old, new, frozenset(services))
        if key not in self._annex:  # customers share few sets of services: each is judged once
            self._annex[key] = annex_changes(self.redline(old, new), services)
        return self._annex[key]

    def change(self, old: str, new: str, services: Sequence[str]) -> str | None:
        """Return what moving from `old` to `new` changes for a customer with `services`."""
        key = (old, new, frozenset(services))
        if key not in self._changes:
            self._changes[key] = customer_change(self.redline(old, new), services)
        return self._changes[key]


def sent_day(sent_at: str) -> dt.date:
    """Return the Dutch calendar day of an ISO 8601 UTC send time."""
    return day_nl(sent_at)


def customers_to_notify(registry: Registry, number: str, effective: dt.date, today: dt.date,
                        buffer_days: int = 1) -> tuple[list[Customer], int]:
    """Return the customers a notice of version `number` concerns, and how many were left out.

    Each customer comes back with the version in force on the effective date E as their
    `version` (`lifecycle.version_in_force`), judged without the notices of `number` itself or
    later ones: that is the version the notice moves them from. A customer whom no version binds
    on E, or who is not owed the notice (`lifecycle.owed_notice`: their agreement ends before
    the day the letter sent `today` states, E or a late letter's own date), is left out; one
    whose termination ends later is owed it.
    """
    customers = list(registry.customers())
    all_histories = histories(registry, customers=customers)
    key = version_key(number)
    out, left_out = [], 0
    takes_effect = stated_effective(today, effective, buffer_days)
    for c in customers:
        history = [e for e in all_histories[c.customer_id]
                   if not (e.kind == "notice" and version_key(e.version) >= key)]
        bound = version_in_force(history, effective)
        if bound is None or not owed_notice(history, takes_effect):
            left_out += 1
            continue
        out.append(c if c.version == bound.version else replace(c, version=bound.version))
    return out, left_out


@dataclass(frozen=True)
class PlanRequest:
    """Which version to plan the notices of, as of which day."""

    contract: str
    number: str
    """The version announced."""
    today: dt.date
    buffer_days: int = 1
    """Days an e-mail may take to count as received (see `latest_send_day`)."""


@dataclass(frozen=True)
class _RowContext:
    """What every customer's plan row is judged against."""

    texts: Texts
    version: Version
    today: dt.date
    latest: dt.date
    """The latest send day."""
    buffer_days: int


def customer_row(ctx: _RowContext, customer: Customer, notice_state: tuple[NoticeState, str | None] | None,
                 bounced: dt.date | None) -> PlanRow:
    """Return the plan row of one customer."""
    texts, version, today, latest = ctx.texts, ctx.version, ctx.today, ctx.latest

    def row(**judged: Any) -> PlanRow:  # one PlanRow per customer: 10,000 of them in a large plan
        return PlanRow(customer_id=customer.customer_id, company_name=customer.company_name,
                       current_version=customer.version, latest_send=latest, **judged)

    if version_key(customer.version) >= version.key:
        return row(affected=False, reason=f"already on {customer.version}", status="not_affected")
    try:
        change = texts.change(customer.version, version.number, customer.services)
    except UnknownRefError:
        raise UsageError(f"customer {customer.customer_id} is on version {customer.version}, "
                         f"which {texts.contract} has no manifest for") from None
    if change is None:
        return row(affected=False, reason="nothing changes for them", status="not_affected")
    state, sent_at = notice_state or (None, None)
    affected = {"affected": True, "reason": f"{change} change", "ledger_state": state,
                "sent_at": sent_at, "bounced_on": bounced,
                "annex_changes": texts.annex_changes(customer.version, version.number,
                                                     customer.services)}
    if state == "sent" and sent_at and bounced is None:
        received = sent_day(sent_at) + dt.timedelta(days=ctx.buffer_days)
        if notice_is_on_time(received, version.effective):
            return row(**affected, status="notified")
        return row(**affected, status="late",
                   note=f"sent on {sent_day(sent_at).isoformat()}, after the latest send day")
    note = f"notice bounced on {bounced.isoformat()}: not given" if bounced else ""
    return row(**affected, status="on_time" if today <= latest else "late", note=note)


def last_bounce(sent_at: str | None, events: Sequence[LedgerEvent]) -> LedgerEvent | None:
    """Return the bounce that voids the notice sent at `sent_at`, if one was recorded after it.

    A bounce recorded before the notice was sent again (to a corrected address) concerns the
    earlier message, not this one.
    """
    bounces = [e for e in events if e.event == "bounced"
               and (sent_at is None or e.recorded_at >= sent_at)]
    return bounces[-1] if bounces else None


def counts_as_given(notice: LedgerNotice, events: Sequence[LedgerEvent]) -> bool:
    """Return whether a notice counts as given: accepted by the server and not bounced since."""
    return (notice.state == "sent" and notice.sent_at is not None
            and last_bounce(notice.sent_at, events) is None)


def plan_notices(project: Project, request: PlanRequest, customers: Sequence[Customer],
                 ledger: Ledger | None, texts: Texts | None = None) -> NoticePlan:
    """Return the notice plan of the requested version for `customers` as of its `today`.

    `texts` keeps the version texts and redlines the plan reads, for a build that follows.
    """
    contract, number, today, buffer_days = (request.contract, request.number, request.today,
                                            request.buffer_days)
    version, previous = notice_version(project, contract, number)
    latest = latest_send_day(version.effective, buffer_days)
    texts = texts if texts is not None else Texts(project, contract)
    states: dict[str, tuple[NoticeState, str | None]] = {}
    bounces: dict[str, dt.date] = {}
    if ledger is not None:
        notices = {n.customer_id: n for n in ledger.notices(number)}
        states = {cid: (n.state, n.sent_at) for cid, n in notices.items()}
        for cid, events in ledger.events(number).items():
            bounce = last_bounce(notices[cid].sent_at if cid in notices else None, events)
            if bounce is not None:
                bounces[cid] = bounce.on
    ctx = _RowContext(texts, version, today, latest, buffer_days)
    rows = tuple(customer_row(ctx, c, states.get(c.customer_id), bounces.get(c.customer_id))
                 for c in sorted(customers, key=lambda c: c.customer_id))
    why = non_working_day(latest)
    day = {"zaterdag": "a Saturday", "zondag": "a Sunday"}.get(why or "", f"{why}, a public holiday")
    warning = f"the latest send day {latest.isoformat()} is {day}; send before it" if why else ""
    return NoticePlan(version=version, previous=previous.number, today=today,
                      buffer_days=buffer_days, latest_send=latest, warning=warning, rows=rows)


def missing_toelichting(project: Project, contract: str) -> list[tuple[Version, str]]:
    """Return (version, article) for every changed article of a released version without toelichting.

    An explanation still holding the marker `TOELICHTING_TODO` counts as missing; Bijlage 1 may
    be explained per catalogue item instead (`annex_explained`).
    """
    versions = [v for v in project.versions(contract) if v.status == "released"]
    texts = Texts(project, contract)
    out = []
    for previous, version in zip(versions, versions[1:], strict=False):
        try:
            redline = texts.redline(previous.number, version.number)
        except AssemblerError:
            continue  # a text that cannot be found is reported by the pin check
        for part in explained_parts(redline):
            note = version.toelichting.get(part, "").strip()
            explained = (annex_explained(redline, version) if part == ANNEX_NOTE
                         else bool(note) and TOELICHTING_TODO not in note)
            if not explained:
                out.append((version, part))
    return out
