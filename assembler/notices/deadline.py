"""The art. 11.2 notice arithmetic: when a notice is on time, and the days that bound it."""

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


def earliest_effective(send_day: dt.date, buffer_days: int = 1) -> dt.date:
    """Return the first effective date a notice sent on `send_day` can still be on time for."""
    received = send_day + dt.timedelta(days=buffer_days)
    return add_months(received, 1) + ONE_DAY


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
