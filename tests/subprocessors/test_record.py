"""`subprocessors record`: one event at a time, never in the future, never before what it follows."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from freezegun import freeze_time

from assembler.customers.lifecycle import customer_history
from assembler.customers.registry import Registry, open_project_registry
from assembler.model import HistoryEvent
from assembler.notices.ledger import Ledger
from assembler.subprocessors import record as record_module
from assembler.subprocessors.record import record_outcome
from tests.notices.conftest import CONTRACT, smtp_env
from tests.subprocessors.test_notices import CHANGE, run, sub_project

__all__ = ["sub_project"]


@pytest.fixture
def sent_project(sub_project: Path, smtp) -> Path:  # type: ignore[no-untyped-def]
    """The notices of CHANGE built and sent on 1 December 2026."""
    controller, _ = smtp
    with freeze_time("2026-12-01 09:00:00"):
        run(sub_project, "subprocessors", "build", CHANGE)
        assert run(sub_project, "subprocessors", "send", CHANGE,
                   env=smtp_env(controller)).exit_code == 0
    return sub_project


def events(project: Path) -> dict[str, str]:
    status = json.loads(run(project, "subprocessors", "status", CHANGE, "--format", "json").output)
    return {n["customer_id"]: n["events"] for n in status["notices"]}


def record(project: Path, *args: str) -> tuple[int, str]:
    result = run(project, "subprocessors", "record", "C-0001", CHANGE, *args)
    return result.exit_code, result.output.strip()


@freeze_time("2026-12-05 09:00:00")
@pytest.mark.parametrize("flags", [("--resolved", "--objected"), ("--objected", "--terminated"),
                                   ("--objected", "--resolved", "--terminated"), ()])
def test_record_takes_exactly_one_event(sent_project: Path, flags: tuple[str, ...]) -> None:
    code, out = record(sent_project, *flags)
    assert (code, out) == (2, "assembler: error: say what happened, one event at a time: "
                              "--objected, --resolved or --terminated")
    assert events(sent_project) == {"C-0001": "", "C-0003": ""}


@freeze_time("2026-12-05 09:00:00")
def test_record_refuses_a_day_in_the_future(sent_project: Path) -> None:
    assert record(sent_project, "--objected", "--on", "2027-05-01") == (
        2, "assembler: error: --on 2027-05-01 lies in the future")
    assert events(sent_project)["C-0001"] == ""


@freeze_time("2026-12-05 09:00:00")
def test_record_refuses_an_objection_before_the_notice_was_sent(sent_project: Path) -> None:
    assert record(sent_project, "--objected", "--on", "2026-11-30") == (
        2, "assembler: error: --on 2026-11-30 is before the notice of voorbeeld-transcriptie "
           "for C-0001 was sent (2026-12-01)")
    assert events(sent_project)["C-0001"] == ""


@freeze_time("2026-12-05 09:00:00")
def test_record_refuses_a_resolution_before_the_objection(sent_project: Path) -> None:
    assert record(sent_project, "--objected", "--on", "2026-12-04")[0] == 0
    assert record(sent_project, "--resolved", "--on", "2026-12-03") == (
        2, "assembler: error: --on 2026-12-03 is before C-0001's objection to "
           "voorbeeld-transcriptie (2026-12-04)")
    assert record(sent_project, "--terminated", "--on", "2026-12-02")[0] == 2
    assert events(sent_project)["C-0001"] == "objected 2026-12-04"
    assert record(sent_project, "--resolved", "--on", "2026-12-04")[0] == 0
    assert events(sent_project)["C-0001"] == "objected 2026-12-04; resolved 2026-12-04"


@freeze_time("2026-12-05 09:00:00")
def test_the_same_objection_recorded_twice_is_stored_once(sent_project: Path) -> None:
    assert record(sent_project, "--objected") == (
        0, "recorded: C-0001 voorbeeld-transcriptie objected on 2026-12-05")
    assert record(sent_project, "--objected") == (
        0, "already recorded: C-0001 voorbeeld-transcriptie objected on 2026-12-05; not stored again")
    assert events(sent_project)["C-0001"] == "objected 2026-12-05"


@freeze_time("2026-12-05 09:00:00")
def test_record_refuses_a_notice_that_was_built_but_not_sent(sub_project: Path) -> None:
    run(sub_project, "subprocessors", "build", CHANGE)
    assert record(sub_project, "--objected") == (
        2, "assembler: error: the notice of voorbeeld-transcriptie for C-0001 was not sent "
           "(pending); nothing can have followed it")


@contextlib.contextmanager
def ledger_events_fail(project: Path) -> Iterator[None]:
    """Make the registry refuse every new ledger event (a real SQLite error, as a full disk gives)."""
    with open_project_registry(project) as registry:
        registry.connection.execute(
            "CREATE TRIGGER refuse_events BEFORE INSERT ON notice_events "
            "BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END")
    try:
        yield
    finally:
        with open_project_registry(project) as registry:
            registry.connection.execute("DROP TRIGGER refuse_events")


def history(project: Path) -> list[tuple[str, str]]:
    with open_project_registry(project) as registry:
        return [(e.kind, e.on.isoformat()) for e in customer_history(registry, "C-0001")]


@freeze_time("2026-12-05 09:00:00")
@pytest.mark.parametrize(("before", "flag", "kind"), [((), "--objected", "objected"),
                                                      (("--objected",), "--terminated", "terminated")])
def test_an_outcome_whose_ledger_event_cannot_be_stored_leaves_nothing_half_stored(
        sent_project: Path, before: tuple[str, ...], flag: str, kind: str) -> None:
    """The history event (objection, termination) and the ledger event are one transaction."""
    for earlier in before:
        assert record(sent_project, earlier, "--on", "2026-12-04")[0] == 0
    kept = history(sent_project), events(sent_project)["C-0001"]
    with ledger_events_fail(sent_project):
        code, out = record(sent_project, flag)
    assert code == 1
    assert (history(sent_project), events(sent_project)["C-0001"]) == kept  # neither half
    assert out.startswith("assembler: error: ") and out.count("\n") == 0
    assert out.endswith(f": cannot record C-0001's {kind} of voorbeeld-transcriptie: database or "
                        "disk is full; nothing was stored")
    assert record(sent_project, flag) == (
        0, f"recorded: C-0001 voorbeeld-transcriptie {kind} on 2026-12-05")
    assert (kind, "2026-12-05") in history(sent_project)


@freeze_time("2026-12-05 09:00:00")
def test_two_runs_recording_the_same_objection_at_once_store_it_once(
        sent_project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run B starts while run A is between its checks and its writes; B waits for A, then finds
    A's objection stored and adds nothing."""
    original = record_module.customer_history
    results: list[tuple[object, bool]] = []

    def run_b() -> None:
        with open_project_registry(sent_project) as other:
            ledger = Ledger(other.connection, CONTRACT, "subprocessor")
            results.append(record_outcome(other, ledger, CHANGE, "C-0001", "objected",
                                          dt.date(2026, 12, 5)))

    b = threading.Thread(target=run_b)

    def a_reads_history(registry: Registry, customer_id: str) -> list[HistoryEvent]:
        if not b.is_alive() and not results:  # the first time, in run A: start B and let it run
            b.start()
            time.sleep(0.5)
        return original(registry, customer_id)

    monkeypatch.setattr(record_module, "customer_history", a_reads_history)
    with open_project_registry(sent_project) as registry:
        ledger = Ledger(registry.connection, CONTRACT, "subprocessor")
        _, new = record_outcome(registry, ledger, CHANGE, "C-0001", "objected", dt.date(2026, 12, 5))
    b.join(timeout=60)
    assert new is True and [again for _, again in results] == [False]
    assert events(sent_project)["C-0001"] == "objected 2026-12-05"
    assert [k for k, _ in history(sent_project)].count("objected") == 1
