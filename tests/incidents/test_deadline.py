"""The art. 7.1 rule: 48 hours after detection on the clock or in real time, whichever ends first."""

from __future__ import annotations

import datetime as dt

import pytest
from freezegun import freeze_time

from assembler.dutch import now_nl
from assembler.incidents.deadline import AMSTERDAM, breach_deadline, by_deadline, hours_left


@pytest.mark.parametrize(("detected", "deadline", "real_hours"), [
    # autumn: the clocks go back on 25 October 2026; 48 elapsed hours end at 09:00 CET, before
    # the clock reads 10:00 again (49 real hours)
    (dt.datetime(2026, 10, 24, 10, 0, tzinfo=AMSTERDAM), "2026-10-26T09:00:00+01:00", 48),
    # spring: the clocks go forward on 28 March 2027; the clock reads 10:00 again after 47 real
    # hours, before 48 have elapsed
    (dt.datetime(2027, 3, 27, 10, 0, tzinfo=AMSTERDAM), "2027-03-29T10:00:00+02:00", 47),
    # an ordinary day: the same clock time two days later
    (dt.datetime(2027, 6, 1, 10, 30, tzinfo=AMSTERDAM), "2027-06-03T10:30:00+02:00", 48),
    # a detection given in UTC is shown on the Amsterdam clock
    (dt.datetime(2027, 6, 1, 8, 30, tzinfo=dt.UTC), "2027-06-03T10:30:00+02:00", 48),
    # detected in the hour the autumn clocks repeat, the second time round (CET)
    (dt.datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=AMSTERDAM), "2026-10-27T02:30:00+01:00", 48),
    # two days later the clock would read 02:30 inside the spring gap: 48 elapsed hours, 03:30 CEST
    (dt.datetime(2027, 3, 26, 2, 30, tzinfo=AMSTERDAM), "2027-03-28T03:30:00+02:00", 48),
])
def test_deadline_is_48_hours_on_whichever_reading_ends_first(detected: dt.datetime, deadline: str,
                                                              real_hours: int) -> None:
    got = breach_deadline(detected)
    assert got.isoformat() == deadline
    assert got.tzinfo is AMSTERDAM
    assert hours_left(got, detected) == real_hours


def test_naive_time_is_refused() -> None:
    with pytest.raises(ValueError):
        breach_deadline(dt.datetime(2027, 3, 27, 10, 0))


def test_by_deadline_compares_real_time_in_the_repeated_autumn_hour() -> None:
    deadline = breach_deadline(dt.datetime(2026, 10, 23, 2, 30, tzinfo=AMSTERDAM))
    assert deadline.isoformat() == "2026-10-25T02:30:00+02:00"  # the first 02:30, CEST
    later = dt.datetime(2026, 10, 25, 2, 15, fold=1, tzinfo=AMSTERDAM)  # 02:15 CET, 45 min on
    assert not by_deadline(later, deadline)
    assert by_deadline(deadline, deadline)


@freeze_time("2027-03-28T09:00:00Z")
def test_now_nl_reads_the_real_clock_in_amsterdam() -> None:
    now = now_nl()
    assert now.isoformat() == "2027-03-28T11:00:00+02:00"
    deadline = breach_deadline(dt.datetime(2027, 3, 27, 10, 0, tzinfo=AMSTERDAM))
    assert hours_left(deadline, now) == 23  # 10:00 CEST on the 29th, 23 real hours from now
