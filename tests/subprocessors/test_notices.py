"""Sub-processor notices end to end: plan, build, send over real SMTP, record, in frozen time.

The shipped register announces `voorbeeld-transcriptie` (service gespreksopname, effective
11 januari 2027, so to be sent by 12 december 2026 with 30 days' notice).
"""

from __future__ import annotations

import io
import json
import re
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from freezegun import freeze_time
from pypdf import PdfReader

from assembler.cli import main
from assembler.customers.lifecycle import customer_history
from assembler.customers.registry import open_project_registry
from assembler.render.pdf_read import page_texts
from tests.notices.conftest import add_customers, customer, smtp_env

CHANGE = "voorbeeld-transcriptie"


def run(project_dir: Path, *args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, list(args), env={"ASSEMBLER_ROOT": str(project_dir), **(env or {})},
                              catch_exceptions=False)


@pytest.fixture
def sub_project(project_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(project_dir)
    add_customers(project_dir, [customer(1, services=("gespreksopname",)),
                                customer(2, services=("sip-trunk",)),
                                customer(3, services=("hosted-telefonie", "gespreksopname"))])
    return project_dir


@freeze_time("2026-12-01 09:00:00")
def test_a_change_reaches_exactly_the_customers_with_its_service(sub_project: Path, smtp) -> None:
    controller, handler = smtp
    plan = run(sub_project, "subprocessors", "plan", "--format", "json")
    assert plan.exit_code == 0, plan.output
    data = json.loads(plan.output)
    change = next(c for c in data["changes"] if c["id"] == CHANGE)
    assert (change["latest_send"], change["objection_deadline"]) == ("2026-12-12", "2027-01-10")
    assert sorted(n["customer_id"] for n in data["notices"] if n["change_id"] == CHANGE) == \
        ["C-0001", "C-0003"]

    built = run(sub_project, "subprocessors", "build", CHANGE)
    assert built.exit_code == 0, built.output
    assert "built 2 sub-processor notice(s) in build/notices/subverwerkers/ in " in built.output
    sent = run(sub_project, "subprocessors", "send", CHANGE, env=smtp_env(controller))
    assert sent.exit_code == 0, sent.output
    assert sorted(m.rcpt_tos[0] for m in handler.received) == ["kim1@example.nl", "kim3@example.nl"]

    mail = message_from_bytes(handler.received[0].content, policy=policy.default)
    assert " ".join(str(mail["Subject"]).split()) == "Nieuwe sub-verwerker per 11 januari 2027: Voorbeeld Spraakanalyse Ltd."
    body = mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    for text in ("Voorbeeld Spraakanalyse Ltd. (Companies Registration Office Ireland 654321), "
                 "gevestigd in Ierland",
                 "Omzetting van gespreksopnamen naar tekst", "Telefoonnummer, Belhistorie",
                 "Ierland en Verenigde Staten", "EU-VS-kader voor gegevensbescherming",
                 "tot en met 10 januari 2027 bezwaar maken", "opzegtermijn van één dag",
                 "https://www.voipexpress.example.nl/verwerkersovereenkomst/subverwerkers/"):
        assert text in re.sub(r"\s+", " ", body), text
    assert "De lijst van sub-verwerkers voor uw diensten, met de stand per 1 december 2026, " \
           "sturen wij met dit bericht mee." in re.sub(r"\s+", " ", body)
    assert "- lijst-sub-verwerkers-2026-12-01.pdf: de lijst van sub-verwerkers voor uw diensten, " \
           "stand per 1 december 2026 (PDF)" in body
    assert [a.get_filename() for a in mail.iter_attachments()] == [
        f"brief-SUB-{CHANGE}-{mail['X-Assembler-Reference'].split(CHANGE + '-')[1]}.pdf",
        "lijst-sub-verwerkers-2026-12-01.pdf"]
    letter = next(p for p in mail.iter_attachments()).get_content()
    raw = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(letter)).pages)
    assert "10\xa0januari\xa02027" in raw  # no line of the letter breaks inside its dates
    letter_text = re.sub(r"\s+", " ", " ".join(page_texts(letter)))
    assert "Bezwaar mogelijk tot en met: 10 januari 2027" in letter_text
    assert "1 december 2026" in letter_text

    again = run(sub_project, "subprocessors", "send", CHANGE, env=smtp_env(controller))
    assert "sent 0 notice(s)" in again.output and len(handler.received) == 2
    status = json.loads(run(sub_project, "subprocessors", "status", CHANGE, "--format", "json").output)
    assert [(n["customer_id"], n["state"]) for n in status["notices"]] == \
        [("C-0001", "sent"), ("C-0003", "sent")]
    revision = run(sub_project, "notices", "status", "1.0", "--format", "json")
    assert CHANGE not in revision.output  # the kinds share the ledger, not their notices


@freeze_time("2026-12-01 09:00:00")
def test_send_dry_run_shows_what_would_go_out_and_sends_nothing(sub_project: Path, smtp) -> None:  # type: ignore[no-untyped-def]
    controller, handler = smtp
    run(sub_project, "subprocessors", "build", CHANGE)
    before = run(sub_project, "subprocessors", "status", CHANGE, "--format", "json").output
    dry = run(sub_project, "subprocessors", "send", CHANGE, "--dry-run", env=smtp_env(controller))
    assert dry.exit_code == 0, dry.output
    lines = dry.output.splitlines()
    assert lines[0].startswith(f"would send C-0001 to kim1@example.nl <subprocessor.{CHANGE}.C-0001.")
    assert lines[0].endswith("(new)") and lines[1].startswith("would send C-0003 to kim3@example.nl")
    assert lines[2] == (f"dry run: 2 notice(s) would be sent via 127.0.0.1:{controller.port}; "
                        "0 already sent; nothing was sent")
    assert handler.received == []
    assert run(sub_project, "subprocessors", "status", CHANGE, "--format", "json").output == before
    run(sub_project, "subprocessors", "send", CHANGE, env=smtp_env(controller))
    after = run(sub_project, "subprocessors", "send", CHANGE, "--dry-run", env=smtp_env(controller))
    assert "dry run: 0 notice(s) would be sent" in after.output and "2 already sent" in after.output


def test_plan_exits_1_when_the_notice_period_cannot_be_met(sub_project: Path) -> None:
    with freeze_time("2026-12-01 09:00:00"):
        assert run(sub_project, "subprocessors", "plan").exit_code == 0
    late = run(sub_project, "subprocessors", "plan", "--today", "2026-12-13")
    assert late.exit_code == 1
    assert "2 sub-processor notice(s) can no longer go out 30 days before the effective date " \
           "(voorbeeld-transcriptie; latest send day 2026-12-12, today 2026-12-13)" in late.output


def test_objection_then_resolution_and_objection_then_termination(sub_project: Path, smtp) -> None:
    controller, _ = smtp
    with freeze_time("2026-12-01 09:00:00"):
        run(sub_project, "subprocessors", "build", CHANGE)
        run(sub_project, "subprocessors", "send", CHANGE, env=smtp_env(controller))
    with freeze_time("2026-12-05 09:00:00"):
        early = run(sub_project, "subprocessors", "record", "C-0001", CHANGE, "--resolved")
        assert early.exit_code == 2 and "has not objected" in early.output
        for cid, outcome in (("C-0001", "--objected"), ("C-0001", "--resolved"),
                             ("C-0003", "--objected"), ("C-0003", "--terminated")):
            result = run(sub_project, "subprocessors", "record", cid, CHANGE, outcome)
            assert result.exit_code == 0, result.output
        status = json.loads(run(sub_project, "subprocessors", "status", CHANGE, "--format",
                                "json").output)
    events = {n["customer_id"]: n["events"] for n in status["notices"]}
    assert events == {"C-0001": "objected 2026-12-05; resolved 2026-12-05",
                      "C-0003": "objected 2026-12-05; terminated 2026-12-05"}
    with open_project_registry(sub_project) as registry:
        c1 = [(e.kind, e.on.isoformat()) for e in customer_history(registry, "C-0001")]
        c3 = {e.kind: e for e in customer_history(registry, "C-0003")}
    assert ("objected", "2026-12-05") in c1 and all(k != "terminated" for k, _ in c1)
    assert c3["terminated"].effective is not None
    assert c3["terminated"].effective.isoformat() == "2026-12-06"  # art. 4.2: one day's notice
    assert "art. 4.2" in c3["terminated"].detail
    shown = run(sub_project, "customers", "show", "C-0001", "--on", "2026-12-05")
    (line,) = [x for x in shown.output.splitlines() if "objected" in x]
    # the English UI says it in English: no Dutch evidence copied from the registry
    assert line.strip() == (f"2026-12-05  objected to sub-processor {CHANGE} (art. 4.1); "
                            "sub-processor notice ledger")
    with freeze_time("2026-12-06 09:00:00"):
        made = run(sub_project, "customers", "dossier", "C-0001", "-o", str(sub_project / "d"))
    assert made.exit_code == 0, made.output
    text = " ".join(" ".join(page_texts((sub_project / "d" / "index.pdf").read_bytes())).split())
    # the column breaks the change's name at its hyphen
    assert "Bezwaar tegen sub-verwerker voorbeeld- transcriptie (art. 4.1)" in text
    assert "ledger" not in text and "objected" not in text
