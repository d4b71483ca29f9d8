"""A breach notice built on an earlier day is not sent: it would lie about when it was written."""

from __future__ import annotations

from email import message_from_bytes, policy
from pathlib import Path

from click.testing import CliRunner, Result
from freezegun import freeze_time

from assembler.cli import main
from tests.notices.conftest import smtp_env


def run(project_dir: Path, *args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, list(args), env={"ASSEMBLER_ROOT": str(project_dir), **(env or {})})


def test_send_refuses_breach_notices_built_yesterday_until_rebuilt(breach_project: Path,
                                                                   smtp) -> None:  # type: ignore[no-untyped-def]
    controller, handler = smtp
    with freeze_time("2027-03-27T10:30:00Z"):
        assert run(breach_project, "incidents", "build", "2027-001").exit_code == 0
    with freeze_time("2027-03-28T08:00:00Z"):
        stale = run(breach_project, "incidents", "send", "2027-001", env=smtp_env(controller))
        assert stale.exit_code == 2, stale.output
        assert stale.output.strip().splitlines()[-1] == (
            "assembler: error: 2 notice(s) of incident 2027-001 (initial) were built before today "
            "(C-0001 on 2027-03-27): their date would be wrong; run `assembler incidents build "
            "2027-001 --phase initial` again, then send")
        assert handler.received == []
        assert run(breach_project, "incidents", "build", "2027-001").exit_code == 0
        sent = run(breach_project, "incidents", "send", "2027-001", env=smtp_env(controller))
    assert sent.exit_code == 0, sent.output
    assert len(handler.received) == 2
    mail = message_from_bytes(handler.received[0].content, policy=policy.default)
    assert str(mail["Date"]).startswith("Sun, 28 Mar 2027")
