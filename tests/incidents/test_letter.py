"""The art. 7.3 (I) content of a breach letter: which categories of data and of data subjects."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import pytest
from freezegun import freeze_time

from assembler.agreement.project import Project
from assembler.incidents.data_concerned import in_sentence
from assembler.incidents.deadline import AMSTERDAM
from assembler.incidents.letter import BreachParts, breach_parts, breach_texts
from assembler.incidents.record import Catalogue as Known
from assembler.incidents.record import read_incident
from assembler.model import Catalogue, CatalogueItem, Phase, Service, Source
from tests.incidents.conftest import RECORD, write_record
from tests.incidents.test_notices import OUT, cli, pdf_text
from tests.notices.conftest import customer

HERE = Source("bijlage-1.toml", 1)
# Recordings concern other data and other people than the SIP trunk: a catalogue that shows it.
CATALOGUE = Catalogue(
    services=(Service("sip-trunk", "SIP-trunk"), Service("gespreksopname", "Gespreksopname")),
    data_categories=(CatalogueItem("naw", "NAW-gegevens", ("sip-trunk", "gespreksopname"), HERE),
                     CatalogueItem("email", "E-mailadres", ("sip-trunk",), HERE),
                     CatalogueItem("opname", "Gespreksopnamen", ("gespreksopname",), HERE)),
    data_subjects=(CatalogueItem("klanten", "Klanten", ("sip-trunk", "gespreksopname"), HERE),
                   CatalogueItem("bellers", "Bellers", ("gespreksopname",), HERE)),
    path="bijlage-1.toml")


def _parts(project_dir: Path, record: str, phase: Phase = "initial") -> BreachParts:
    agreement = Project(project_dir).resolve().agreement
    known = Known(services={"gespreksopname", "sip-trunk"}, categories={"naw", "email", "opname"},
                  customers={"C-0001", "C-0002"})
    incident = read_incident(write_record(project_dir, record), known)
    parts = breach_parts(agreement, incident, phase,
                         dt.datetime(2027, 3, 27, 11, tzinfo=AMSTERDAM), "privacy@example.nl")
    return replace(parts, catalogue=CATALOGUE,
                   services={c.id: c.label for c in CATALOGUE.services},
                   categories={c.id: c.label for c in CATALOGUE.data_categories})


def _data(parts: BreachParts, services: tuple[str, ...]) -> list[str]:
    texts = breach_texts(parts, customer(1, services=services))
    sections = texts["sections"]
    assert isinstance(sections, list)
    return [*sections[1]["paragraphs"][:2], str(texts["unknown"])]


RECORDINGS_MAY = ("Welke categorieën persoonsgegevens precies zijn getroffen, onderzoeken wij nog. "
                  "Bij de dienst Gespreksopname verwerken wij voor u de volgende categorieën "
                  "persoonsgegevens: NAW-gegevens en gespreksopnamen.")
RECORDING_SUBJECTS_MAY = (
    "Tot welke categorieën de getroffen betrokkenen precies behoren, onderzoeken wij nog. Bij de "
    "dienst Gespreksopname verwerken wij voor u gegevens van de volgende categorieën betrokkenen: "
    "klanten en bellers.")


@pytest.mark.parametrize(("change", "services", "expected"), [
    # services only: what they process is what may have leaked, not what did
    ({}, ("gespreksopname", "sip-trunk"), [RECORDINGS_MAY, RECORDING_SUBJECTS_MAY]),
    ({'services = ["gespreksopname"]': 'services = ["sip-trunk"]'}, ("sip-trunk",), [
        "Welke categorieën persoonsgegevens precies zijn getroffen, onderzoeken wij nog. Bij de "
        "dienst SIP-trunk verwerken wij voor u de volgende categorieën persoonsgegevens: "
        "NAW-gegevens en e-mailadres.",
        "Het datalek betreft de categorie betrokkenen: klanten."]),  # the only one possible
    # a service and its categories: those, stated
    ({"categories = []": 'categories = ["opname"]'}, ("gespreksopname", "sip-trunk"), [
        "Het datalek betreft de categorie persoonsgegevens: gespreksopnamen.",
        RECORDING_SUBJECTS_MAY]),
    ({'services = ["gespreksopname"]': "services = []", "categories = []":
      'categories = ["email"]'}, ("sip-trunk", "gespreksopname"), [  # categories only: those
        "Het datalek betreft de categorie persoonsgegevens: e-mailadres.",
        "Het datalek betreft de categorie betrokkenen: klanten."]),
    ({'services = ["gespreksopname"]': "services = []", "customers = []":
      'customers = ["C-0001"]'}, ("sip-trunk",), [  # named only: said plainly
        "Welke categorieën persoonsgegevens precies zijn getroffen, weten wij nog niet.",
        "Tot welke categorieën de getroffen betrokkenen precies behoren, weten wij nog niet."]),
])
def test_letter_names_the_categories_of_data_and_of_data_subjects(
        project_dir: Path, change: dict[str, str], services: tuple[str, ...],
        expected: list[str]) -> None:
    record = RECORD
    for old, new in change.items():
        record = record.replace(old, new)
    data = _data(_parts(project_dir, record), services)
    assert data[:2] == expected
    assert ("welke categorieën persoonsgegevens precies zijn getroffen" in data[2]) == \
        expected[0].startswith("Welke")


def test_the_final_notice_says_what_could_not_be_established(project_dir: Path) -> None:
    data = _data(_parts(project_dir, RECORD, "final"), ("gespreksopname",))
    assert data[0].startswith("Welke categorieën persoonsgegevens precies zijn getroffen, kon niet "
                              "worden vastgesteld. Bij de dienst Gespreksopname verwerken wij")
    assert data[2].startswith("Wat niet kon worden vastgesteld: welke categorieën "
                              "persoonsgegevens precies zijn getroffen, ")
    assert "nog" not in " ".join(data)


def test_the_built_letter_names_them_from_the_real_catalogue(breach_project: Path) -> None:
    with freeze_time("2027-03-27T10:30:00Z"):
        cli(breach_project, "incidents", "build", "2027-001")
    raw = pdf_text(breach_project / OUT / "initial" / "datalek-2027-001-initial-C-0001.pdf")
    assert "27\xa0maart\xa02027" in raw  # no line of the letter breaks inside its date
    text = " ".join(raw.split())
    assert "Het datalek betreft de categorieën persoonsgegevens" not in text
    assert ("Welke categorieën persoonsgegevens precies zijn getroffen, onderzoeken wij nog. Bij "
            "de dienst Gespreksopname verwerken wij voor u de volgende categorieën "
            "persoonsgegevens: NAW-gegevens, telefoonnummer, e-mailadres, financiële gegevens, "
            "bedrijfsnaam, wachtwoord en belhistorie.") in text
    assert "Het datalek betreft de categorie betrokkenen: klanten." in text


@pytest.mark.parametrize(("label", "written"), [
    ("NAW-gegevens", "NAW-gegevens"), ("E-mailadres", "e-mailadres"), ("Belhistorie", "belhistorie"),
    ("Financiële gegevens", "financiële gegevens")])
def test_catalogue_labels_read_as_words_in_a_sentence(label: str, written: str) -> None:
    assert in_sentence(label) == written


HELD = (" De Verwerkersovereenkomst is met ingang van 2 februari 2027 geëindigd, maar de "
        "persoonsgegevens die wij voor u verwerkten, hadden wij toen het datalek begon nog niet "
        "vernietigd (artikel 11.1); het datalek betreft daarom ook uw gegevens.")


@pytest.mark.parametrize(("ended", "expected"), [
    (None, "U ontvangt deze melding omdat Voorbeeld 1 B.V. gebruikmaakt van de dienst Gespreksopname, "
           "waarop het datalek betrekking heeft."),
    (dt.date(2027, 2, 2), "U ontvangt deze melding omdat Voorbeeld 1 B.V. gebruikmaakte van de dienst "
                          "Gespreksopname, waarop het datalek betrekking heeft." + HELD),
])
def test_a_former_customer_is_told_why_the_breach_concerns_them(
        project_dir: Path, ended: dt.date | None, expected: str) -> None:
    parts = _parts(project_dir, RECORD)
    intro = breach_texts(parts, customer(1, services=("gespreksopname",)), ended)["intro"]
    assert isinstance(intro, list) and intro[-1] == expected


@pytest.mark.parametrize(("change", "expected"), [
    ({'services = ["gespreksopname"]': "services = []", "customers = []": 'customers = ["C-0001"]'},
     "U ontvangt deze melding omdat persoonsgegevens die wij voor u verwerkten bij het datalek "
     "betrokken zijn." + HELD),
    ({'services = ["gespreksopname"]': "services = []", "categories = []": 'categories = ["email"]'},
     "U ontvangt deze melding omdat wij voor Voorbeeld 1 B.V. persoonsgegevens verwerkten van de "
     "categorie e-mailadres, waarop het datalek betrekking heeft." + HELD),
])
def test_a_former_customer_reads_what_we_processed_in_the_past_tense(
        project_dir: Path, change: dict[str, str], expected: str) -> None:
    record = RECORD
    for old, new in change.items():
        record = record.replace(old, new)
    intro = breach_texts(_parts(project_dir, record), customer(1, services=("sip-trunk",)),
                         dt.date(2027, 2, 2))["intro"]
    assert isinstance(intro, list) and intro[-1] == expected


def test_a_former_customers_data_paragraph_says_what_the_service_processed(project_dir: Path) -> None:
    parts = _parts(project_dir, RECORD)
    texts = breach_texts(parts, customer(1, services=("gespreksopname",)), dt.date(2027, 2, 2))
    sections = texts["sections"]
    assert isinstance(sections, list)
    assert sections[1]["paragraphs"][0] == RECORDINGS_MAY.replace("verwerken wij", "verwerkten wij")
    current = breach_texts(parts, customer(1, services=("gespreksopname",)))["sections"]
    assert isinstance(current, list) and current[1]["paragraphs"][0] == RECORDINGS_MAY
