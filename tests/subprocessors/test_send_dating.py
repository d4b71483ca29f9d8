"""A sub-processor notice built on an earlier day is not sent: it would carry the wrong date."""

from __future__ import annotations

import json
from email import message_from_bytes, policy
from pathlib import Path

from freezegun import freeze_time

from tests.notices.conftest import smtp_env
from tests.subprocessors.test_notices import CHANGE, run, sub_project

__all__ = ["sub_project"]


def test_send_refuses_notices_built_yesterday_until_they_are_built_again(sub_project: Path,
                                                                           smtp) -> None:  # type: ignore[no-untyped-def]
    controller, handler = smtp
    with freeze_time("2026-12-01 09:00:00"):
        assert run(sub_project, "subprocessors", "build", CHANGE).exit_code == 0
    with freeze_time("2026-12-02 09:00:00"):
        stale = run(sub_project, "subprocessors", "send", CHANGE, env=smtp_env(controller))
        assert stale.exit_code == 2
        assert stale.output.strip().splitlines()[-1] == (
            "assembler: error: 2 notice(s) of voorbeeld-transcriptie were built before today "
            "(C-0001 on 2026-12-01): their date would be wrong; run `assembler subprocessors "
            "build voorbeeld-transcriptie` again, then send")
        assert handler.received == []
        assert run(sub_project, "subprocessors", "build", CHANGE).exit_code == 0
        sent = run(sub_project, "subprocessors", "send", CHANGE, env=smtp_env(controller))
    assert sent.exit_code == 0, sent.output
    assert "sent 2 notice(s)" in sent.output
    mail = message_from_bytes(handler.received[0].content, policy=policy.default)
    assert str(mail["Date"]) == "Wed, 02 Dec 2026 10:00:00 +0100"  # built at 09:00 UTC


def test_send_refuses_a_notice_late_by_now_unless_it_was_built_with_late(sub_project: Path,
                                                                          smtp) -> None:  # type: ignore[no-untyped-def]
    """Built in time for 30 days' notice; by the time of sending the period is 45 days."""
    controller, handler = smtp
    longer = {**smtp_env(controller), "ASSEMBLER_SUBPROCESSORS_NOTICE_DAYS": "45"}
    with freeze_time("2026-12-01 09:00:00"):
        assert run(sub_project, "subprocessors", "build", CHANGE).exit_code == 0
    with freeze_time("2026-12-01 15:00:00"):
        late = run(sub_project, "subprocessors", "send", CHANGE, env=longer)
        assert late.exit_code == 1
        assert late.output.strip().splitlines()[:2] == [
            f"{cid}: refused: can no longer go out 45 days before the effective date (latest send "
            "day 2026-11-27, today 2026-12-01) and was not built with --late"
            for cid in ("C-0001", "C-0003")]
        assert late.output.strip().splitlines()[2:] == [
            "assembler: error: 2 notice(s) of voorbeeld-transcriptie can no longer go out 45 days "
            "before the effective date (latest send day 2026-11-27, today 2026-12-01; C-0001, "
            "C-0003) and were not built with --late: run `assembler subprocessors build "
            "voorbeeld-transcriptie --late` (their letters then give the customer until "
            "2027-01-14 to object), then send"]
        assert handler.received == []
        status = run(sub_project, "subprocessors", "status", CHANGE, "--format", "json")
        assert {n["state"] for n in json.loads(status.output)["notices"]} == {"pending"}
        assert run(sub_project, "subprocessors", "build", CHANGE, "--late", env=longer).exit_code == 0
        sent = run(sub_project, "subprocessors", "send", CHANGE, env=longer)
    assert sent.exit_code == 0, sent.output
    mail = message_from_bytes(handler.received[0].content, policy=policy.default)
    assert str(mail["X-Assembler-Objection-Deadline"]) == "2027-01-14"
    assert "tot en met 14 januari 2027 bezwaar maken" in " ".join(
        mail.get_body(("plain",)).get_content().split())  # type: ignore[union-attr]
