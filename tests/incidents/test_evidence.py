"""What a sent breach notice was built from stays its evidence, whatever the record says later."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from click.testing import CliRunner
from freezegun import freeze_time

from assembler.cli import main
from tests.incidents.conftest import RECORD, write_record
from tests.incidents.test_notices import cli, send
from tests.notices.conftest import pin_sent_at

EARLIER = RECORD.replace("detected_at = 2027-03-27T10:00:00", "detected_at = 2027-03-20T10:00:00")


def _sent_initial(project: Path, smtp) -> str:  # type: ignore[no-untyped-def]
    """Build and really send the initial notices; accepted at 10:31 UTC; return the record's hash."""
    controller, _ = smtp
    with freeze_time("2027-03-27T10:30:00Z"):
        cli(project, "incidents", "build", "2027-001")
    assert send(project, controller, "2027-03-27T10:31:00Z").exit_code == 0
    for customer_id in ("C-0001", "C-0003"):
        pin_sent_at(project, customer_id, "2027-03-27T10:31:00Z")
    return hashlib.sha256((project / "var/incidents/2027-001.toml").read_bytes()).hexdigest()


def test_status_still_says_within_48_h_after_detected_at_is_moved_earlier(
        breach_project: Path, smtp) -> None:  # type: ignore[no-untyped-def]
    record_hash = _sent_initial(breach_project, smtp)
    write_record(breach_project, EARLIER)
    with freeze_time("2027-03-28T09:00:00Z"):
        out = cli(breach_project, "incidents", "status", "2027-001")
        rows = json.loads(cli(breach_project, "incidents", "status", "2027-001", "--format",
                              "json"))["notices"]
    assert "C-0001     initial  sent     2027-03-27T10:31:00Z  within 48 h" in out
    assert "LATE" not in out and "2 notice(s): 2 sent, 0 late" in out
    assert {r["detected_at"] for r in rows} == {"2027-03-27T10:00:00+01:00"}
    assert {r["sha256_record"] for r in rows} == {record_hash}


def test_check_and_build_refuse_a_changed_detected_at_once_a_notice_was_sent(
        breach_project: Path, smtp) -> None:  # type: ignore[no-untyped-def]
    _sent_initial(breach_project, smtp)
    record = write_record(breach_project, EARLIER)
    for args in (["check", "2027-001"], ["build", "2027-001", "--phase", "update"],
                 ["plan", "2027-001"]):
        with freeze_time("2027-03-28T09:00:00Z"):
            result = CliRunner().invoke(main, ["incidents", *args],
                                        env={"ASSEMBLER_ROOT": str(breach_project)})
        assert result.exit_code == 1, (args, result.output)
        lines = result.output.strip().splitlines()
        assert len(lines) == 1 and "Traceback" not in result.output
        assert lines[0].startswith(f"assembler: error: {record}:2: detected_at 2027-03-20 10:00 "
                                   "differs from the 2027-03-27 10:00 the initial notice to C-0001 "
                                   "was sent with"), lines[0]
    assert not (breach_project / "build/incidents/2027-001/update").exists()
    write_record(breach_project, RECORD)  # put back: accepted again
    with freeze_time("2027-03-28T09:00:00Z"):
        assert "ok: detected 2027-03-27 10:00 CET" in cli(breach_project, "incidents", "check",
                                                          "2027-001")


def test_detected_at_may_still_be_corrected_while_nothing_was_sent(breach_project: Path) -> None:
    with freeze_time("2027-03-27T10:30:00Z"):
        cli(breach_project, "incidents", "build", "2027-001")
        write_record(breach_project, EARLIER)
        out = cli(breach_project, "incidents", "check", "2027-001")
    assert "ok: detected 2027-03-20 10:00 CET" in out
