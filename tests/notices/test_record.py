"""`notices record` as a user runs it: bounces, objections and terminations, and what it refuses."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from freezegun import freeze_time

from tests.notices.conftest import (
    build,
    open_ledger,
    pin_sent_at,
    smtp_env,
)
from tests.notices.test_send import ledger, run

pytestmark = pytest.mark.usefixtures("clock_of_the_commands")


def _sent_in_process(notice_project: Path, smtp, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Build and send the notices of 1.1 in this process on 28 November 2026 (frozen clock)."""
    from click.testing import CliRunner

    from assembler.cli import main

    controller, _ = smtp
    monkeypatch.setenv("ASSEMBLER_ROOT", str(notice_project))
    for key, value in smtp_env(controller).items():
        monkeypatch.setenv(key, value)
    # the SMTP server's event loop keeps the real clock
    with freeze_time("2026-11-28 10:00:00", ignore=["asyncio", "aiosmtpd", "threading", "selectors"]):
        assert CliRunner().invoke(main, ["notices", "build", "1.1"]).exit_code == 0
        assert CliRunner().invoke(main, ["notices", "send", "1.1"]).exit_code == 0


def test_record_refuses_what_cannot_be(notice_project: Path) -> None:
    build(notice_project)
    unknown = run(notice_project, "notices", "record", "C-9999", "1.1", "--objected")
    assert unknown.returncode == 2 and "no notice of 1.1 for customer 'C-9999'" in unknown.stderr
    unsent = run(notice_project, "notices", "record", "C-0001", "1.1", "--bounced")
    assert unsent.returncode == 2 and "was not sent (pending)" in unsent.stderr
    nothing = run(notice_project, "notices", "record", "C-0001", "1.1")
    assert nothing.returncode == 2 and "--bounced, --objected or --terminated" in nothing.stderr


def test_record_terminated_needs_no_sent_notice(notice_project: Path, smtp, monkeypatch) -> None:
    from click.testing import CliRunner

    # imported before the clock is frozen, so that no module keeps freezegun's date classes
    import assembler.cli.customers
    import assembler.cli.notices
    import assembler.cli.notices_evidence
    import assembler.notices.build  # noqa: F401
    from assembler.cli import main

    # C-0001 and C-0002 get the notice; C-0003 (on 1.1 already) none at all
    _sent_in_process(notice_project, smtp, monkeypatch)
    with freeze_time("2026-12-07 10:00:00"):
        def record(*args: str):  # type: ignore[no-untyped-def]
            return CliRunner().invoke(main, ["notices", "record", *args])

        future = record("C-0003", "1.1", "--terminated", "--on", "2026-12-08")
        assert future.exit_code == 2 and "lies in the future" in future.output
        early = record("C-0001", "1.1", "--terminated", "--on", "2026-11-27")
        assert early.exit_code == 2 and "is before the notice of 1.1 for C-0001 was sent" in early.output
        none = record("C-0003", "1.1", "--terminated", "--on", "2026-12-01")
        assert none.exit_code == 0, none.output
        assert "recorded: C-0003 1.1 terminated on 2026-12-01; nothing binds from 2026-12-02" in none.output
        shown = CliRunner().invoke(main, ["customers", "show", "C-0003", "--format", "json"])
        data = json.loads(shown.stdout)
        assert data["status"] == "terminated"
        assert data["timeline"][-1]["detail"] == ("with reference to version 1.1; no notice of it "
                                                  "was sent to them")
        both = record("C-0003", "1.1", "--terminated", "--bounced")
        assert both.exit_code == 2 and "one event at a time" in both.output


def test_record_defaults_to_today(notice_project: Path, smtp, monkeypatch) -> None:
    from click.testing import CliRunner

    from assembler.cli import main

    controller, _ = smtp
    build(notice_project)
    assert run(notice_project, "notices", "send", "1.1", env=smtp_env(controller)).returncode == 0
    monkeypatch.setenv("ASSEMBLER_ROOT", str(notice_project))
    with freeze_time("2026-12-07 10:00:00"):
        result = CliRunner().invoke(main, ["notices", "record", "C-0001", "1.1", "--terminated"])
    assert result.exit_code == 0, result.output
    assert "recorded: C-0001 1.1 terminated on 2026-12-07; nothing binds from 2026-12-08" in result.output
    from assembler.customers.lifecycle import customer_history
    from assembler.customers.registry import open_project_registry

    with open_project_registry(notice_project) as reg:
        events = [e for e in customer_history(reg, "C-0001") if e.kind == "terminated"]
    assert [(e.on.isoformat(), e.effective, e.recorded_at) for e in events] == [
        ("2026-12-07", dt.date(2026, 12, 8), "2026-12-07T10:00:00Z")]


def test_record_checks_its_input(notice_project: Path, smtp) -> None:
    controller, _ = smtp
    build(notice_project)
    assert run(notice_project, "notices", "send", "1.1", env=smtp_env(controller)).returncode == 0
    pin_sent_at(notice_project, "C-0001", "2026-11-28T09:00:00Z")
    two = run(notice_project, "notices", "record", "C-0001", "1.1", "--bounced", "--objected")
    assert two.returncode == 2 and "one event at a time" in two.stderr
    future = run(notice_project, "notices", "record", "C-0001", "1.1", "--objected",
                 "--on", "2099-01-01")
    assert future.returncode == 2 and "lies in the future" in future.stderr
    early = run(notice_project, "notices", "record", "C-0001", "1.1", "--objected",
                "--on", "2026-11-27")
    assert early.returncode == 2 and "before the notice of 1.1 for C-0001 was sent (2026-11-28)" \
        in early.stderr
    assert ledger(notice_project).events("1.1") == {}


def test_the_same_objection_recorded_twice_is_stored_once(notice_project: Path, smtp,  # type: ignore[no-untyped-def]
                                                          monkeypatch) -> None:
    from click.testing import CliRunner

    from assembler.cli import main

    _sent_in_process(notice_project, smtp, monkeypatch)
    with freeze_time("2026-12-07 10:00:00"):
        outputs = [CliRunner().invoke(main, ["notices", "record", "C-0001", "1.1", "--objected"])
                   for _ in range(2)]
    assert [r.output.strip() for r in outputs] == [
        "recorded: C-0001 1.1 objected on 2026-12-07",
        "already recorded: C-0001 1.1 objected on 2026-12-07; not stored again"]
    assert [e.event for e in open_ledger(notice_project).events("1.1")["C-0001"]] == ["objected"]
