"""The art. 11.2 notice arithmetic: when a notice is on time, and the days that bound it.

The term itself (`notice_is_on_time`, `earliest_effective`) lives in the foundation module
`assembler.terms`, so that the customers' lifecycle below this package can apply the same rule;
it is re-exported here.
"""

from __future__ import annotations

import datetime as dt

from assembler.terms import ONE_DAY, add_months, earliest_effective, notice_is_on_time

__all__ = ["ONE_DAY", "add_months", "dutch_holidays", "earliest_effective", "easter",
           "latest_receipt_day", "latest_send_day", "non_working_day", "notice_is_on_time"]


def latest_receipt_day(effective: dt.date) -> dt.date:
    """Return the last day on which a notice may reach the customer for `effective`."""
    # add_months(·, 1) never decreases as the day increases, so walk down from just above the
    # answer; at most four steps (month-end clamping can map up to four days onto one).
    day = add_months(effective, -1) + dt.timedelta(days=3)
    while not notice_is_on_time(day, effective):
        day -= ONE_DAY
    return day


def latest_send_day(effective: dt.date, buffer_days: int = 1) -> dt.date:
    """Return the last day to send a notice that needs `buffer_days` to reach the customer."""
    return latest_receipt_day(effective) - dt.timedelta(days=buffer_days)


def easter(year: int) -> dt.date:
    """Return Easter Sunday of `year` (Gregorian; anonymous algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    m = (32 + 2 * e + 2 * i - h - k) % 7
    n = (a + 11 * h + 22 * m) // 451
    month, day = divmod(h + m - 7 * n + 114, 31)
    return dt.date(year, month, day + 1)


def dutch_holidays(year: int) -> dict[dt.date, str]:
    """Return the Dutch public holidays of `year` (Algemene termijnenwet, art. 3) by date."""
    e = easter(year)
    kings_day = dt.date(year, 4, 27)
    if kings_day.weekday() == 6:  # on a Sunday, Koningsdag moves to Saturday the 26th
        kings_day = dt.date(year, 4, 26)
    return {
        dt.date(year, 1, 1): "Nieuwjaarsdag",
        e - 2 * ONE_DAY: "Goede Vrijdag",
        e: "Eerste Paasdag",
        e + ONE_DAY: "Tweede Paasdag",
        kings_day: "Koningsdag",
        dt.date(year, 5, 5): "Bevrijdingsdag",
        e + 39 * ONE_DAY: "Hemelvaartsdag",
        e + 49 * ONE_DAY: "Eerste Pinksterdag",
        e + 50 * ONE_DAY: "Tweede Pinksterdag",
        dt.date(year, 12, 25): "Eerste Kerstdag",
        dt.date(year, 12, 26): "Tweede Kerstdag",
    }


def non_working_day(day: dt.date) -> str | None:
    """Return why `day` is not a working day ("Koningsdag", "zaterdag"), or None."""
    holiday = dutch_holidays(day.year).get(day)
    if holiday:
        return holiday
    if day.weekday() == 5:
        return "zaterdag"
    if day.weekday() == 6:
        return "zondag"
    return None
