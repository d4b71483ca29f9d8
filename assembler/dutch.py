"""Dutch dates and numbers as a customer reads them: the only module that imports babel."""

from __future__ import annotations

import datetime as dt

from babel.dates import format_date

LOCALE = "nl_NL"


def format_date_nl(day: dt.date) -> str:
    """Return a date as Dutch text: ``28 november 2026``."""
    return format_date(day, format="long", locale=LOCALE)
