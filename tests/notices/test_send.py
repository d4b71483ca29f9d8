"""`notices send` and `status` as a user runs them, against a real SMTP server."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import signal
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from assembler.notices.ledger import Ledger
from tests.notices.conftest import (
    PYTHON,
    add_customers,
    build,
    cli_env,
    customer,
    free_port,
    open_ledger,
    pin_recorded_at,
    pin_sent_at,
    smtp_env,
)
from tests.terminal import run_on_terminal

LATER = {"ASSEMBLER_TEST_NOW": "2026-11-30 09:00:00"}
"""The clock of a command that records what happened after the send (a bounce on the 29th)."""


pytestmark = pytest.mark.usefixtures("clock_of_the_commands")


def run(project_dir: Path, *args: str, env: dict[str, str] | None = None
        ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([PYTHON, "-m", "assembler", *args], cwd=project_dir, text=True,
                          capture_output=True, env=cli_env(project_dir, **(env or {})), timeout=120)


def ledger(project_dir: Path) -> Ledger:
    return open_ledger(project_dir)


def more_customers(project_dir: Path, n: int) -> None:
    add_customers(project_dir, [customer(i) for i in range(10, 10 + n)])


def test_send_then_send_again_sends_each_notice_once(notice_project: Path, smtp) -> None:
    controller, handler = smtp
    build(notice_project)
    first = run(notice_project, "notices", "send", "1.1", env=smtp_env(controller))
    assert first.returncode == 0, first.stderr
    assert "sent 2 notice(s)" in first.stdout
    assert sorted(m.rcpt_tos[0] for m in handler.received) == ["kim1@example.nl", "kim2@example.nl"]
    sent_eml = (notice_project / "build/notices/1.1/C-0001/VWO-1.1-C-0001.eml").read_bytes()
    got = next(m for m in handler.received if m.rcpt_tos == ["kim1@example.nl"])
    assert got.content.replace(b"\r\n", b"\n") == sent_eml.replace(b"\r\n", b"\n")
    assert got.mail_from == "privacy@example.nl"
    n = ledger(notice_project).notice("1.1", "C-0001")
    assert n is not None and n.state == "sent" and n.reply_code == 250 and n.sent_at

    again = run(notice_project, "notices", "send", "1.1", env=smtp_env(controller))
    assert again.returncode == 0 and "sent 0 notice(s)" in again.stdout
    assert "2 already sent" in again.stdout
    assert len(handler.received) == 2


def test_dry_run_sends_nothing_and_changes_nothing(notice_project: Path, smtp) -> None:
    controller, handler = smtp
    build(notice_project)
    result = run(notice_project, "notices", "send", "1.1", "--dry-run", env=smtp_env(controller))
    assert result.returncode == 0, result.stderr
    assert "would send C-0001 to kim1@example.nl <notice.1.1.C-0001." in result.stdout
    assert "2 notice(s) would be sent" in result.stdout and "nothing was sent" in result.stdout
    assert handler.received == [] and handler.connections == 0
    assert {n.state for n in ledger(notice_project).notices("1.1")} == {"pending"}


def test_4xx_retried_and_5xx_recorded_as_failed(notice_project: Path, smtp) -> None:
    controller, handler = smtp
    handler.transient["kim1@example.nl"] = 2
    handler.reject.add("kim2@example.nl")
    build(notice_project)
    result = run(notice_project, "notices", "send", "1.1", env=smtp_env(controller))
    assert result.returncode == 1
    assert "C-0002: failed: 550 5.1.1 mailbox unavailable" in result.stderr
    book = ledger(notice_project)
    ok, bad = book.notice("1.1", "C-0001"), book.notice("1.1", "C-0002")
    assert ok is not None and ok.state == "sent"
    # each SMTP transaction is its own row: two 451 replies, then the 250
    rows = book.deliveries("1.1", "C-0001")
    assert [(d["outcome"], d["reply_code"], d["attempts"]) for d in rows] == [
        ("failed", 451, 1), ("failed", 451, 2), ("sent", 250, 3)]
    assert bad is not None and (bad.state, bad.reply_code) == ("failed", 550)
    assert handler.attempts.count("kim2@example.nl") == 1  # a 5xx is not retried

    # a permanent failure is not retried by a plain re-run, only with --retry-failed
    rerun = run(notice_project, "notices", "send", "1.1", env=smtp_env(controller))
    assert rerun.returncode == 1 and handler.attempts.count("kim2@example.nl") == 1
    assert "0 failed" in rerun.stdout  # nothing failed in this run, but one is still not delivered
    assert ("assembler: error: 1 notice(s) not delivered yet (C-0002); 1 refused permanently (5xx): "
            "fix the address, then `notices send --retry-failed`") in rerun.stderr
    handler.reject.clear()
    retry = run(notice_project, "notices", "send", "1.1", "--retry-failed", env=smtp_env(controller))
    assert retry.returncode == 0 and "sent 1 notice(s)" in retry.stdout
    assert book.notice("1.1", "C-0002").state == "sent"  # type: ignore[union-attr]


def test_killed_sender_resumes_with_the_same_message_id(notice_project: Path, smtp) -> None:
    controller, handler = smtp
    more_customers(notice_project, 4)  # six customers to notify
    build(notice_project)
    handler.hold_after = 3  # the 4th message reaches DATA; the server keeps the reply back
    proc = subprocess.Popen([PYTHON, "-m", "assembler", "notices", "send", "1.1"], cwd=notice_project,
                            env=cli_env(notice_project, **smtp_env(controller)),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert handler.holding.wait(60), "the sender never reached the 4th message"
    proc.send_signal(signal.SIGKILL)
    proc.wait(30)
    handler.release.set()  # the server accepts the message the dead sender never heard back about

    states = Counter(n.state for n in ledger(notice_project).notices("1.1"))
    assert states == {"sent": 3, "sending": 1, "pending": 2}

    resumed = run(notice_project, "notices", "send", "1.1", env=smtp_env(controller))
    assert resumed.returncode == 0, resumed.stderr
    assert "outcome of an interrupted run unknown; sent again with the same Message-ID" in resumed.stdout
    assert "sent 3 notice(s)" in resumed.stdout

    book = ledger(notice_project)
    notices = book.notices("1.1")
    assert {n.state for n in notices} == {"sent"}
    by_rcpt: dict[str, list] = {}
    for m in handler.received:
        by_rcpt.setdefault(m.rcpt_tos[0], []).append(m)
    assert set(by_rcpt) == {n.address for n in notices}  # everyone got the notice
    repeats = {r: ms for r, ms in by_rcpt.items() if len(ms) > 1}
    assert len(repeats) == 1  # only the one whose outcome was unknown, and only twice
    (address, copies), = repeats.items()
    assert len(copies) == 2 and copies[0].message_id == copies[1].message_id
    assert copies[0].content == copies[1].content
    repeated = next(n for n in notices if n.address == address)
    assert copies[0].message_id == repeated.message_id
    assert [d["outcome"] for d in book.deliveries("1.1", repeated.customer_id)] == ["unknown", "sent"]


def test_a_second_run_refuses_while_the_first_holds_the_lock(notice_project: Path, smtp) -> None:
    controller, handler = smtp
    build(notice_project)
    handler.hold_after = 0
    first = subprocess.Popen([PYTHON, "-m", "assembler", "notices", "send", "1.1"],
                             cwd=notice_project, env=cli_env(notice_project, **smtp_env(controller)),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert handler.holding.wait(60)
        second = run(notice_project, "notices", "send", "1.1", env=smtp_env(controller))
        assert second.returncode == 1
        assert "another `notices build` or `notices send` is running (pid " in second.stderr
        # and a build cannot reset what the running send is delivering
        rebuild = run(notice_project, "notices", "build", "1.1")
        assert rebuild.returncode == 1
        assert "another `notices build` or `notices send` is running (pid " in rebuild.stderr
        assert "Traceback" not in rebuild.stderr
        assert f"pid {first.pid} on " in second.stderr and "Traceback" not in second.stderr
    finally:
        handler.release.set()
        out, err = first.communicate(timeout=60)
    assert first.returncode == 0, err
    assert Counter(m.rcpt_tos[0] for m in handler.received) == {"kim1@example.nl": 1,
                                                                "kim2@example.nl": 1}


def test_status_exports_the_evidence_and_record_bounced(notice_project: Path, smtp) -> None:
    controller, _ = smtp
    build(notice_project)
    assert run(notice_project, "notices", "send", "1.1", env=smtp_env(controller)).returncode == 0
    for cid in ("C-0001", "C-0002"):
        pin_sent_at(notice_project, cid, "2026-11-28T00:00:00Z")
    bounced = run(notice_project, "notices", "record", "C-0002", "1.1", "--bounced",
                  "--on", "2026-11-29", env=LATER)
    assert bounced.returncode == 0 and "recorded: C-0002 1.1 bounced on 2026-11-29" in bounced.stdout

    out = run(notice_project, "notices", "status", "1.1", "--format", "csv")
    assert out.returncode == 0, out.stderr
    rows = {r["customer_id"]: r for r in csv.DictReader(io.StringIO(out.stdout))}
    eml = (notice_project / "build/notices/1.1/C-0001/VWO-1.1-C-0001.eml").read_bytes()
    assert rows["C-0001"]["sha256_email"] == hashlib.sha256(eml).hexdigest()
    assert (rows["C-0001"]["state"], rows["C-0001"]["given"], rows["C-0001"]["reply_code"]) == (
        "sent", "True", "250")
    assert rows["C-0001"]["sent_at"] == "2026-11-28T00:00:00Z"
    assert rows["C-0001"]["message_id"].startswith("<notice.1.1.C-0001.")
    assert (rows["C-0002"]["given"], rows["C-0002"]["events"]) == ("False", "bounced 2026-11-29")

    data = json.loads(run(notice_project, "notices", "status", "1.1", "--format", "json").stdout)
    first = data["notices"][0]
    assert first["deliveries"][0]["outcome"] == "sent" and first["address"] == "kim1@example.nl"

    text = run(notice_project, "notices", "status", "1.1").stdout
    assert "2 notice(s) of 1.1: 2 sent; 1 given" in text

    # a bounced notice was not given: the plan wants it sent again
    plan = json.loads(run(notice_project, "notices", "plan", "1.1", "--today", "2026-11-30",
                          "--format", "json").stdout)
    status = {r["customer_id"]: (r["status"], r["note"]) for r in plan["customers"]}
    assert status["C-0001"] == ("notified", "")
    assert status["C-0002"] == ("on_time", "notice bounced on 2026-11-29: not given")


def test_progress_bars_on_a_terminal_and_a_summary(notice_project: Path, smtp) -> None:
    controller, _ = smtp
    env = cli_env(notice_project, **smtp_env(controller))
    code, build_err, build_out = run_on_terminal(["notices", "build", "1.1"], notice_project, env)
    assert code == 0, build_err
    code, send_err, send_out = run_on_terminal(["notices", "send", "1.1"], notice_project, env)
    assert code == 0, send_err
    assert "building notices" in build_err and "2/2" in build_err and "ETA" in build_err
    assert "built 2 notice(s)" in build_out  # the summary goes to stdout
    assert "sending notices" in send_err and "2/2" in send_err
    assert "sent 2 notice(s)" in send_out


def test_a_changed_or_missing_eml_is_never_sent(notice_project: Path, smtp) -> None:
    controller, handler = smtp
    build(notice_project)
    folder = notice_project / "build" / "notices" / "1.1"
    first, second = folder / "C-0001" / "VWO-1.1-C-0001.eml", folder / "C-0002" / "VWO-1.1-C-0002.eml"
    kept = first.read_bytes()
    first.unlink()
    missing = run(notice_project, "notices", "send", "1.1", env=smtp_env(controller))
    assert missing.returncode == 1 and "cannot read the notice for C-0001" in missing.stderr
    assert "run `assembler notices build` again" in missing.stderr
    assert handler.received == []  # nothing went out: the files are checked first

    first.write_bytes(kept)
    second.write_bytes(second.read_bytes() + b"\r\nP.S. edited by hand\r\n")
    changed = run(notice_project, "notices", "send", "1.1", env=smtp_env(controller))
    assert changed.returncode == 1
    assert "VWO-1.1-C-0002.eml: differs from what the ledger recorded at build time" in changed.stderr
    assert "C-0002: refused: " in changed.stderr
    assert handler.received == []  # nothing went out: every file is hashed first
    assert {n.state for n in ledger(notice_project).notices("1.1")} == {"pending"}


def test_build_after_send_keeps_what_was_sent_and_remakes_a_bounced_notice(notice_project: Path,
                                                                           smtp) -> None:
    controller, handler = smtp
    build(notice_project)
    assert run(notice_project, "notices", "send", "1.1", env=smtp_env(controller)).returncode == 0
    for cid in ("C-0001", "C-0002"):
        pin_sent_at(notice_project, cid, "2026-11-28T00:00:00Z")
    book = ledger(notice_project)
    before = {n.customer_id: n for n in book.notices("1.1")}
    again = build(notice_project)
    assert again.built == [] and again.kept == ["C-0001", "C-0002"]
    assert {n.customer_id: n for n in book.notices("1.1")} == before  # the evidence is untouched

    first_send = book.delivery_documents("1.1", "C-0002")
    assert sorted(d.kind for _, d in first_send) == ["contract", "email", "letter", "redline"]
    run(notice_project, "notices", "record", "C-0002", "1.1", "--bounced", "--on", "2026-11-29",
        env=LATER)
    pin_recorded_at(notice_project, "C-0002", "2026-11-29T08:00:00Z")
    remade = build(notice_project)
    assert remade.built == ["C-0002"] and remade.kept == ["C-0001"]
    assert book.delivery_documents("1.1", "C-0002") == first_send  # what went out is still on record
    n = book.notice("1.1", "C-0002")
    assert n is not None and n.state == "pending" and n.message_id == before["C-0002"].message_id
    assert run(notice_project, "notices", "send", "1.1", env=smtp_env(controller)).returncode == 0
    assert [m.rcpt_tos[0] for m in handler.received].count("kim2@example.nl") == 2
    assert [d["outcome"] for d in book.deliveries("1.1", "C-0002")] == ["sent", "sent"]
    assert len(book.delivery_documents("1.1", "C-0002")) == 8  # both sends, four documents each
    pin_sent_at(notice_project, "C-0002", "2026-11-29T09:00:00Z")  # sent again after the bounce
    plan = json.loads(run(notice_project, "notices", "plan", "1.1", "--today", "2026-11-30",
                          "--format", "json").stdout)
    assert {r["customer_id"]: r["status"] for r in plan["customers"]}["C-0002"] == "notified"
    rows = json.loads(run(notice_project, "notices", "status", "1.1", "--format", "json").stdout)
    assert {r["customer_id"]: r["given"] for r in rows["notices"]} == {"C-0001": True,
                                                                       "C-0002": True}


def test_accepted_message_whose_reply_was_lost_is_unknown_not_failed(notice_project: Path, smtp) -> None:
    controller, handler = smtp
    handler.drop.add("kim1@example.nl")
    build(notice_project)
    result = run(notice_project, "notices", "send", "1.1", env=smtp_env(controller))
    assert result.returncode == 1
    n = ledger(notice_project).notice("1.1", "C-0001")
    assert n is not None and n.state == "unknown"
    assert handler.attempts.count("kim1@example.nl") == 1  # not retried blindly in the same run
    assert "the server may have accepted it" in result.stderr
    handler.drop.clear()
    again = run(notice_project, "notices", "send", "1.1", env=smtp_env(controller))
    assert again.returncode == 0, again.stderr
    copies = [m for m in handler.received if m.rcpt_tos == ["kim1@example.nl"]]
    assert len(copies) == 2 and copies[0].message_id == copies[1].message_id
    assert [d["outcome"] for d in ledger(notice_project).deliveries("1.1", "C-0001")] == ["unknown", "sent"]


def test_unreachable_server_stops_the_run_after_one_notice(notice_project: Path) -> None:
    more_customers(notice_project, 4)
    build(notice_project)
    env = {"ASSEMBLER_SMTP_HOST": "127.0.0.1", "ASSEMBLER_SMTP_PORT": str(free_port()),
           "ASSEMBLER_SMTP_SECURITY": "none", "ASSEMBLER_SMTP_RATE": "0",
           "ASSEMBLER_SMTP_BACKOFF": "0.01", "ASSEMBLER_SMTP_RETRIES": "2"}
    result = run(notice_project, "notices", "send", "1.1", env=env)
    assert result.returncode == 1
    assert "assembler: error: stopped: cannot reach the SMTP server 127.0.0.1:" in result.stderr
    assert "5 notice(s) not tried" in result.stderr and "Traceback" not in result.stderr
    book = ledger(notice_project)
    tried = [n.customer_id for n in book.notices("1.1") if book.deliveries("1.1", n.customer_id)]
    assert len(tried) == 1 and len(book.deliveries("1.1", tried[0])) == 3  # its 3 attempts, once
    assert sum(n.state == "pending" for n in book.notices("1.1")) == 5


def test_the_up_front_check_names_each_changed_or_unreadable_file(tmp_path: Path,
                                                                  monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from assembler.model import LedgerNotice
    from assembler.notices.send import changed_refusal

    good, edited, locked, gone = (tmp_path / f"{name}.eml" for name in ("good", "edited", "locked", "gone"))
    for path in (good, edited, locked):
        path.write_bytes(b"mail")
    edited.write_bytes(b"mail, edited by hand")

    def notice(cid: str, path: Path) -> LedgerNotice:
        return LedgerNotice(version="1.1", customer_id=cid, from_version="1.0", reference=f"VWO-1.1-{cid}",
                            address="kim@example.nl", message_id=f"<{cid}@example.nl>", eml_path=str(path),
                            eml_sha256=hashlib.sha256(b"mail").hexdigest(), state="pending",
                            built_at="2026-12-01T10:00:00Z")

    read = Path.read_bytes

    def unreadable(path: Path) -> bytes:  # root reads any file: the refusal of the kernel, simulated
        if path == locked:
            raise PermissionError(13, "Permission denied")
        return read(path)

    monkeypatch.setattr(Path, "read_bytes", unreadable)
    todo = [notice("C-1", good), notice("C-2", edited), notice("C-3", locked), notice("C-4", gone)]
    refusal = changed_refusal(tmp_path, todo)
    assert refusal is not None
    again = "run `assembler notices build` again"
    assert refusal.reasons == {  # the missing one is missing_refusal's
        "C-2": f"{edited} differs from what the ledger recorded at build time; {again}",
        "C-3": f"{locked} cannot be read: Permission denied; {again}"}
    assert "edited.eml: differs from what the ledger recorded at build time (sha256 " in refusal.error.message
    assert changed_refusal(tmp_path, todo[:1]) is None
