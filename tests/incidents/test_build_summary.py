"""What `incidents build` and `send` tell: the JSON summary for scripts, the bars on a terminal."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from freezegun import freeze_time

from assembler.cli import main
from tests.incidents.test_notices import send
from tests.notices.conftest import cli_env, smtp_env
from tests.terminal import run_on_terminal


def summary(project_dir: Path, *args: str) -> dict[str, object]:
    result = CliRunner().invoke(main, ["incidents", "build", "2027-001", *args, "--format", "json"],
                                env={"ASSEMBLER_ROOT": str(project_dir)})
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_json_summary_of_each_phase(breach_project: Path, smtp) -> None:  # type: ignore[no-untyped-def]
    controller, _ = smtp
    with freeze_time("2027-03-27T10:30:00Z", tick=True):
        initial = summary(breach_project)
    assert send(breach_project, controller, "2027-03-27T10:35:00Z").exit_code == 0
    with freeze_time("2027-03-27T10:40:00Z", tick=True):
        again = summary(breach_project)
        update = summary(breach_project, "--phase", "update")
    assert {k: v for k, v in initial.items() if k not in ("seconds", "per_second")} == {
        "incident": "2027-001", "phase": "initial", "output": "build/incidents/2027-001/initial",
        "built": 2, "kept": 0, "deadline": "2027-03-29T10:00:00+02:00", "overdue": False}
    assert isinstance(initial["per_second"], float) and initial["per_second"] > 0
    assert (again["built"], again["kept"]) == (0, 2)  # sent: kept as recorded
    assert (update["phase"], update["output"], update["built"], update["kept"]) == (
        "update", "build/incidents/2027-001/update", 2, 0)


def test_json_summary_says_overdue_after_the_deadline(breach_project: Path) -> None:
    with freeze_time("2027-03-29T12:00:00Z", tick=True):
        result = CliRunner().invoke(main, ["incidents", "build", "2027-001", "--format", "json"],
                                    env={"ASSEMBLER_ROOT": str(breach_project)})
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["overdue"] is True
    assert "warning: the art. 7.1 deadline of incident 2027-001 passed" in result.stderr


def test_progress_bars_on_a_terminal_and_the_summaries_on_stdout(breach_project: Path, smtp) -> None:  # type: ignore[no-untyped-def]
    controller, _ = smtp
    env = cli_env(breach_project, now="2027-03-27 10:30:00", **smtp_env(controller))
    code, build_err, build_out = run_on_terminal(["incidents", "build", "2027-001"], breach_project,
                                                 env)
    assert code == 0, build_err
    code, send_err, send_out = run_on_terminal(["incidents", "send", "2027-001"], breach_project, env)
    assert code == 0, send_err
    assert "building initial notices" in build_err and "2/2" in build_err and "ETA" in build_err
    assert build_out.startswith("built 2 initial notice(s) of incident 2027-001")
    assert "sending initial notices" in send_err and "2/2" in send_err
    assert "initial: sent 2 notice(s), 0 failed" in send_out
