"""A sub-processor notice built on an earlier day is not sent: it would carry the wrong date."""

from __future__ import annotations

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
