"""Lateness at send time: a sub-processor notice goes out only while it still gives what it promises.

Art. 4.1 requires that the customer is told "tijdig" and can object before the sub-processor
starts; `[subprocessors] notice_days` makes that concrete (`lint.notice_deadline`). `build`
applies the rule on the day it builds, but a notice can be sent later than it was built: the
register's ``effective`` moved earlier or ``notice_days`` grew after the build, and a notice built
in time no longer gives the period. `late_refusal` asks the plan's own rule (a row is
``late`` once today is after the latest send day, `plan.SubprocessorPlan.late`) again when the
notices are sent, and lets a late one go only when it was built with ``--late``: its e-mail then
states (header `OBJECTION_HEADER`) a last day to object no earlier than
`lint.late_objection_deadline` of today. Notices `notices.dating.stale_refusal` lets through were
built today; a notice whose outcome is unknown is not checked, because it may have reached the
customer already and is sent again byte for byte (a new build would be a second message).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from email.parser import BytesHeaderParser
from pathlib import Path

from assembler.errors import DeliveryError, NoticesLateError
from assembler.model import LedgerNotice
from assembler.notices.refusal import Refusal
from assembler.subprocessors.letter import OBJECTION_HEADER
from assembler.subprocessors.lint import late_objection_deadline
from assembler.subprocessors.plan import SubprocessorPlan


def stated_deadline(eml: bytes) -> dt.date | None:
    """Return the last day to object the notice e-mail `eml` states, or None when it names none.

    Notices built before the header existed name none.
    """
    value = BytesHeaderParser().parsebytes(eml).get(OBJECTION_HEADER)
    try:
        return dt.date.fromisoformat(str(value).strip()) if value else None
    except ValueError:
        return None


def _eml(root: Path, notice: LedgerNotice) -> bytes:
    path = Path(notice.eml_path)
    try:
        return (path if path.is_absolute() else root / path).read_bytes()
    except OSError as exc:
        raise DeliveryError(f"{notice.eml_path}: cannot read the notice of {notice.customer_id}: "
                            f"{exc.strerror or exc}") from exc


def late_refusal(plan: SubprocessorPlan, todo: Sequence[LedgerNotice], root: Path,
                 change: str) -> Refusal | None:
    """Refuse the notices of `change` that are late today and were not built with --late.

    `plan` is the plan of `change` as of today (the real clock) from the current register.
    """
    late = {r.customer_id: r for r in plan.late if r.change_id == change}
    first = [n for n in todo if n.state in ("pending", "failed") and n.customer_id in late]
    if not first:
        return None
    own = late_objection_deadline(plan.today, plan.notice_days)
    bad = [n for n in first if (stated := stated_deadline(_eml(root, n))) is None or stated < own]
    if not bad:
        return None
    latest = late[bad[0].customer_id].latest_send.isoformat()
    reasons = {n.customer_id: f"can no longer go out {plan.notice_days} days before the effective "
                              f"date (latest send day {late[n.customer_id].latest_send.isoformat()}, "
                              f"today {plan.today.isoformat()}) and was not built with --late"
               for n in bad}
    ids = ", ".join(n.customer_id for n in bad[:5]) + (", …" if len(bad) > 5 else "")
    return Refusal(reasons, NoticesLateError(
        f"{len(bad)} notice(s) of {change} can no longer go out {plan.notice_days} days before "
        f"the effective date (latest send day {latest}, today {plan.today.isoformat()}; {ids}) "
        f"and were not built with --late: run `assembler subprocessors build {change} --late` "
        f"(their letters then give the customer until {own.isoformat()} to object), then send"))
