"""`subprocessors plan`: which pending change reaches which customer, and by when it must go out.

A change is an addition or replacement whose ``effective`` lies after today; it is announced to
exactly the customers bound today whose services it applies to (`listing.applies_to`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from assembler.customers.lifecycle import owed_notice
from assembler.model import (
    Customer,
    EventKind,
    HistoryEvent,
    NoticeState,
    PendingChange,
    Register,
    SubprocessorNoticeStatus,
    SubprocessorPlanRow,
)
from assembler.notices.ledger import Ledger
from assembler.subprocessors.lint import late_objection_deadline, notice_deadline, objection_deadline
from assembler.subprocessors.listing import applies_to


@dataclass
class SubprocessorPlan:
    """The pending changes and, per change and customer, where its notice stands."""

    today: dt.date
    notice_days: int
    changes: list[PendingChange] = field(default_factory=list)
    rows: list[SubprocessorPlanRow] = field(default_factory=list)

    @property
    def late(self) -> list[SubprocessorPlanRow]:
        """Return the rows whose notice can no longer go out in time."""
        return [r for r in self.rows if r.status == "late"]


def pending_changes(register: Register, today: dt.date, notice_days: int) -> list[PendingChange]:
    """Return the additions and replacements whose ``effective`` is after `today`, soonest first.

    That is: those a notice sent today still leaves a day to object to (`objection_deadline`).
    """
    out = []
    for e in register.entries:
        deadline = objection_deadline(e.effective, today)
        if deadline is not None:
            out.append(PendingChange(e, register.entry(e.replaces) if e.replaces else None,
                                     notice_deadline(e.effective, notice_days), deadline))
    return sorted(out, key=lambda c: (c.entry.effective, c.entry.id))


Notices = dict[str, dict[str, tuple[NoticeState, str | None]]]
"""Change id → customer id → (ledger state, sent at)."""
Events = dict[str, dict[str, list[EventKind]]]
"""Change id → customer id → what followed, oldest first."""


def _row(change: PendingChange, customer: Customer, today: dt.date, notices: Notices,
         events: Events) -> SubprocessorPlanRow:
    cid = customer.customer_id
    state, sent_at = notices.get(change.entry.id, {}).get(cid) or (None, None)
    happened = tuple(events.get(change.entry.id, {}).get(cid, []))
    bounced = bool(happened) and happened[-1] == "bounced"
    status: SubprocessorNoticeStatus = (
        "notified" if state == "sent" and not bounced
        else "on_time" if today <= change.latest_send else "late")
    return SubprocessorPlanRow(change.entry.id, cid, customer.company_name, change.latest_send,
                               status, state, sent_at, happened)


def plan_subprocessor_notices(register: Register, customers: Sequence[Customer], ledger: Ledger,
                              today: dt.date, notice_days: int, only: str | None = None,
                              histories: Mapping[str, Sequence[HistoryEvent]] | None = None
                              ) -> SubprocessorPlan:
    """Return the plan of every pending change (or only `only`) for `customers` (those bound today).

    With `histories` (by customer id), a customer whose agreement no longer runs on a change's
    `effective` day is left out of that change: they are not owed its notice
    (`customers.lifecycle.owed_notice`, the rule `subprocessors send` skips them by).
    """
    plan = SubprocessorPlan(today, notice_days, pending_changes(register, today, notice_days))
    if only is not None:
        plan.changes = [c for c in plan.changes if c.entry.id == only]
    notices: Notices = {c.entry.id: {n.customer_id: (n.state, n.sent_at) for n in ledger.notices(c.entry.id)}
               for c in plan.changes}
    events: Events = {c.entry.id: {cid: [e.event for e in evs]
                                   for cid, evs in ledger.events(c.entry.id).items()}
                      for c in plan.changes}
    for change in plan.changes:
        for customer in customers:
            history = histories.get(customer.customer_id) if histories is not None else None
            if history is not None and not owed_notice(history, change.entry.effective,
                                                       kind="subprocessor"):
                continue
            if applies_to(change.entry, customer.services):
                plan.rows.append(_row(change, customer, today, notices, events))
    return plan


def late_subprocessor_plan(plan: SubprocessorPlan) -> SubprocessorPlan:
    """Return `plan` with each late change's objection deadline the customers' own.

    Built (and so sent) today, a late notice gives each customer until
    `late_objection_deadline(today, notice_days)`; every notice built today shares that day,
    so one date serves all customers of the change. Changes still on time keep theirs.
    """
    late = {r.change_id for r in plan.late}
    own = late_objection_deadline(plan.today, plan.notice_days)
    changes = [replace(c, objection_deadline=max(c.objection_deadline, own))
               if c.entry.id in late else c for c in plan.changes]
    return replace(plan, changes=changes)
