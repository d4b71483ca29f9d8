"""Dutch dates and numbers as a customer reads them: the only module that imports babel."""

from __future__ import annotations

import datetime as dt

from babel.dates import format_date
from babel.numbers import format_decimal

LOCALE = "nl_NL"


def format_date_nl(day: dt.date) -> str:
    """Return a date as Dutch text: ``28 november 2026``."""
    return format_date(day, format="long", locale=LOCALE)


def format_time_nl(moment: dt.datetime) -> str:
    """Return a date and clock time as Dutch text: ``27 maart 2027 om 10.00 uur``."""
    return f"{format_date_nl(moment.date())} om {moment.hour:02d}.{moment.minute:02d} uur"


def format_number_nl(number: int) -> str:
    """Return a whole number as Dutch text, thousands separated by a dot: ``5.400``."""
    return format_decimal(number, locale=LOCALE)
