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
    binnen achtenveertig (48) uur". Across a daylight-saving change "48 uur" has two readings: 48
    hours on the Amsterdam clock (the same clock time two days later) and 48 elapsed hours. The
    agreement does not choose, so the deadline is whichever of the two comes FIRST: a notice by
    then is in time on either reading, and no reading gives the customer less than the agreement
    promises. Across the spring change (28 March 2027) a detection at 10:00 CET has its deadline
    at 10:00 CEST two days later, 47 real hours (the clock reading comes first); across the
    autumn change (25 October 2026) a detection at 10:00 CEST has it at 09:00 CET, 48 real hours
    (the elapsed reading comes first; the clock reading would allow 49). Why the customer's time
    matters: GDPR art. 33(1) gives the controller 72 hours after becoming aware of a breach to
    notify the supervisory authority, and art. 33(2) obliges the processor to inform the
    controller "zonder onredelijke vertraging"; the 48 hours are the customer's part of those 72.
    "Onmiddellijk" makes the deadline the outer limit, never the target.

    `detected_at` must be aware (naive times are a caller's bug: local or UTC?). The result is
    shown on the Amsterdam clock: aware, in Europe/Amsterdam. A clock reading that does not exist
    (inside the spring gap) or exists twice (the autumn repeat) is taken at its earlier moment.
    """
    if detected_at.tzinfo is None:
        raise ValueError("detected_at must carry its time zone")
    elapsed = detected_at.astimezone(dt.UTC) + dt.timedelta(hours=NOTICE_HOURS)
    local = detected_at.astimezone(AMSTERDAM).replace(tzinfo=None) + dt.timedelta(hours=NOTICE_HOURS)
    on_the_clock = local.replace(tzinfo=AMSTERDAM, fold=0).astimezone(dt.UTC)
    return min(elapsed, on_the_clock).astimezone(AMSTERDAM)


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
