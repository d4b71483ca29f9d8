"""`subprocessors record`: one event at a time, never in the future, never before what it follows."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from freezegun import freeze_time

from tests.notices.conftest import smtp_env
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
