"""Breach notices in phases: no update or final notice before the customer had the initial one."""

from __future__ import annotations

from email import message_from_bytes, policy
from pathlib import Path

from click.testing import CliRunner
from freezegun import freeze_time

from assembler.cli import main
from tests.incidents.conftest import RECORD, write_record
from tests.incidents.test_notices import OUT, cli, send
from tests.notices.conftest import open_ledger

UPDATE = ["incidents", "build", "2027-001", "--phase", "update"]


def _invoke(project: Path, *args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, list(args), env={"ASSEMBLER_ROOT": str(project)})


def test_an_update_is_refused_while_no_initial_notice_was_sent(breach_project: Path) -> None:
    with freeze_time("2027-03-27T10:30:00Z"):
        cli(breach_project, "incidents", "build", "2027-001")  # built, not yet sent
        for phase in ("update", "final"):
            result = _invoke(breach_project, "incidents", "build", "2027-001", "--phase", phase)
            assert result.exit_code == 2, result.output
            assert result.output.strip() == (
                f"assembler: error: no {phase} notice of incident 2027-001 before the initial one: "
                "2 affected customer(s) have no initial notice accepted by their server (C-0001, "
                "C-0003); run `assembler incidents build 2027-001` and `incidents send 2027-001` "
                "first")
            assert not (breach_project / OUT / phase).exists()
    assert [n.customer_id for n in open_ledger(breach_project).notices("2027-001/update")] == []


def test_a_customer_newly_found_affected_gets_the_initial_notice_before_the_update(
        breach_project: Path, smtp) -> None:  # type: ignore[no-untyped-def]
    controller, handler = smtp
    with freeze_time("2027-03-27T10:30:00Z"):
        cli(breach_project, "incidents", "build", "2027-001")
    assert send(breach_project, controller, "2027-03-27T10:35:00Z").exit_code == 0
    # The investigation finds C-0002 (SIP-trunk only) affected too: named in the record.
    write_record(breach_project, RECORD.replace('customers = []', 'customers = ["C-0002"]'))
    with freeze_time("2027-03-28T09:00:00Z"):
        refused = _invoke(breach_project, *UPDATE)
        assert refused.exit_code == 2
        assert "1 affected customer(s) have no initial notice accepted by their server (C-0002)" \
            in refused.output
        out = cli(breach_project, "incidents", "build", "2027-001")
        assert "built 1 initial notice(s)" in out and "2 already sent" in out
    assert send(breach_project, controller, "2027-03-28T09:05:00Z").exit_code == 0
    with freeze_time("2027-03-28T10:00:00Z"):
        assert "built 3 update notice(s)" in cli(breach_project, *UPDATE)
    assert send(breach_project, controller, "2027-03-28T10:05:00Z").exit_code == 0
    subjects = [str(message_from_bytes(m.content, policy=policy.default)["Subject"]).split(
        " datalek")[0] for m in handler.received if m.rcpt_tos == ["kim2@example.nl"]]
    assert subjects == ["Melding", "Aanvullende melding"]
