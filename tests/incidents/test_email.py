"""The breach notice e-mail: an HTML part with the plain part's content, the full signature."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner
from freezegun import freeze_time

from assembler.cli import main
from tests.incidents.conftest import RECORD, write_record
from tests.notices.email_parts import EmailParts, addresses, read_email, squash

OUT = Path("build") / "incidents" / "2027-001"
HEADINGS = ["Wat er is gebeurd", "Welke gegevens en hoeveel betrokkenen", "Waarschijnlijke gevolgen",
            "Genomen en voorgestelde maatregelen", "Nog niet bekend", "Contactpunt"]


def build(project_dir: Path, phase: str = "initial", at: str = "2027-03-27T10:30:00Z") -> None:
    with freeze_time(at):
        result = CliRunner().invoke(main, ["incidents", "build", "2027-001", "--phase", phase],
                                    env={"ASSEMBLER_ROOT": str(project_dir)})
    assert result.exit_code == 0, result.output


def eml(project_dir: Path, customer_id: str, phase: str = "initial") -> Path:
    return project_dir / OUT / phase / f"datalek-2027-001-{phase}-{customer_id}.eml"


def email_of(project_dir: Path, customer_id: str, phase: str = "initial") -> EmailParts:
    return read_email(eml(project_dir, customer_id, phase).read_bytes())


def test_the_html_part_has_every_heading_and_link_of_the_plain_part(breach_project: Path) -> None:
    build(breach_project)
    e = email_of(breach_project, "C-0003")
    subject = " ".join(str(e.mail["Subject"]).split())
    assert e.headings == [("h1", subject)] + [("h2", h) for h in HEADINGS]
    assert all(h in e.plain.splitlines() for h in HEADINGS)
    assert e.links == addresses(e.plain)
    assert "mailto:privacy@example.nl" in e.links  # the contact point
    assert "https://www.voipexpress.example.nl/verwerkersovereenkomst" in e.links  # the site
    assert e.html_text == squash(e.plain)  # the same words, nothing dropped or added


def test_the_signature_names_the_company_its_address_and_kvk(breach_project: Path) -> None:
    build(breach_project)
    e = email_of(breach_project, "C-0001")
    signature = e.plain.split("Met vriendelijke groet,\n", 1)[1].splitlines()
    assert signature[-5:] == ["VoIP Express (Focused2Create)", "Voorbeeldstraat 1, 1234 AB Amsterdam",
                              "KvK 58801944", "privacy@example.nl",
                              "https://www.voipexpress.example.nl/verwerkersovereenkomst"]
    assert "<br>".join(signature[-5:-2]) in e.html


def test_the_notice_names_labels_in_formal_dutch(breach_project: Path) -> None:
    write_record(breach_project, RECORD.replace('categories = []',
                                                'categories = ["naw", "belhistorie"]')
                 .replace('services = ["gespreksopname"]', "services = []"))
    build(breach_project)
    text = squash(email_of(breach_project, "C-0001").plain)
    assert "Het datalek betreft de categorieën persoonsgegevens: NAW-gegevens en belhistorie." in text
    assert "persoonsgegevens verwerken van de categorieën NAW-gegevens en belhistorie, waarop" in text
    assert " naw" not in text and '"naw"' not in text  # labels, not catalogue ids
    assert "Wilt u daarbij ons kenmerk DL-2027-001-C-0001 vermelden?" in text


def test_the_same_input_gives_the_same_eml_bytes(breach_project: Path) -> None:
    build(breach_project)
    first = eml(breach_project, "C-0001").read_bytes()
    build(breach_project)
    assert eml(breach_project, "C-0001").read_bytes() == first
    assert eml(breach_project, "C-0003").read_bytes() != first


def test_a_notice_rebuilt_later_gets_another_message_id(breach_project: Path) -> None:
    from email import message_from_bytes

    build(breach_project)
    first = message_from_bytes(eml(breach_project, "C-0001").read_bytes())
    build(breach_project, at="2027-03-27T11:15:00Z")
    again = message_from_bytes(eml(breach_project, "C-0001").read_bytes())
    assert (first["Date"], again["Date"]) == ("Sat, 27 Mar 2027 11:30:00 +0100",
                                              "Sat, 27 Mar 2027 12:15:00 +0100")
    assert first["Message-ID"] != again["Message-ID"]
    # incident, phase and customer read apart in the id: <breach.ID.PHASE.CUSTOMER.DIGEST@domain>
    assert re.fullmatch(r"<breach\.[\w-]+\.initial\.C-0001\.[0-9a-f]{12}@[\w.-]+>", first["Message-ID"])
