"""The art. 7.1 deadline of a breach notice: the one rule, and the clock it is read on."""

from __future__ import annotations

import datetime as dt

from assembler.dutch import AMSTERDAM

NOTICE_HOURS = 48
"""Art. 7.1: "onmiddellijk, in ieder geval binnen achtenveertig (48) uur"."""


def breach_deadline(detected_at: dt.datetime) -> dt.datetime:
    """Return the latest moment a breach detected at `detected_at` may be notified (art. 7.1).

    Art. 7.1 of the Verwerkersovereenkomst (contracts/verwerkersovereenkomst/07-datalekken.md):
    VoIP Express informs the customer of a security or data breach "onmiddellijk, in ieder geval
    binnen achtenveertig (48) uur". A period stated in hours is a span of elapsed time, not a
    clock reading: the agreement gives no other reading, and its purpose is the customer's own
    clock. GDPR art. 33(1) gives the controller 72 hours after becoming aware of a breach to
    notify the supervisory authority, and art. 33(2) obliges the processor to inform the
    controller "zonder onredelijke vertraging"; the 48 hours are the customer's part of those 72,
    and an hour lost to a clock change would come out of the customer's time. So the deadline is
    exactly 48 real hours after detection, computed in absolute time (UTC), whatever the wall
    clock does: across the autumn change (25 October 2026) a detection at 10:00 CEST has its
    deadline at 09:00 CET two days later, across the spring change (28 March 2027) a detection
    at 10:00 CET at 11:00 CEST. "Onmiddellijk" makes the deadline the outer limit, never the
    target.

    `detected_at` must be aware (naive times are a caller's bug: local or UTC?). The result is
    shown on the Amsterdam clock: aware, in Europe/Amsterdam.
    """
    if detected_at.tzinfo is None:
        raise ValueError("detected_at must carry its time zone")
    absolute = detected_at.astimezone(dt.UTC) + dt.timedelta(hours=NOTICE_HOURS)
    return absolute.astimezone(AMSTERDAM)


def hours_left(deadline: dt.datetime, now: dt.datetime) -> float:
    """Return the real hours from `now` to `deadline` (negative once it has passed).

    Both are taken to UTC first: Python subtracts two times of the same zone on the wall clock,
    which across a DST change would be an hour off.
    """
    return (deadline.astimezone(dt.UTC) - now.astimezone(dt.UTC)).total_seconds() / 3600


def local_time(moment: dt.datetime) -> dt.datetime:
    """Return `moment` (naive = Europe/Amsterdam wall clock) as an aware Amsterdam time."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=AMSTERDAM)
    return moment.astimezone(AMSTERDAM)


def by_deadline(moment: dt.datetime, deadline: dt.datetime) -> bool:
    """Return whether `moment` is not later than `deadline`, compared in absolute time.

    Two aware times of the same zone compare on the wall clock in Python, ignoring the offset:
    in the hour the clocks repeat each autumn, 02:15 CET would count as before 02:30 CEST,
    although it comes 45 minutes after it. Taken to UTC, the comparison is the real order.
    """
    return moment.astimezone(dt.UTC) <= deadline.astimezone(dt.UTC)
