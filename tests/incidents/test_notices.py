"""Breach notices: the Dutch letter and e-mail, built, sent to a real SMTP server, in phases."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from email import message_from_bytes, policy
from pathlib import Path

import pypdf
import pytest
from click.testing import CliRunner, Result
from freezegun import freeze_time

from assembler.cli import main
from tests.incidents.conftest import RECORD, write_record
from tests.notices.conftest import smtp_env

OUT = Path("build") / "incidents" / "2027-001"


def cli(project_dir: Path, *args: str) -> str:
    """Run a command in-process (so freezegun holds the clock); return its output."""
    result = CliRunner().invoke(main, list(args), env={"ASSEMBLER_ROOT": str(project_dir)})
    assert result.exit_code == 0, result.output
    return result.output


def send(project_dir: Path, controller: object, when: str) -> Result:
    """Send in-process at `when`: a notice goes out on the day it was built."""
    with freeze_time(when):
        return CliRunner().invoke(main, ["incidents", "send", "2027-001"],
                                  env={"ASSEMBLER_ROOT": str(project_dir),
                                       **smtp_env(controller)})  # type: ignore[arg-type]


def pdf_text(path: Path) -> str:
    return " ".join((p.extract_text() or "") for p in pypdf.PdfReader(path).pages).replace("\n", " ")


@freeze_time("2027-03-27T10:30:00Z")
def test_letter_holds_the_art_7_3_content_and_says_what_is_not_known(breach_project: Path) -> None:
    out = cli(breach_project, "incidents", "build", "2027-001")
    assert "built 2 initial notice(s) of incident 2027-001 in build/incidents/2027-001/initial/" in out
    pdf = breach_project / OUT / "initial" / "datalek-2027-001-initial-C-0003.pdf"
    data = pdf.read_bytes()
    assert b"pdfaid:part" in data  # PDF/A
    text = " ".join(pdf_text(pdf).split())
    for expected in [
        "Geachte mevrouw Jansen,",
        "Ons kenmerk: DL-2027-001-C-0003",
        "een datalek) die wij op 27 maart 2027 om 10.00 uur hebben ontdekt",
        "in ieder geval binnen 48 uur na de ontdekking (uiterlijk 29 maart 2027 om 10.00 uur) te "
            "informeren",
        "gebruikmaakt van de dienst Gespreksopname",
        "Onbevoegde toegang tot opgeslagen gespreksopnamen",  # (I) nature
        "Naar schatting gaat het om 1.200 betrokkenen.",
        "Hoeveel persoonsgegevensregisters het betreft, weten wij nog niet.",
        "De waarschijnlijke gevolgen kunnen wij nog niet overzien.",  # (II) not yet known
        "Het beheerwachtwoord is ingetrokken",  # (III) measures
        "Het datalek begon op 26 maart 2027 om 22.00 uur; wanneer het is beëindigd, weten wij "
        "nog niet.",
        "Wat wij nu nog niet weten: welke categorieën persoonsgegevens precies zijn getroffen, "
        "wanneer het datalek is beëindigd, hoeveel persoonsgegevensregisters het betreft en wat "
        "de waarschijnlijke gevolgen zijn.",
        "Wij informeren u opnieuw uiterlijk 30 maart 2027 om 12.00 uur",
        "Functionaris gegevensbescherming, privacy@example.nl",
    ]:
        assert expected in text, expected
    assert not (breach_project / OUT / "initial" / "datalek-2027-001-initial-C-0002.pdf").exists()
    again = CliRunner().invoke(main, ["incidents", "build", "2027-001"],
                               env={"ASSEMBLER_ROOT": str(breach_project)})
    assert pdf.read_bytes() == data, again.output  # deterministic


@freeze_time("2027-03-27T10:30:00Z")
def test_each_letter_of_a_run_carries_its_own_reference(breach_project: Path) -> None:
    """One compiler lays out every letter of a run, reusing what did not change: the title (in
    the PDF's metadata) and the reference of each letter are still that customer's own."""
    cli(breach_project, "incidents", "build", "2027-001")
    letters = sorted((breach_project / OUT / "initial").glob("datalek-2027-001-initial-C-*.pdf"))
    assert len(letters) == 2
    for pdf in letters:
        ref = "DL-2027-001-C-" + pdf.stem.rsplit("-", 1)[-1]
        reader = pypdf.PdfReader(pdf)
        assert reader.metadata is not None
        assert reader.metadata.title == f"Melding datalek 2027-001, kenmerk {ref}"
        pages = [" ".join((p.extract_text() or "").split()) for p in reader.pages]
        assert f"Ons kenmerk: {ref}" in pages[0]
        assert len(pages) >= 2
        for page in pages[1:]:  # the continuation header, which finds the reference by query
            assert f"ons kenmerk {ref} · 27 maart 2027" in page, page[:160]


def test_three_phases_are_sent_threaded_and_proved(breach_project: Path, smtp) -> None:  # type: ignore[no-untyped-def]
    controller, handler = smtp
    with freeze_time("2027-03-27T10:30:00Z"):
        cli(breach_project, "incidents", "build", "2027-001")
    first = send(breach_project, controller, "2027-03-27T10:35:00Z")
    assert first.exit_code == 0, first.output
    assert "initial: sent 2 notice(s), 0 failed, 0 already sent before" in first.output
    write_record(breach_project, RECORD.replace('consequences = ""',
                                                'consequences = "Misbruik is niet uitgesloten."'))
    with freeze_time("2027-03-28T09:00:00Z"):
        cli(breach_project, "incidents", "build", "2027-001", "--phase", "update")
    update = send(breach_project, controller, "2027-03-28T09:05:00Z")
    assert update.exit_code == 0, update.output
    assert "update: sent 2 notice(s)" in update.output
    with freeze_time("2027-04-02T09:00:00Z"):
        cli(breach_project, "incidents", "build", "2027-001", "--phase", "final")
    later = send(breach_project, controller, "2027-04-02T09:05:00Z")
    assert later.exit_code == 0, later.output
    assert "initial: sent 0 notice(s), 0 failed, 2 already sent before" in later.output
    assert "final: sent 2 notice(s)" in later.output

    mails = [message_from_bytes(m.content, policy=policy.default) for m in handler.received
             if m.rcpt_tos == ["kim1@example.nl"]]
    assert [str(m["Subject"]).split(" datalek")[0] for m in mails] == [
        "Melding", "Aanvullende melding", "Slotmelding"]
    assert {str(m["X-Assembler-Reference"]) for m in mails} == {"DL-2027-001-C-0001"}
    ids = [str(m["Message-ID"]) for m in mails]
    assert mails[0]["In-Reply-To"] is None
    assert str(mails[1]["In-Reply-To"]) == ids[0] and str(mails[1]["References"]) == ids[0]
    assert str(mails[2]["In-Reply-To"]) == ids[1]
    assert str(mails[2]["References"]) == f"{ids[0]} {ids[1]}"
    body = mails[1].get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "Misbruik is niet uitgesloten." in body
    assert "aanvullende melding vullen wij onze eerdere melding aan" in body

    status = json.loads(cli(breach_project, "incidents", "status", "2027-001", "--format", "json"))
    rows = status["notices"]
    assert [(r["customer_id"], r["phase"], r["state"]) for r in rows] == [
        ("C-0001", "initial", "sent"), ("C-0003", "initial", "sent"),
        ("C-0001", "update", "sent"), ("C-0003", "update", "sent"),
        ("C-0001", "final", "sent"), ("C-0003", "final", "sent")]
    assert all(r["reply_code"] == 250 for r in rows)
    pdf = breach_project / OUT / "initial" / "datalek-2027-001-initial-C-0001.pdf"
    assert rows[0]["sha256_letter"] == hashlib.sha256(pdf.read_bytes()).hexdigest()
    table = list(csv.DictReader(io.StringIO(
        cli(breach_project, "incidents", "status", "2027-001", "--format", "csv"))))
    assert table[0]["message_id"] == ids[0] and len(table) == 6


def test_status_says_late_when_a_notice_was_accepted_after_the_deadline(
        breach_project: Path, smtp) -> None:  # type: ignore[no-untyped-def]
    from tests.notices.conftest import open_ledger
    controller, _ = smtp
    with freeze_time("2027-03-27T10:30:00Z"):
        cli(breach_project, "incidents", "build", "2027-001")
    assert send(breach_project, controller, "2027-03-27T10:35:00Z").exit_code == 0
    ledger = open_ledger(breach_project)
    # Pin the acceptances around the deadline (a real send would be refused as built before
    # today). Detected 27 March 10:00 CET = 09:00 UTC; the clocks go forward on 28 March, so
    # the clock reads 10:00 again at 29 March 08:00 UTC, after 47 real hours: that comes first.
    ledger.conn.execute("UPDATE notices SET sent_at='2027-03-29T08:00:01Z' WHERE customer_id="
                        "'C-0003'")
    ledger.conn.execute("UPDATE notices SET sent_at='2027-03-29T07:30:00Z' WHERE customer_id="
                        "'C-0001'")
    ledger.conn.commit()
    out = cli(breach_project, "incidents", "status", "2027-001")
    assert "C-0001     initial  sent     2027-03-29T07:30:00Z  within 48 h" in out
    assert "C-0003     initial  sent     2027-03-29T08:00:01Z  LATE" in out
    assert "2 notice(s): 2 sent, 1 late" in out
    with freeze_time("2027-03-30T09:00:00Z"):
        plan = CliRunner().invoke(main, ["incidents", "plan", "2027-001"],
                                  env={"ASSEMBLER_ROOT": str(breach_project)})
    assert plan.exit_code == 0  # everyone notified, one of them late: nothing left to send
    assert "1 notified, 1 notified_late" in plan.output


def test_send_dry_run_lists_each_phase_and_sends_nothing(breach_project: Path, smtp) -> None:  # type: ignore[no-untyped-def]
    controller, handler = smtp
    with freeze_time("2027-03-27T10:30:00Z"):
        cli(breach_project, "incidents", "build", "2027-001")
        before = cli(breach_project, "incidents", "status", "2027-001", "--format", "json")
    with freeze_time("2027-03-27T10:35:00Z"):  # the day it was built: the real send sends them
        result = CliRunner().invoke(main, ["incidents", "send", "2027-001", "--dry-run"],
                                    env={"ASSEMBLER_ROOT": str(breach_project),
                                         **smtp_env(controller)})
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert [line.split(" <")[0] for line in lines[:2]] == [
        "initial: would send C-0001 to kim1@example.nl", "initial: would send C-0003 to kim3@example.nl"]
    assert lines[2] == (f"initial: dry run: 2 notice(s) would be sent via 127.0.0.1:{controller.port}; "
                        "0 already sent; nothing was sent")
    assert handler.received == []
    with freeze_time("2027-03-27T10:30:00Z"):
        assert cli(breach_project, "incidents", "status", "2027-001", "--format", "json") == before


def test_send_without_a_build_says_what_to_do(breach_project: Path, smtp) -> None:  # type: ignore[no-untyped-def]
    controller, handler = smtp
    result = send(breach_project, controller, "2027-03-27T10:35:00Z")
    assert result.exit_code == 2
    assert "no notices of incident 2027-001 built yet: run `assembler incidents build 2027-001`" \
        in result.output
    assert handler.received == []


@pytest.mark.parametrize("phase", ["update", "final"])
def test_notice_texts_per_phase(breach_project: Path, phase: str) -> None:
    from tests.notices.conftest import open_ledger
    with freeze_time("2027-03-27T10:30:00Z"):
        cli(breach_project, "incidents", "build", "2027-001")
    ledger = open_ledger(breach_project)  # accepted (sending is tested above): updates may follow
    ledger.conn.execute("UPDATE notices SET state='sent', sent_at='2027-03-27T10:31:00Z'")
    ledger.conn.commit()
    with freeze_time("2027-03-28T09:00:00Z"):
        cli(breach_project, "incidents", "build", "2027-001", "--phase", phase)
    text = " ".join(pdf_text(breach_project / OUT / phase /
                             f"datalek-2027-001-{phase}-C-0001.pdf").split())
    if phase == "final":
        assert "Met deze slotmelding ronden wij onze meldingen af" in text
        assert "Hieronder staat wat ons onderzoek heeft vastgesteld." in text
        assert "Dit is onze laatste melding over dit datalek." in text
        # Nothing more will follow: what is still unknown was not established, not "nog niet".
        for expected in ["wanneer het is beëindigd, kon niet worden vastgesteld.",
                         "Hoeveel persoonsgegevensregisters het betreft, kon niet worden "
                         "vastgesteld.",
                         "Wat de waarschijnlijke gevolgen zijn, kon niet worden vastgesteld.",
                         "Niet vastgesteld Wat niet kon worden vastgesteld: welke categorieën"]:
            assert expected in text, expected
        assert "nog niet" not in text and "onderzoeken wij nog" not in text
        assert "eindbeeld" not in text
    else:
        assert "Wij informeren u opnieuw uiterlijk 30 maart 2027 om 12.00 uur" in text
        assert "Hoeveel persoonsgegevensregisters het betreft, weten wij nog niet." in text
        assert "kon niet worden vastgesteld" not in text


def test_a_former_customer_whose_data_we_still_hold_is_planned_built_and_sent(  # type: ignore[no-untyped-def]
        breach_project: Path, smtp) -> None:
    """Both gespreksopname customers' agreements ended on 2 February 2027; C-0001's data were
    destroyed on 1 March (art. 11.1), C-0003's were still held when the breach began on 26 March."""
    controller, handler = smtp
    with freeze_time("2027-03-01T12:00:00Z"):
        for cid in ("C-0001", "C-0003"):
            cli(breach_project, "customers", "terminate", cid, "--received", "2027-02-01")
        cli(breach_project, "customers", "destruction-statement", "C-0001")
    with freeze_time("2027-03-27T10:30:00Z"):
        plan = cli(breach_project, "incidents", "plan", "2027-001")
        assert ("C-0003     on_time        -                     uses gespreksopname; agreement "
                "ended on 2027-02-02; data held until destroyed") in plan
        assert "C-0001" not in plan and "1 affected customer(s)" in plan
        assert "built 1 initial notice(s)" in cli(breach_project, "incidents", "build", "2027-001")
        dry = CliRunner().invoke(main, ["incidents", "send", "2027-001", "--dry-run"],
                                 env={"ASSEMBLER_ROOT": str(breach_project), **smtp_env(controller)})
    assert dry.exit_code == 0, dry.output
    assert dry.stdout.startswith("initial: would send C-0003 to kim3@example.nl")
    assert "would skip" not in dry.output and "1 notice(s) would be sent" in dry.stdout
    sent = send(breach_project, controller, "2027-03-27T10:35:00Z")
    assert sent.exit_code == 0, sent.output
    assert "notice not sent" not in sent.output
    assert "initial: sent 1 notice(s), 0 failed" in sent.output
    assert [m.rcpt_tos for m in handler.received] == [["kim3@example.nl"]]
    held = ("gebruikmaakte van de dienst Gespreksopname, waarop het datalek betrekking heeft. De "
            "Verwerkersovereenkomst is met ingang van 2 februari 2027 geëindigd, maar de "
            "persoonsgegevens die wij voor u verwerkten, hadden wij toen het datalek begon nog niet "
            "vernietigd (artikel 11.1); het datalek betreft daarom ook uw gegevens.")
    letter = breach_project / OUT / "initial" / "datalek-2027-001-initial-C-0003.pdf"
    assert held in " ".join(pdf_text(letter).replace("\u00a0", " ").split())
    mail = message_from_bytes(handler.received[0].content, policy=policy.default)
    body = mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert held in " ".join(body.split())
