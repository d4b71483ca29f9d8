"""The art. 7.1 deadline of a breach notice: the one rule, and the clock it is read on."""

from __future__ import annotations

import datetime as dt

from assembler.dutch import AMSTERDAM

NOTICE_HOURS = 48
"""Art. 7.1: "onmiddellijk, in ieder geval binnen achtenveertig (48) uur"."""


def breach_deadline(detected_at: dt.datetime) -> dt.datetime:
    """Return the latest moment a breach detected at `detected_at` may be notified (art. 7.1).

    Art. 7.1 of the Verwerkersovereenkomst: VoIP Express informs the customer of a security or
    data breach "onmiddellijk, in ieder geval binnen achtenveertig (48) uur" after discovering it;
    GDPR art. 33(2) obliges a processor to do so "zonder onredelijke vertraging", and art. 33(1)
    gives the controller 72 hours for the supervisory authority, so our 48 hours leave them time.

    "48 uur" is read as **48 hours on the Dutch wall clock**: the same local clock time two days
    later, in Europe/Amsterdam. That is how the parties read a period in hours in a Dutch
    contract, and it is what the agreement's example says: detected 27 March 2027 10:00 (CET),
    deadline 29 March 2027 10:00 (CEST), which are 47 real hours because the clocks go forward on
    28 March. Across the autumn change the same rule gives 49 real hours. Art. 7.1 also says
    "onmiddellijk": the deadline is the outer limit, never the target, so the hour gained or lost
    does not change how urgently we send.

    `detected_at` must be aware (naive times are a caller's bug: local or UTC?). The result is
    in Europe/Amsterdam.
    """
    if detected_at.tzinfo is None:
        raise ValueError("detected_at must carry its time zone")
    local = detected_at.astimezone(AMSTERDAM).replace(tzinfo=None)
    return (local + dt.timedelta(hours=NOTICE_HOURS)).replace(tzinfo=AMSTERDAM)


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
