"""Dates: Dutch formatting (babel) and, later, the art. 11.2 notice arithmetic."""

from __future__ import annotations

import datetime as dt

from babel.dates import format_date

LOCALE = "nl_NL"


def format_date_nl(day: dt.date) -> str:
    """Return a date as Dutch text: ``28 november 2026``."""
    return format_date(day, format="long", locale=LOCALE)


def parse_iso_date(text: str) -> dt.date:
    """Return the date in `text` (YYYY-MM-DD); raise ValueError with a clear message otherwise."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a date in the form YYYY-MM-DD") from None
