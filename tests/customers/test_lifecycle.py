"""Which version binds a customer on a day: the rule table-driven, and the registry's evidence."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import pytest
from freezegun import freeze_time

from assembler.customers import lifecycle
from assembler.customers.lifecycle import (
    customer_history,
    customer_status,
    in_force_on,
    owed_notice,
    record_announcement,
    record_event,
    record_termination,
    stated_effective,
    version_in_force,
)
from assembler.customers.registry import open_registry
from assembler.errors import UsageError
from assembler.model import Customer, HistoryEvent, OwedNotice
from assembler.notices.deadline import latest_send_day
from assembler.terms import earliest_effective

D = dt.date
CID = "C-2001"


def signed(version: str, on: D) -> HistoryEvent:
    return HistoryEvent(customer_id=CID, kind="signed", version=version, on=on)


def notice(version: str, received: D, effective: D, bounced: D | None = None) -> HistoryEvent:
    return HistoryEvent(customer_id=CID, kind="notice", version=version, on=received,
                        effective=effective, bounced_on=bounced)


def terminated(received: D, end: D | None = None) -> HistoryEvent:
    return HistoryEvent(customer_id=CID, kind="terminated", version="", on=received, effective=end)


def destroyed(on: D) -> HistoryEvent:
    return HistoryEvent(customer_id=CID, kind="destroyed", version="1.0", on=on)


E11 = D(2027, 1, 1)
E12 = D(2027, 3, 1)
BASE = signed("1.0", D(2020, 1, 2))

# (title, history, day, expected (version, since, basis) or None, status)
CASES = [
    ("before E the signed version binds", [BASE, notice("1.1", D(2026, 11, 20), E11)],
     D(2026, 12, 31), ("1.0", D(2020, 1, 2), "signed"), "active"),
    ("on time: from E", [BASE, notice("1.1", D(2026, 11, 30), E11)],
     E11, ("1.1", E11, "notice"), "active"),
    ("received on the last day in time (1 Dec + 1 month < 1 Jan is false): late",
     [BASE, notice("1.1", D(2026, 12, 1), E11)], E11, ("1.0", D(2020, 1, 2), "signed"), "active"),
    ("late: from receipt + 1 month + 1 day, not E", [BASE, notice("1.1", D(2026, 12, 10), E11)],
     D(2027, 1, 10), ("1.0", D(2020, 1, 2), "signed"), "active"),
    ("late: bound on its own first day", [BASE, notice("1.1", D(2026, 12, 10), E11)],
     D(2027, 1, 11), ("1.1", D(2027, 1, 11), "notice"), "active"),
    ("bounced: stays on the version it had",
     [BASE, notice("1.1", D(2026, 11, 20), E11, bounced=D(2026, 11, 21))],
     D(2027, 2, 1), ("1.0", D(2020, 1, 2), "signed"), "active"),
    ("bounced then resent in time",
     [BASE, notice("1.1", D(2026, 11, 20), E11, bounced=D(2026, 11, 21)),
      notice("1.1", D(2026, 11, 25), E11)], E11, ("1.1", E11, "notice"), "active"),
    ("bounced then resent late",
     [BASE, notice("1.1", D(2026, 11, 20), E11, bounced=D(2026, 11, 21)),
      notice("1.1", D(2026, 12, 5), E11)], E11, ("1.0", D(2020, 1, 2), "signed"), "active"),
    ("terminated before E: nothing binds, the notice does not revive it",
     [BASE, notice("1.1", D(2026, 11, 20), E11), terminated(D(2026, 12, 10))],
     E11, None, "terminated"),
    ("terminating: bound until the end", [BASE, terminated(D(2026, 12, 10))],
     D(2026, 12, 10), ("1.0", D(2020, 1, 2), "signed"), "terminating"),
    ("terminated: ends the next day by default", [BASE, terminated(D(2026, 12, 10))],
     D(2026, 12, 11), None, "terminated"),
    ("terminated after E: bound by 1.1 until the end",
     [BASE, notice("1.1", D(2026, 11, 20), E11), terminated(D(2027, 1, 20), D(2027, 2, 1))],
     D(2027, 1, 31), ("1.1", E11, "notice"), "terminating"),
    ("terminated after E: then nothing", [BASE, notice("1.1", D(2026, 11, 20), E11),
                                          terminated(D(2027, 1, 20), D(2027, 2, 1))],
     D(2027, 2, 1), None, "terminated"),
    ("two revisions in a row, both on time",
     [BASE, notice("1.1", D(2026, 11, 20), E11), notice("1.2", D(2027, 1, 15), E12)],
     E12, ("1.2", E12, "notice"), "active"),
    ("two revisions: between them 1.1",
     [BASE, notice("1.1", D(2026, 11, 20), E11), notice("1.2", D(2027, 1, 15), E12)],
     D(2027, 2, 28), ("1.1", E11, "notice"), "active"),
    ("a late 1.1 whose own day comes after 1.2 binds does not move the customer back",
     [BASE, notice("1.1", D(2027, 1, 20), E11), notice("1.2", D(2027, 1, 15), E12)],
     D(2027, 3, 5), ("1.2", E12, "notice"), "active"),
    ("imported on 1.1: bound by 1.1 from signing", [signed("1.1", D(2027, 1, 5))],
     D(2027, 1, 5), ("1.1", D(2027, 1, 5), "signed"), "active"),
    ("imported on 1.1: nothing before signing", [signed("1.1", D(2027, 1, 5))],
     D(2027, 1, 4), None, "active"),
    ("countersigned 1.2 binds from its signing day",
     [BASE, replace(signed("1.2", D(2027, 2, 3)), kind="countersigned")],
     D(2027, 2, 3), ("1.2", D(2027, 2, 3), "countersigned"), "active"),
]


@pytest.mark.parametrize(("title", "history", "day", "expected", "status"), CASES,
                         ids=[c[0] for c in CASES])
def test_version_in_force(title: str, history: list[HistoryEvent], day: D,
                          expected: tuple[str, D, str] | None, status: str) -> None:
    got = version_in_force(history, day)
    assert (None if got is None else (got.version, got.since, got.basis)) == expected, title
    assert customer_status(history, day) == status


@pytest.fixture
def registry(tmp_path: Path, customer: Customer):  # type: ignore[no-untyped-def]
    reg = open_registry(tmp_path / "var" / "registry.sqlite3")
    reg.upsert_customers([customer, replace(customer, customer_id="C-2002", version="1.1",
                                            signed_on=D(2026, 12, 20))])
    yield reg
    reg.close()


def _deliver(reg, version: str, cid: str, finished: str) -> None:  # type: ignore[no-untyped-def]
    with reg.transaction() as c:
        c.execute("INSERT INTO notice_deliveries (contract, subject, customer_id, message_id, "
                  "address, started_at, finished_at, outcome, reply_code, reply, attempts) "
                  "VALUES ('vwo', ?, ?, ?, 'a@example.nl', ?, ?, 'sent', 250, 'OK', 1)",
                  (version, cid, f"<{version}.{cid}@example.nl>", finished, finished))


@freeze_time("2027-01-10 12:00:00")
def test_history_from_the_registry_evidence(registry) -> None:  # type: ignore[no-untyped-def]
    record_announcement(registry, "vwo", "1.1", E11)
    # 23:30 UTC on 30 November is 00:30 on 1 December in Amsterdam: the Dutch day counts (late).
    _deliver(registry, "1.1", CID, "2026-11-30T23:30:00Z")
    history = customer_history(registry, CID)
    assert [(e.kind, e.version, e.on) for e in history] == [
        ("signed", "1.0", D(2020, 1, 2)), ("notice", "1.1", D(2026, 12, 1))]
    assert "Message-ID <1.1.C-2001@example.nl>" in history[1].evidence
    bound = in_force_on(registry, E11)
    assert {cid: (f.version, f.since) for cid, f in bound.items()} == {
        CID: ("1.0", D(2020, 1, 2)), "C-2002": ("1.1", D(2026, 12, 20))}
    assert in_force_on(registry, D(2027, 1, 2))[CID].version == "1.1"
    assert in_force_on(registry, D(2026, 12, 20))["C-2002"].basis == "signed"


@freeze_time("2027-01-10 12:00:00")
def test_a_version_without_a_known_effective_date_binds_nobody(registry) -> None:  # type: ignore[no-untyped-def]
    _deliver(registry, "1.1", CID, "2026-11-01T10:00:00Z")
    assert in_force_on(registry, D(2027, 1, 5))[CID].version == "1.0"


@freeze_time("2027-01-10 12:00:00")
def test_termination_is_recorded_and_ends_the_agreement(registry) -> None:  # type: ignore[no-untyped-def]
    event = record_termination(registry, CID, received=D(2027, 1, 8), reason="verhuizing")
    assert (event.effective, event.version) == (D(2027, 1, 9), "1.0")
    assert CID not in in_force_on(registry, D(2027, 1, 9))
    assert customer_status(customer_history(registry, CID), D(2027, 1, 10)) == "terminated"
    with pytest.raises(UsageError, match="terminated already"):
        record_termination(registry, CID, received=D(2027, 1, 9))


@freeze_time("2027-01-10 12:00:00")
def test_two_runs_at_once_record_one_termination(registry, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """A run that began before another recorded its termination is refused, not stored twice.

    The race is played out in order: just before run A opens its write transaction, run B
    terminates the same customer to the end on its own connection.
    """
    real = lifecycle.recording

    def b_first(*args, **kwargs):  # type: ignore[no-untyped-def]
        monkeypatch.setattr(lifecycle, "recording", real)  # B itself records as usual
        with open_registry(tmp_path / "var" / "registry.sqlite3") as other:
            record_termination(other, CID, received=D(2027, 1, 8), reason="B")
        return real(*args, **kwargs)

    monkeypatch.setattr(lifecycle, "recording", b_first)
    with pytest.raises(UsageError, match="C-2001 has terminated already"):
        record_termination(registry, CID, received=D(2027, 1, 9), reason="A")
    stored = [e for e in customer_history(registry, CID) if e.kind == "terminated"]
    assert [(e.on, e.detail) for e in stored] == [(D(2027, 1, 8), "B")]


@freeze_time("2027-01-10 12:00:00")
@pytest.mark.parametrize(("received", "effective", "message"), [
    (D(2027, 1, 11), None, "in the future"),
    (D(2027, 1, 8), D(2027, 1, 8), "one day's notice"),
    (D(2019, 1, 8), None, "before the agreement was signed"),
])
def test_termination_input_is_checked(registry, received: D, effective: D | None,  # type: ignore[no-untyped-def]
                                      message: str) -> None:
    with pytest.raises(UsageError, match=message):
        record_termination(registry, CID, received=received, effective=effective)
    assert [e.kind for e in customer_history(registry, CID)] == ["signed"]


@freeze_time("2027-01-10 12:00:00")
def test_record_event_refuses_derived_kinds(registry) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(UsageError, match="derived"):
        record_event(registry, CID, notice("1.1", D(2027, 1, 1), E11))
    record_event(registry, CID, HistoryEvent(customer_id=CID, kind="objected", version="1.1",
                                             on=D(2027, 1, 9), detail="bezwaar"))
    assert customer_history(registry, CID)[-1].detail == "bezwaar"


E = D(2026, 12, 20)
# (title, history, first day the notice is about, last day or None, owed?)
OWED = [
    ("active on E: owed", [BASE], E, None, True),
    ("terminating, the agreement runs until after E: owed",
     [BASE, terminated(D(2026, 12, 1), D(2027, 3, 1))], E, None, True),
    ("terminating, the agreement's last day is E: owed",
     [BASE, terminated(D(2026, 12, 1), E + dt.timedelta(days=1))], E, None, True),
    ("terminated, the agreement ends on E itself: not owed",
     [BASE, terminated(D(2026, 12, 1), E)], E, None, False),
    ("terminated before E (default one day's notice): not owed",
     [BASE, terminated(D(2026, 11, 30))], E, None, False),
    ("signed only after E: not owed", [signed("1.1", D(2027, 1, 5))], E, None, False),
    ("terminated, then signed again before E: owed",
     [BASE, terminated(D(2026, 11, 30)), signed("1.1", D(2026, 12, 10))], E, None, True),
]


@pytest.mark.parametrize(("title", "history", "first", "last", "owed"), OWED,
                         ids=[c[0] for c in OWED])
def test_owed_notice(title: str, history: list[HistoryEvent], first: D, last: D | None,
                     owed: bool) -> None:
    assert (owed_notice(history, first, last) is not None) is owed
    assert (owed_notice(history, first, last, "subprocessor") is not None) is owed


# The breach went on from 20 November to its detection on 1 December 2026.
START, DETECTED = D(2026, 11, 20), D(2026, 12, 1)
# (title, history, expected OwedNotice or None)
OWED_BREACH: list[tuple[str, list[HistoryEvent], OwedNotice | None]] = [
    ("terminated after detection, ran throughout: agreement",
     [BASE, terminated(D(2026, 12, 5))], OwedNotice("agreement")),
    ("ended while the breach went on, before detection: agreement",
     [BASE, terminated(D(2026, 11, 25))], OwedNotice("agreement")),
    ("signed while the breach went on: agreement", [signed("1.0", D(2026, 11, 28))],
     OwedNotice("agreement")),
    ("signed after detection: not owed", [signed("1.0", D(2026, 12, 2))], None),
    ("ended before the breach began, data not destroyed: held",
     [BASE, terminated(D(2026, 11, 10))], OwedNotice("data_held", ended=D(2026, 11, 11))),
    ("ended long before, data destroyed after detection: held",
     [BASE, terminated(D(2025, 6, 1)), destroyed(D(2026, 12, 3))],
     OwedNotice("data_held", ended=D(2025, 6, 2), destroyed=D(2026, 12, 3))),
    ("data destroyed while the breach went on: held",
     [BASE, terminated(D(2026, 11, 10)), destroyed(D(2026, 11, 25))],
     OwedNotice("data_held", ended=D(2026, 11, 11), destroyed=D(2026, 11, 25))),
    ("data destroyed on the breach's first day ('uiterlijk op' that day): held",
     [BASE, terminated(D(2026, 11, 10)), destroyed(START)],
     OwedNotice("data_held", ended=D(2026, 11, 11), destroyed=START)),
    ("data destroyed the day before the breach began: not owed",
     [BASE, terminated(D(2026, 11, 10)), destroyed(START - dt.timedelta(days=1))], None),
    ("destroyed, then signed again after detection: not owed",
     [BASE, terminated(D(2026, 1, 10)), destroyed(D(2026, 2, 1)), signed("1.1", D(2026, 12, 2))],
     None),
    ("destroyed, signed again, ended again before the breach: held",
     [BASE, terminated(D(2026, 1, 10)), destroyed(D(2026, 2, 1)), signed("1.1", D(2026, 3, 1)),
      terminated(D(2026, 10, 1))], OwedNotice("data_held", ended=D(2026, 10, 2))),
]


@pytest.mark.parametrize(("title", "history", "expected"), OWED_BREACH,
                         ids=[c[0] for c in OWED_BREACH])
def test_owed_breach_notice(title: str, history: list[HistoryEvent],
                            expected: OwedNotice | None) -> None:
    assert owed_notice(history, START, DETECTED, "breach") == expected
    if expected is not None and expected.basis == "data_held":  # holding counts for a breach only
        assert owed_notice(history, START, DETECTED) is None


# (title, sent, E, buffer days, the date the letter states)
STATED = [
    ("on time: E", D(2026, 11, 1), E, 1, E),
    ("the last send day with a day's buffer: still E", D(2026, 11, 18), E, 1, E),
    ("a day later: late, receipt 20 Nov + 1 month + 1 day", D(2026, 11, 19), E, 1, D(2026, 12, 21)),
    ("the audit's case: sent 1 Dec for 20 Dec, a day's buffer", D(2026, 12, 1), E, 1, D(2027, 1, 3)),
    ("no buffer: receipt the day it is sent", D(2026, 12, 1), E, 0, D(2027, 1, 2)),
    ("month end: 30 Jan + 1 day = 31 Jan, + 1 month = 28 Feb, + 1 day", D(2027, 1, 30),
     D(2027, 2, 1), 1, D(2027, 3, 1)),
]


@pytest.mark.parametrize(("title", "sent", "effective", "buffer", "stated"), STATED,
                         ids=[c[0] for c in STATED])
def test_stated_effective(title: str, sent: D, effective: D, buffer: int, stated: D) -> None:
    assert stated_effective(sent, effective, buffer) == stated


@pytest.mark.parametrize("buffer", [0, 1, 3])
def test_stated_effective_is_the_plans_date_whenever_a_notice_is_late(buffer: int) -> None:
    """One date everywhere: E up to the plan's latest send day, after it the plan's earliest
    effective date for notices sent that day (the date its warning names)."""
    for effective in (E, D(2027, 3, 31), D(2027, 3, 1)):
        latest = latest_send_day(effective, buffer)
        for offset in range(-3, 40):
            sent = latest + dt.timedelta(days=offset)
            expected = effective if sent <= latest else earliest_effective(sent, buffer)
            assert stated_effective(sent, effective, buffer) == expected, (effective, sent)
