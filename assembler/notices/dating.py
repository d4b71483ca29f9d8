"""No backdating: notices carry the day they go out, and a late one states the customer's own date.

A letter's date and the e-mail's ``Date`` header are fixed when the notice is built, so a notice
must be built on the day it is sent: `stale_notices` finds the ones built on an earlier Dutch day,
and `stale_refusal` is the one rule every send (`notices`, `subprocessors`, `incidents`) and its
dry run apply before anything goes out (`refusal.Refusal`); `late_refusal` is the revision's
art. 11.2 rule at send time. A notice that can no longer be on time
for E (art. 11.2) is not void: it binds from the first day the customer's own notice allows
(`lifecycle.stated_effective`), and `late_plan` makes the letter say so instead of claiming E.
Who is still owed a notice at all is `not_owed`, the one rule the three sends apply
(`lifecycle.owed_notice`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import replace
from typing import TYPE_CHECKING

from assembler.customers.lifecycle import owed_customers, stated_effective
from assembler.customers.registry import Registry
from assembler.dutch import day_nl, now_nl, today_nl
from assembler.errors import NoticesLateError, UsageError
from assembler.model import LedgerNotice, NoticeKind, PlanRow
from assembler.notices.deadline import latest_send_day
from assembler.notices.refusal import Refusal

if TYPE_CHECKING:  # the plan's module loads the redline: not needed to read a plan's dates
    from assembler.notices.plan import NoticePlan


def composed_now(day: dt.date) -> dt.datetime:
    """Return the real clock's time (Amsterdam) at which notices dated `day` are written.

    It becomes their e-mails' Date header, so it must fall on the day the letters state: when
    midnight passed while the command prepared them, it stops rather than date a letter
    yesterday and its e-mail today.
    """
    now = now_nl()
    if now.date() != day:
        raise UsageError(f"the day changed while the notices of {day.isoformat()} were being "
                         "prepared: run the command again")
    return now


def stale_notices(todo: Iterable[LedgerNotice], today: dt.date) -> list[LedgerNotice]:
    """Return the notices to send for the first time that were built before `today`.

    A notice whose outcome is unknown (``sending``/``unknown``) may have gone out already, so it
    is sent again byte for byte, under its own Message-ID, whatever day it was built.
    """
    return [n for n in todo if n.state in ("pending", "failed") and day_nl(n.built_at) != today]


def stale_refusal(todo: Iterable[LedgerNotice], today: dt.date, what: str,
                  rebuild: str) -> Refusal | None:
    """Refuse the notices of `todo` built before `today`; None when there are none.

    Art. 11.2 (a revision), art. 4.1 (a sub-processor, "tijdig") and GDPR art. 34 (a breach) all
    turn on when the customer was told. The letter's date and the e-mail's ``Date`` header are
    fixed at build time, so a notice built yesterday and sent today claims to have been written,
    and possibly to have reached the customer, a day earlier than it did: backdating, which the
    agreement's record must never contain (a breach message would moreover lie about when the
    facts in it were written down). Such a notice is built again before it is sent; `what`
    names the notices ("of 1.2"), `rebuild` the command that rebuilds them.
    """
    stale = stale_notices(todo, today)
    if not stale:
        return None
    first = stale[0]
    reasons = {n.customer_id: f"built on {day_nl(n.built_at).isoformat()}, before today: its "
                              f"date would be wrong; run `{rebuild}` again, then send"
               for n in stale}
    return Refusal(reasons, UsageError(
        f"{len(stale)} notice(s) {what} were built before today ({first.customer_id} on "
        f"{day_nl(first.built_at).isoformat()}): their date would be wrong; run `{rebuild}` "
        "again, then send"))


def late_refusal(todo: Iterable[LedgerNotice], number: str, effective: dt.date,
                 buffer_days: int, late: bool) -> Refusal | None:
    """Refuse the revision notices of `number` once they are late, unless sent with --late.

    Art. 11.2: a new version binds a customer only when the notice reached them one month
    before it takes effect; after the latest send day (`deadline.latest_send_day`, the real
    clock's day) a notice cannot give that. It is not void, but its letter must state the
    customer's own date (`late_plan`, `notices build --late`), so the send lets it go only when
    the operator says, with --late, that the notices were built so.
    """
    latest = latest_send_day(effective, buffer_days)
    ids = [n.customer_id for n in todo]
    if not ids or today_nl() <= latest or late:
        return None
    why = (f"late under art. 11.2: the latest send day for {number} was {latest.isoformat()}; "
           f"build with `notices build {number} --late`, then send with --late")
    return Refusal(dict.fromkeys(ids, why), NoticesLateError(
        f"the latest send day for {number} (effective {effective.isoformat()}) was "
        f"{latest.isoformat()}: these notices are late under art. 11.2; build them with "
        f"`notices build {number} --late` (their letters then state each customer's own date) "
        "and send with --late"))


def check_event_day(day: dt.date, sent: dt.date, what: str) -> None:
    """Refuse an event dated in the future or before the notice it follows was sent.

    What a customer did after a notice (an objection, a bounce, a termination) is a legal fact
    with a date, and legal facts are never backdated or typed in ahead: the day is at the
    latest today (Europe/Amsterdam, the real clock), and nothing can have followed a notice
    before it went out. `what` names the notice ("the notice of 1.2 for C-0001").
    """
    if day > today_nl():
        raise UsageError(f"--on {day.isoformat()} lies in the future")
    if day < sent:
        raise UsageError(f"--on {day.isoformat()} is before {what} was sent ({sent.isoformat()})")


def builds_late(plan: NoticePlan) -> bool:
    """Return whether `notices build` would build, on the plan's day, notices that are late.

    Built means: affected, and not kept as recorded (sent and not bounced, or possibly sent);
    late means today is after the latest send day, so every notice built today is late.
    """
    def kept(row: PlanRow) -> bool:
        return row.ledger_state in ("sending", "unknown") or (
            row.ledger_state == "sent" and row.bounced_on is None)

    return plan.today > plan.latest_send and any(r.affected and not kept(r) for r in plan.rows)


def late_plan(plan: NoticePlan) -> NoticePlan:
    """Return `plan` with the effective date its late letters must state: the customer's own.

    Sent today, a notice counts as received `buffer_days` later, as in the plan, and binds from
    `stated_effective(today, E, buffer_days)`: the earliest effective date the plan names for
    notices sent today. Every notice built today shares that day, so one date serves all of them.
    """
    own = stated_effective(plan.today, plan.version.effective, plan.buffer_days)
    return replace(plan, version=replace(plan.version, effective=own))


def not_owed(registry: Registry, customer_ids: Iterable[str], first: dt.date,
             last: dt.date | None = None, kind: NoticeKind = "revision") -> dict[str, str]:
    """Return the customers among `customer_ids` no longer owed a `kind` notice, each with why.

    The rule is `lifecycle.owed_notice` (a notice is owed while the customer's agreement runs on
    a day it is about; a breach notice also while we still held their data); every send
    (`notices`, `subprocessors`, `incidents`) and its dry run skip the customers returned here,
    and say so with the reason given.
    """
    wanted = set(customer_ids)
    owed = owed_customers(registry, first, last, wanted, kind=kind)
    span = (first.isoformat() if last is None or last == first
            else f"{first.isoformat()} to {last.isoformat()}")
    why = (f"no agreement ran and none of their data was held on {span} (destroyed before)"
           if kind == "breach" else f"no agreement runs on {span} (terminated)")
    return {cid: why for cid in sorted(wanted - owed.keys())}
