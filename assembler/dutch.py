"""Dutch dates and numbers as a customer reads them (the only babel module), and the Dutch clock."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from babel.dates import format_date
from babel.numbers import format_decimal

LOCALE = "nl_NL"
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
"""Every legal day is a day in this zone (from the ``tzdata`` package where the OS has none)."""


def format_date_nl(day: dt.date) -> str:
    """Return a date as Dutch text: ``28 november 2026``."""
    return format_date(day, format="long", locale=LOCALE)


def load_locale() -> None:
    """Read babel's Dutch locale data now (it is read on first use otherwise, ~35 ms).

    A bulk job calls this before it forks its workers, so that they inherit the data instead of
    each reading it before its first document.
    """
    format_date_nl(dt.date(2000, 1, 1))


def format_time_nl(moment: dt.datetime) -> str:
    """Return a date and clock time as Dutch text: ``27 maart 2027 om 10.00 uur``."""
    return f"{format_date_nl(moment.date())} om {moment.hour:02d}.{moment.minute:02d} uur"


def format_number_nl(number: int) -> str:
    """Return a whole number as Dutch text, thousands separated by a dot: ``5.400``."""
    return format_decimal(number, locale=LOCALE)


def join_nl(items: Sequence[str]) -> str:
    """Return `items` as a Dutch enumeration: ``a, b en c`` (one item as it is; none: "")."""
    return ", ".join(items[:-1]) + " en " + items[-1] if len(items) > 1 else "".join(items)


def country_name_nl(code: str) -> str:
    """Return the Dutch name of an ISO 3166 alpha-2 country: ``DE`` → ``Duitsland``; else the code."""
    from babel import Locale

    return str(Locale.parse(LOCALE).territories.get(code.upper(), code))


def now_nl() -> dt.datetime:
    """Return the real clock's time in Europe/Amsterdam (tests freeze it with freezegun)."""
    return dt.datetime.now(dt.UTC).astimezone(AMSTERDAM)


def today_nl() -> dt.date:
    """Return today's date in Europe/Amsterdam, from the real clock (frozen by tests only)."""
    return dt.datetime.now(AMSTERDAM).date()


def day_nl(moment_utc: str) -> dt.date:
    """Return the Europe/Amsterdam calendar day of an ISO 8601 UTC moment (``2026-11-28T23:30:00Z``)."""
    moment = dt.datetime.fromisoformat(moment_utc.replace("Z", "+00:00"))
    return moment.astimezone(AMSTERDAM).date()
