"""Each customer's agreement over time, end to end: 1.0 → 1.1 → 1.2 with a real SMTP server.

The clock is frozen in-process (freezegun) at each step; the SMTP server's event loop keeps the
real clock (`ignore`), so that it can still time out and schedule.
"""

from __future__ import annotations

import hashlib
import io
import json
from email import message_from_bytes
from email.parser import BytesParser
from email.policy import default
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from freezegun import freeze_time
from pypdf import PdfReader

import assembler.cli.agreement
import assembler.cli.customers
import assembler.cli.lifecycle
import assembler.cli.notices
import assembler.cli.signing
import assembler.notices.build
import assembler.workflow.check_base  # noqa: F401 - imported before any clock is frozen (below)
from assembler.agreement.project import Project
from assembler.cli import main
from assembler.workflow.release import release_version
from tests.conftest import CONTRACT, git
from tests.notices.conftest import notice_project, smtp, smtp_env  # noqa: F401 (fixtures)
from tests.pdf_conformance import failures

IGNORE = ["asyncio", "aiosmtpd", "threading", "selectors"]
"""What keeps the real clock. The commands' modules are imported above, not while a clock is
frozen: a module first imported then would keep freezegun's date classes for good, and hand them
to Typst in later tests."""


def at(moment: str) -> Any:
    """Freeze the clock at `moment` (Europe/Amsterdam is UTC+1 in winter: 10:00Z is 11:00 there)."""
    return freeze_time(moment, ignore=IGNORE)


def cli(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def ok(*args: str) -> Result:
    result = cli(*args)
    assert result.exit_code == 0, result.output
    return result


def shown(cid: str, day: str) -> dict[str, Any]:
    data = json.loads(ok("customers", "show", cid, "--on", day, "--format", "json").stdout)
    return {"in_force": data["in_force"], "status": data["status"]}


def body(eml: Path) -> str:
    message = BytesParser(policy=default).parsebytes(eml.read_bytes())
    part = message.get_body(("plain",))
    assert part is not None
    return " ".join(part.get_content().split())


def release_12(project: Path) -> None:
    """Change article 9 and release it as 1.2, effective 1 April 2027."""
    path = project / "contracts" / CONTRACT / "09-audit.md"
    path.write_text(path.read_text(encoding="utf-8").replace("Deze audit mag", "Een audit mag"),
                    encoding="utf-8")
    import datetime as dt

    release_version(Project(project), CONTRACT, "1.2", dt.date(2027, 4, 1),
                    toelichting={"9": "Wij verduidelijken wie een audit mag uitvoeren."})
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "v1.2")


def test_one_customer_on_time_one_late_one_terminated(notice_project: Path, smtp,  # noqa: F811
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    controller, handler = smtp
    monkeypatch.setenv("ASSEMBLER_ROOT", str(notice_project))
    for key, value in smtp_env(controller).items():
        monkeypatch.setenv(key, value)
    out = notice_project / "build" / "notices"

    with at("2026-11-28 10:00:00"):  # 1.1 (effective 1 February 2027) goes out in time
        assert "built 2 notice(s)" in ok("notices", "build", "1.1").output
        assert "sent 2 notice(s)" in ok("notices", "send", "1.1").output
    with at("2026-11-29 10:00:00"):
        ok("notices", "record", "C-0002", "1.1", "--bounced")

    with at("2027-01-10 10:00:00"):  # C-0002's notice again, now too late for 1 February
        late = cli("notices", "build", "1.1")
        assert late.exit_code == 1 and "can no longer be notified in time" in late.output
        # sent today with a day allowed for delivery, as the plan counts: the same date everywhere
        built = ok("notices", "build", "1.1", "--late").output
        assert "the letters state 2027-02-12" in built and (
                "in time for version 1.1 effective 2027-02-01: the latest send day was 2026-12-30 "
                "(C-0002); the earliest possible effective date for notices sent on 2027-01-10 is "
                "2027-02-12") in built
        eml = out / "1.1" / "C-0002" / "VWO-1.1-C-0002.eml"
        # the minute it was written, in Amsterdam time (10:00 UTC is 11:00 CET)
        assert message_from_bytes(eml.read_bytes())["Date"] == "Sun, 10 Jan 2027 11:00:00 +0100"
        assert "Op 12 februari 2027 treedt versie 1.1" in body(eml)
        refused = cli("notices", "send", "1.1")
        assert refused.exit_code == 1 and "build them with `notices build 1.1 --late`" in refused.output
        assert "sent 1 notice(s)" in ok("notices", "send", "1.1", "--late").output

    assert shown("C-0001", "2027-01-31")["in_force"] == {"version": "1.0", "since": "2020-01-01",
                                                           "basis": "signed"}
    assert shown("C-0001", "2027-02-01")["in_force"] == {"version": "1.1", "since": "2027-02-01",
                                                           "basis": "notice"}
    # the bounced notice did not count; the late one binds from the day its letter states
    assert shown("C-0002", "2027-02-11")["in_force"]["version"] == "1.0"
    assert shown("C-0002", "2027-02-12")["in_force"] == {"version": "1.1", "since": "2027-02-12",
                                                           "basis": "notice"}

    with at("2027-01-20 10:00:00"):
        ok("customers", "terminate", "C-0001", "--received", "2027-01-20", "--reason", "verhuizing")
        release_12(notice_project)
        plan = json.loads(cli("notices", "plan", "1.2", "--format", "json").stdout)
        assert plan["left_out_terminated"] == 1
        assert {r["customer_id"]: r["current_version"] for r in plan["customers"]} == {
            "C-0002": "1.1", "C-0003": "1.1"}
        assert "built 2 notice(s)" in ok("notices", "build", "1.2").output
        assert "sent 2 notice(s)" in ok("notices", "send", "1.2").output
    with at("2027-01-25 10:00:00"):
        ok("notices", "record", "C-0002", "1.2", "--objected")
    eml12 = message_from_bytes((out / "1.2" / "C-0002" / "VWO-1.2-C-0002.eml").read_bytes())
    names = [part.get_filename() for part in eml12.walk() if part.get_filename()]
    assert "wijzigingen-1.1-1.2.pdf" in names
    assert [r.rcpt_tos[0] for r in handler.received] == [
        "kim1@example.nl", "kim2@example.nl", "kim2@example.nl", "kim2@example.nl", "kim3@example.nl"]

    assert shown("C-0002", "2027-04-01") == {
        "in_force": {"version": "1.2", "since": "2027-04-01", "basis": "notice"}, "status": "active"}
    assert shown("C-0001", "2027-01-20")["status"] == "terminating"
    assert shown("C-0001", "2027-04-01") == {"in_force": None, "status": "terminated"}

    with at("2027-04-02 10:00:00"):
        listing = ok("customers", "list").stdout.splitlines()
        assert [line.split()[:3] for line in listing] == [
            ["C-0001", "-", "terminated"], ["C-0002", "1.2", "active"], ["C-0003", "1.2", "active"]]
        versions = ok("versions").stdout
        assert "1.0  superseded" in versions and "1.1  superseded" in versions
        assert "1.2  in force since 2027-04-01" in versions
        built = ok("build", "--all", "--format", "docx")
        assert "1 customer(s) skipped: no version binds them on 2027-04-02" in built.output
        refused = cli("build", "--customer", "C-0001")
        assert refused.exit_code == 2 and "no version binds them on 2027-04-02" in refused.output
        one = ok("build", "--customer", "C-0002", "--format", "docx")
        assert "the version in force today is 1.2 since 2027-04-01 (notice)" in one.output
        assert (notice_project / "build" / "contracts" /
                f"C-0002-{CONTRACT}-1.2.docx").is_file()

    check_dossier(notice_project)


def check_dossier(project: Path) -> None:
    """The dossier of C-0002: every file re-checked against its own hash and the registry's record."""
    with at("2027-04-02 10:00:00"):
        made = ok("customers", "dossier", "C-0002", "-o", str(project / "dossier"))
    assert "index.json and index.pdf" in made.stdout
    folder = project / "dossier"
    index = json.loads((folder / "index.json").read_text(encoding="utf-8"))
    sent = [d for d in index["deliveries"] if d["outcome"] == "sent"]
    emails = sorted({d["email_file"] for d in sent})
    # both e-mails of 1.1 are kept: the one that bounced, and the late one built again over it
    assert [name.rsplit("-", 1)[0] for name in emails] == [
        "notices/revision/1.1/VWO-1.1-C-0002", "notices/revision/1.1/VWO-1.1-C-0002",
        "notices/revision/1.2/VWO-1.2-C-0002"]
    assert sorted(f["name"] for f in index["files"]) == sorted(
        [*emails, "notices/revision/1.1/brief-VWO-1.1-C-0002.pdf",
         "notices/revision/1.2/brief-VWO-1.2-C-0002.pdf"])
    assert index["missing"] == []
    for f in index["files"]:
        data = (folder / f["name"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == f["sha256"] == f["recorded_sha256"]
    for d in index["deliveries"]:  # what each SMTP transaction carried, from the dossier's own files
        eml = (folder / d["email_file"]).read_bytes()
        assert hashlib.sha256(eml).hexdigest() == d["email_sha256"]
        assert message_from_bytes(eml)["Message-ID"] == d["message_id"]
    first, late = [d for d in sent if d["subject"] == "1.1"]
    assert first["email_sha256"] != late["email_sha256"]
    assert first["message_id"] != late["message_id"]  # a changed message, a new Message-ID
    assert [(e["kind"], e["version"]) for e in index["timeline"]] == [
        ("signed", "1.0"), ("notice", "1.1"), ("notice", "1.1"), ("notice", "1.2"),
        ("objected", "1.2")]
    assert index["timeline"][1]["bounced_on"] == "2026-11-29"
    # each notice event names the e-mail its own transaction carried, not the latest build's
    assert [e["sha256"] for e in index["timeline"] if e["kind"] == "notice"] == [
        d["email_sha256"] for d in sent]
    assert [(p["version"], p["from"], p["to"]) for p in index["in_force_periods"]] == [
        ("1.0", "2020-01-01", "2027-02-11"), ("1.1", "2027-02-12", "2027-03-31"),
        ("1.2", "2027-04-01", None)]
    assert [e["event"] for e in index["notice_events"]] == ["bounced", "objected"]
    check_index_pdf((folder / "index.pdf").read_bytes(), first["message_id"])


def check_index_pdf(pdf: bytes, message_id: str) -> None:
    """index.pdf: PDF/A-2b and PDF/UA-1, in Dutch, and saying what index.json says."""
    assert failures(pdf, "2b") == [] and failures(pdf, "ua1") == []
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())
    assert "Welke versie gold wanneer" in text
    assert "12 februari 2027 31 maart 2027 versie 1.1" in text  # under "Van", "Tot en met"
    assert "t/m" not in text
    # a bounced notice was not received: what happened, in order, each with its time
    assert ("Mededeling van versie 1.1 (ingangsdatum 1 februari 2027) verzonden op 28 november "
            "2026, 11:00:00, door de server van de ontvanger aanvaard op 28 november 2026, "
            "11:00:00; daarna als onbestelbaar gemeld op 29 november 2026: geldt niet als gedaan"
            ) in text
    assert "Mededeling van versie 1.1 ontvangen (ingangsdatum 1 februari 2027); onbestelbaar" \
        not in text
    assert "Bezwaar tegen versie 1.2 vastgelegd bij de mededeling" in text
    assert "ledger" not in text
    assert message_id in text
    assert "250" in text and "aanvaard door de server van de ontvanger" in text


def test_destruction_statement_in_the_dossier(notice_project: Path,  # noqa: F811
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSEMBLER_ROOT", str(notice_project))
    with at("2027-01-20 10:00:00"):
        ok("customers", "terminate", "C-0001", "--received", "2027-01-20")
    with at("2027-01-22 10:00:00"):
        ok("customers", "destruction-statement", "C-0001")
        ok("customers", "dossier", "C-0001", "-o", str(notice_project / "d1"))
    index = json.loads((notice_project / "d1" / "index.json").read_text(encoding="utf-8"))
    (statement,) = [f for f in index["files"] if f["name"].startswith("destroyed/")]
    data = (notice_project / "d1" / statement["name"]).read_bytes()
    assert hashlib.sha256(data).hexdigest() == statement["sha256"] == statement["recorded_sha256"]
    assert [e["kind"] for e in index["timeline"]] == ["signed", "terminated", "destroyed"]
    assert [(p["version"], p["to"]) for p in index["in_force_periods"]] == [
        ("1.0", "2027-01-20"), (None, None)]
    text = " ".join(PdfReader(io.BytesIO((notice_project / "d1" / "index.pdf").read_bytes()))
                    .pages[0].extract_text().split())
    assert "Status: beëindigd" in text
