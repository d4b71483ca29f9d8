"""The sub-processor notice e-mail: an HTML part with the plain part's content, the full signature."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from freezegun import freeze_time

from assembler.cli import main
from tests.notices.conftest import add_customers, customer
from tests.notices.email_parts import EmailParts, addresses, read_email, squash

CHANGE = "voorbeeld-transcriptie"
FOLDER = Path("build") / "notices" / "subverwerkers" / CHANGE
HEADINGS = ["De nieuwe sub-verwerker", "Bezwaar maken", "De volledige lijst", "Vragen"]
LIST_URL = "https://www.voipexpress.example.nl/verwerkersovereenkomst/subverwerkers/"


@pytest.fixture
def built(project_dir: Path) -> Path:
    """Two customers with the change's service, their notices built on 1 december 2026."""
    add_customers(project_dir, [customer(1, services=("gespreksopname",)),
                                customer(3, services=("hosted-telefonie", "gespreksopname"))])
    build(project_dir)
    return project_dir


def build(project_dir: Path, at: str = "2026-12-01 09:00:00") -> None:
    with freeze_time(at):
        result = CliRunner().invoke(main, ["subprocessors", "build", CHANGE],
                                    env={"ASSEMBLER_ROOT": str(project_dir)})
    assert result.exit_code == 0, result.output


def eml(project_dir: Path, customer_id: str) -> Path:
    return project_dir / FOLDER / customer_id / f"SUB-{CHANGE}-{customer_id}.eml"


def email_of(project_dir: Path, customer_id: str) -> EmailParts:
    return read_email(eml(project_dir, customer_id).read_bytes())


def test_the_html_part_has_every_heading_and_link_of_the_plain_part(built: Path) -> None:
    e = email_of(built, "C-0003")
    subject = " ".join(str(e.mail["Subject"]).split())
    assert e.headings == [("h1", subject)] + [("h2", h) for h in HEADINGS]
    plain_lines = e.plain.splitlines()
    assert all(h in plain_lines for h in HEADINGS)  # each on a line of its own in the plain part
    assert LIST_URL in e.plain and "mailto:privacy@example.nl" in addresses(e.plain)
    assert e.links == addresses(e.plain)
    assert f'<a href="{LIST_URL}">{LIST_URL}</a>' in e.html
    assert '<a href="mailto:privacy@example.nl">privacy@example.nl</a>' in e.html
    assert "<li>Bezwaar mogelijk tot en met: 10 januari 2027</li>" in e.html
    assert e.html_text == squash(e.plain)  # the same words, nothing dropped or added


def test_the_signature_names_the_company_its_address_and_kvk(built: Path) -> None:
    e = email_of(built, "C-0001")
    signature = e.plain.split("Met vriendelijke groet,\n", 1)[1].splitlines()
    assert signature[-5:] == ["VoIP Express (Focused2Create)", "Voorbeeldstraat 1, 1234 AB Amsterdam",
                              "KvK 58801944", "privacy@example.nl",
                              "https://www.voipexpress.example.nl/verwerkersovereenkomst"]
    assert ("<br>".join(["VoIP Express (Focused2Create)", "Voorbeeldstraat 1, 1234 AB Amsterdam",
                         "KvK 58801944"])) in e.html


def test_the_notice_is_formal_dutch_with_labels_and_dutch_dates(built: Path) -> None:
    text = squash(email_of(built, "C-0003").plain)
    assert "Hierbij delen wij u, zoals artikel 4.1 van de Verwerkersovereenkomst voorschrijft, " \
           "mee dat VoIP Express (Focused2Create) vanaf 11 januari 2027 een nieuwe sub-verwerker " \
           "inschakelt." in text
    assert "voor de dienst Gespreksopname die Voorbeeld 3 B.V. bij ons afneemt" in text
    assert "U kunt tot en met 10 januari 2027 bezwaar maken tegen de inschakeling van deze " \
           "sub-verwerker." in text
    assert "gespreksopname die" not in text and "2027-01" not in text  # labels, Dutch dates


def test_the_same_input_gives_the_same_eml_bytes(built: Path) -> None:
    first = {cid: eml(built, cid).read_bytes() for cid in ("C-0001", "C-0003")}
    build(built)
    assert {cid: eml(built, cid).read_bytes() for cid in first} == first
    assert first["C-0001"] != first["C-0003"]


def test_a_message_rebuilt_later_is_another_message_with_another_message_id(built: Path) -> None:
    from email import message_from_bytes

    first = message_from_bytes(eml(built, "C-0001").read_bytes())
    build(built, "2026-12-01 13:47:00")  # rebuilt that afternoon: its Date says so
    again = message_from_bytes(eml(built, "C-0001").read_bytes())
    assert (first["Date"], again["Date"]) == ("Tue, 01 Dec 2026 10:00:00 +0100",
                                              "Tue, 01 Dec 2026 14:47:00 +0100")
    assert first["Message-ID"] != again["Message-ID"]  # RFC 5322 3.6.4: one id, one message
