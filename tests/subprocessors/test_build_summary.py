"""What `subprocessors build` and `send` tell: the JSON summary for scripts, the bars on a terminal."""

from __future__ import annotations

import json
from pathlib import Path

from freezegun import freeze_time

from tests.notices.conftest import cli_env, smtp_env
from tests.subprocessors.test_notices import CHANGE, run, sub_project
from tests.terminal import run_on_terminal

__all__ = ["sub_project"]


def summary(project_dir: Path, *args: str) -> dict[str, object]:
    result = run(project_dir, "subprocessors", "build", *args, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_json_summary_counts_the_notices_in_all_and_per_change(sub_project: Path, smtp) -> None:  # type: ignore[no-untyped-def]
    controller, _ = smtp
    with freeze_time("2026-12-01 09:00:00", tick=True):
        first = summary(sub_project)
        sent = run(sub_project, "subprocessors", "send", CHANGE, env=smtp_env(controller))
        assert sent.exit_code == 0, sent.output
        again = summary(sub_project, CHANGE)
    assert {k: v for k, v in first.items() if k not in ("seconds", "per_second")} == {
        "output": "build/notices/subverwerkers", "built": 2, "kept": 0, "late": False,
        "changes": [{"id": CHANGE, "built": 2, "kept": 0, "objection_deadline": "2027-01-10"},
                    # pending too, but none of these customers takes its service
                    {"id": "voorbeeld-fax-cloud", "built": 0, "kept": 0,
                     "objection_deadline": "2027-01-17"}]}
    assert isinstance(first["seconds"], float) and first["seconds"] > 0
    assert isinstance(first["per_second"], float) and first["per_second"] > 0
    # Sent notices are kept as recorded, not built again; CHANGE names the one change.
    assert (again["built"], again["kept"], again["changes"]) == (
        0, 2, [{"id": CHANGE, "built": 0, "kept": 2, "objection_deadline": "2027-01-10"}])


@freeze_time("2026-12-20 09:00:00", tick=True)
def test_json_summary_of_a_late_build_says_late_and_the_customers_deadline(sub_project: Path) -> None:
    late = summary(sub_project, "--late")
    assert (late["late"], late["built"]) == (True, 2)
    assert late["changes"][0] == {"id": CHANGE, "built": 2, "kept": 0,
                                  "objection_deadline": "2027-01-18"}  # 30 days from today


def test_progress_bars_on_a_terminal_and_the_summaries_on_stdout(sub_project: Path, smtp) -> None:  # type: ignore[no-untyped-def]
    controller, _ = smtp
    env = cli_env(sub_project, now="2026-12-01 09:00:00", **smtp_env(controller))
    code, build_err, build_out = run_on_terminal(["subprocessors", "build", CHANGE], sub_project, env)
    assert code == 0, build_err
    code, send_err, send_out = run_on_terminal(["subprocessors", "send", CHANGE], sub_project, env)
    assert code == 0, send_err
    assert "building notices" in build_err and "2/2" in build_err and "ETA" in build_err
    assert "customers/s" in build_err
    assert build_out.startswith("built 2 sub-processor notice(s) in build/notices/subverwerkers/")
    assert "sending notices" in send_err and "2/2" in send_err
    assert send_out.startswith(f"sent 2 notice(s) of {CHANGE}, 0 failed")
