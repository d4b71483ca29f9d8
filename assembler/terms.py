"""The art. 11.2 term in calendar months: when a notice is on time, and the first day it allows.

A foundation module (pure date arithmetic, nothing of ours imported) so that both the notices
(`notices/deadline.py`, which re-exports it) and each customer's lifecycle
(`customers/lifecycle.py`) apply the one rule.
"""

from __future__ import annotations

import calendar
import datetime as dt

ONE_DAY = dt.timedelta(days=1)


def add_months(day: dt.date, months: int) -> dt.date:
    """Return `day` moved by whole calendar months: the same-numbered day, or the month's last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def notice_is_on_time(received: dt.date, effective: dt.date) -> bool:
    """Return whether a notice that reaches the customer on `received` is on time for `effective`.

    Art. 11.2: Verwerker "zal minimaal één maand van tevoren mededeling doen van de wijzigingen".
    A notice takes effect when it reaches the customer (art. 3:37 BW), so the day that counts is
    the day of receipt D, not the day of sending. "Minimaal één maand van tevoren" is a term counted
    back from the effective date E, and the whole month must lie between the notice and E: the
    month runs from D to the same-numbered day of the next month (or that month's last day, when it
    is shorter: 31 January + one month is 28 or 29 February), and that day must fall *before* E,
    because on E itself the new version already applies. Hence: on time iff ``D + 1 month < E``.

    Worked examples: E = 31 March 2026 needs D <= 28 February (28 Feb + 1 month = 28 March; 1 March
    + 1 month = 1 April, too late); E = 1 April 2026 needs D <= 28 February; E = 15 April needs
    D <= 14 March.

    No extension for weekends or public holidays: the Algemene termijnenwet extends terms that
    *end* on such a day and are counted forward; this term is contractual and counted backward, so
    it is not extended (we warn instead, see `latest_receipt_day` callers).
    """
    return add_months(received, 1) < effective


def earliest_effective(send_day: dt.date, buffer_days: int = 1) -> dt.date:
    """Return the first effective date a notice sent on `send_day` can still be on time for."""
    received = send_day + dt.timedelta(days=buffer_days)
    return add_months(received, 1) + ONE_DAY
