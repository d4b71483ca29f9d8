"""The art. 11.2 rule: a notice is on time when receipt + one calendar month falls before E."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assembler.dutch import format_date_nl
from assembler.notices.deadline import (
    add_months,
    earliest_effective,
    easter,
    latest_receipt_day,
    latest_send_day,
    non_working_day,
    notice_is_on_time,
)

D = dt.date


@pytest.mark.parametrize(("effective", "latest"), [
    # The worked examples.
    (D(2026, 3, 31), D(2026, 2, 28)),
    (D(2026, 4, 1), D(2026, 2, 28)),
    (D(2026, 4, 15), D(2026, 3, 14)),
    # Month ends around a leap February.
    (D(2024, 3, 31), D(2024, 2, 29)),
    (D(2024, 3, 30), D(2024, 2, 29)),
    (D(2024, 3, 29), D(2024, 2, 28)),
    (D(2024, 3, 1), D(2024, 1, 31)),
    (D(2023, 3, 1), D(2023, 1, 31)),
    (D(2023, 3, 29), D(2023, 2, 28)),
    # 31-day and 30-day months.
    (D(2026, 5, 1), D(2026, 3, 31)),
    (D(2026, 7, 1), D(2026, 5, 31)),
    (D(2026, 7, 31), D(2026, 6, 30)),
    (D(2026, 5, 31), D(2026, 4, 30)),
    (D(2026, 12, 31), D(2026, 11, 30)),
    # Across the year boundary.
    (D(2027, 1, 1), D(2026, 11, 30)),
    (D(2027, 1, 15), D(2026, 12, 14)),
    (D(2100, 3, 31), D(2100, 2, 28)),  # 2100 is no leap year
])
def test_latest_receipt_day(effective: dt.date, latest: dt.date) -> None:
    assert latest_receipt_day(effective) == latest
    assert notice_is_on_time(latest, effective)
    assert not notice_is_on_time(latest + dt.timedelta(days=1), effective)


@pytest.mark.parametrize(("day", "months", "expected"), [
    (D(2026, 1, 31), 1, D(2026, 2, 28)),
    (D(2024, 1, 31), 1, D(2024, 2, 29)),
    (D(2026, 3, 31), -1, D(2026, 2, 28)),
    (D(2026, 12, 15), 1, D(2027, 1, 15)),
    (D(2026, 1, 15), -1, D(2025, 12, 15)),
])
def test_add_months(day: dt.date, months: int, expected: dt.date) -> None:
    assert add_months(day, months) == expected


def test_send_day_subtracts_the_delivery_buffer() -> None:
    assert latest_send_day(D(2026, 4, 15)) == D(2026, 3, 13)
    assert latest_send_day(D(2026, 4, 15), buffer_days=3) == D(2026, 3, 11)
    assert earliest_effective(D(2026, 11, 28)) == D(2026, 12, 30)


dates = st.dates(min_value=D(1990, 1, 1), max_value=D(2200, 12, 31))


@given(dates)
def test_latest_receipt_day_is_the_last_day_on_time(effective: dt.date) -> None:
    latest = latest_receipt_day(effective)
    assert notice_is_on_time(latest, effective)
    for later in range(1, 5):  # clamping can map several days onto one; none of them may be on time
        assert not notice_is_on_time(latest + dt.timedelta(days=later), effective)
    assert (effective - latest).days in range(29, 33)


@given(dates, dates)
def test_on_time_means_a_whole_month_before_effective(received: dt.date, effective: dt.date) -> None:
    assert notice_is_on_time(received, effective) == (received <= latest_receipt_day(effective))


@given(dates, st.integers(min_value=0, max_value=10))
def test_earliest_effective_is_tight(send_day: dt.date, buffer: int) -> None:
    first = earliest_effective(send_day, buffer)
    assert latest_send_day(first, buffer) >= send_day
    assert latest_send_day(first - dt.timedelta(days=1), buffer) < send_day


def test_dutch_formatting_and_holidays() -> None:
    assert format_date_nl(D(2026, 11, 28)) == "28 november 2026"
    assert format_date_nl(D(2027, 3, 1)) == "1 maart 2027"
    assert (easter(2024), easter(2025), easter(2026)) == (D(2024, 3, 31), D(2025, 4, 20), D(2026, 4, 5))
    assert non_working_day(D(2025, 4, 26)) == "Koningsdag"  # 27 April 2025 is a Sunday
    assert non_working_day(D(2025, 4, 27)) == "zondag"
    assert non_working_day(D(2026, 5, 14)) == "Hemelvaartsdag"
    assert non_working_day(D(2026, 11, 28)) == "zaterdag"
    assert non_working_day(D(2026, 12, 26)) == "Tweede Kerstdag"  # also a Saturday
    assert non_working_day(D(2026, 12, 24)) is None
