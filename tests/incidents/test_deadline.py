"""The art. 7.1 rule: 48 hours on the Amsterdam wall clock, across daylight-saving changes."""

from __future__ import annotations

import datetime as dt

import pytest
from freezegun import freeze_time

from assembler.dutch import now_nl
from assembler.incidents.deadline import AMSTERDAM, breach_deadline, hours_left


def test_spring_forward_deadline_is_the_same_clock_time_47_real_hours_later() -> None:
    detected = dt.datetime(2027, 3, 27, 10, 0, tzinfo=AMSTERDAM)
    deadline = breach_deadline(detected)
    assert (deadline.date(), deadline.hour, deadline.minute) == (dt.date(2027, 3, 29), 10, 0)
    assert deadline.utcoffset() == dt.timedelta(hours=2)  # CEST
    assert hours_left(deadline, detected) == 47


def test_autumn_back_deadline_is_49_real_hours() -> None:
    detected = dt.datetime(2027, 10, 30, 10, 0, tzinfo=AMSTERDAM)
    deadline = breach_deadline(detected)
    assert deadline.isoformat() == "2027-11-01T10:00:00+01:00"
    assert hours_left(deadline, detected) == 49


def test_no_dst_change_is_exactly_48_hours_and_utc_input_is_taken_to_amsterdam() -> None:
    detected = dt.datetime(2027, 6, 1, 8, 30, tzinfo=dt.UTC)  # 10:30 CEST
    deadline = breach_deadline(detected)
    assert deadline.isoformat() == "2027-06-03T10:30:00+02:00"
    assert hours_left(deadline, detected) == 48


def test_naive_time_is_refused() -> None:
    with pytest.raises(ValueError):
        breach_deadline(dt.datetime(2027, 3, 27, 10, 0))


@freeze_time("2027-03-28T09:00:00Z")
def test_now_nl_reads_the_real_clock_in_amsterdam() -> None:
    now = now_nl()
    assert now.isoformat() == "2027-03-28T11:00:00+02:00"
    deadline = breach_deadline(dt.datetime(2027, 3, 27, 10, 0, tzinfo=AMSTERDAM))
    assert hours_left(deadline, now) == 23
