"""Who the sends still owe a notice, what their dry runs show, and when they exit 1.

In-process (freezegun holds the clock) against the real SMTP test server: `notices send` and
`subprocessors send` apply one rule for who is still owed a notice (`lifecycle.owed_notice`),
their dry runs show exactly whom the send would skip, and both exit 1 while a notice an earlier
run left failed is still undelivered.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import assembler.cli.subprocessors  # noqa: F401 - imported before any clock is frozen
from tests.cli.test_lifecycle import at, cli, ok
from tests.notices.conftest import add_customers, customer, notice_project, smtp, smtp_env  # noqa: F401
from tests.subprocessors.test_notices import CHANGE


@pytest.fixture
def env(notice_project: Path, smtp, monkeypatch: pytest.MonkeyPatch) -> Any:  # noqa: F811
    controller, handler = smtp
    monkeypatch.setenv("ASSEMBLER_ROOT", str(notice_project))
    for key, value in smtp_env(controller).items():
        monkeypatch.setenv(key, value)
    return handler


def test_a_running_termination_keeps_the_revision_notice_one_ended_before_e_does_not(env) -> None:  # type: ignore[no-untyped-def]
    """1.1 takes effect on 1 February 2027: C-0001's agreement runs until 1 March, C-0002's ends
    on 2 December; C-0003 is on 1.1 already."""
    with at("2026-12-01 10:00:00"):
        ok("notices", "build", "1.1")
        ok("customers", "terminate", "C-0001", "--received", "2026-12-01", "--effective", "2027-03-01")
        ok("customers", "terminate", "C-0002", "--received", "2026-12-01")
        plan = json.loads(ok("notices", "plan", "1.1", "--format", "json").stdout)
        assert plan["left_out_terminated"] == 1
        assert [r["customer_id"] for r in plan["customers"]] == ["C-0001", "C-0003"]

        dry = ok("notices", "send", "1.1", "--dry-run").stdout.splitlines()
        assert dry[0].startswith("would send C-0001 to kim1@example.nl ")
        assert dry[1] == ("would skip C-0002: no agreement runs on 2027-02-01 (terminated); "
                          "notice not sent")
        assert dry[2].startswith("dry run: 1 notice(s) would be sent via 127.0.0.1:")
        assert dry[2].endswith("; 1 skipped; 0 already sent; nothing was sent")
        assert env.received == []

        sent = ok("notices", "send", "1.1")
    assert "C-0002: no agreement runs on 2027-02-01 (terminated); notice not sent" in sent.stderr
    assert "sent 1 notice(s)" in sent.stdout
    assert [m.rcpt_tos[0] for m in env.received] == ["kim1@example.nl"]
    with at("2026-12-01 11:00:00"):
        status = json.loads(ok("customers", "show", "C-0001", "--on", "2027-02-01",
                               "--format", "json").stdout)
    assert status["in_force"]["version"] == "1.1"  # no longer "pending NOT given"


@pytest.fixture
def sub_env(env, notice_project: Path) -> Any:  # type: ignore[no-untyped-def]  # noqa: F811
    add_customers(notice_project, [customer(1, services=("gespreksopname",)),
                                   customer(3, services=("hosted-telefonie", "gespreksopname"))])
    return env


def test_subprocessors_send_skips_a_customer_whose_agreement_ends_before_the_change(sub_env) -> None:  # type: ignore[no-untyped-def]
    """The change takes effect on 11 January 2027; C-0003's agreement ends on 15 December."""
    with at("2026-12-01 10:00:00"):
        ok("subprocessors", "build", CHANGE)
        # bound today, but no longer on the change's effective day
        ok("customers", "terminate", "C-0003", "--received", "2026-12-01", "--effective", "2026-12-15")
        ok("customers", "terminate", "C-0001", "--received", "2026-12-01", "--effective", "2027-03-01")
        plan = json.loads(ok("subprocessors", "plan", CHANGE, "--format", "json").stdout)
        assert [n["customer_id"] for n in plan["notices"]] == ["C-0001"]  # the send's rule
        dry = ok("subprocessors", "send", CHANGE, "--dry-run").stdout.splitlines()
        assert dry[0].startswith("would send C-0001 to kim1@example.nl ")
        assert dry[1] == ("would skip C-0003: no agreement runs on 2027-01-11 (terminated); "
                          "notice not sent")
        assert "1 notice(s) would be sent" in dry[2] and "1 skipped" in dry[2]
        sent = ok("subprocessors", "send", CHANGE)
    assert "C-0003: no agreement runs on 2027-01-11 (terminated); notice not sent" in sent.stderr
    assert f"sent 1 notice(s) of {CHANGE}, 0 failed" in sent.stdout
    assert [m.rcpt_tos[0] for m in sub_env.received] == ["kim1@example.nl"]


def test_subprocessors_send_exits_1_while_an_earlier_run_left_a_notice_failed(sub_env) -> None:  # type: ignore[no-untyped-def]
    sub_env.reject.add("kim3@example.nl")
    with at("2026-12-01 10:00:00"):
        ok("subprocessors", "build", CHANGE)
        first = cli("subprocessors", "send", CHANGE)
        assert first.exit_code == 1 and "C-0003: failed: 550" in first.stderr
        again = cli("subprocessors", "send", CHANGE)  # nothing new to send; C-0003 still failed
    assert again.exit_code == 1
    assert f"sent 0 notice(s) of {CHANGE}, 0 failed, 1 already sent before" in again.stdout
    assert again.stderr.strip().splitlines()[-1] == (
        "assembler: error: 1 notice(s) not delivered yet (C-0003); 1 refused permanently (5xx): "
        f"fix the address, then `subprocessors send {CHANGE} --retry-failed`")
    sub_env.reject.clear()
    with at("2026-12-01 10:05:00"):
        retried = cli("subprocessors", "send", CHANGE, "--retry-failed")
    assert retried.exit_code == 0 and f"sent 1 notice(s) of {CHANGE}" in retried.stdout
