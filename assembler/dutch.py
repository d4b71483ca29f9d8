"""Dutch dates and numbers as a customer reads them: the only module that imports babel."""

from __future__ import annotations

import datetime as dt

from babel.dates import format_date

LOCALE = "nl_NL"


def format_date_nl(day: dt.date) -> str:
    """Return a date as Dutch text: ``28 november 2026``."""
    return format_date(day, format="long", locale=LOCALE)


def country_name_nl(code: str) -> str:
    """Return the Dutch name of an ISO 3166 alpha-2 country: ``DE`` → ``Duitsland``; else the code."""
    from babel import Locale

    return str(Locale.parse(LOCALE).territories.get(code.upper(), code))
