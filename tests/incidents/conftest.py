"""Fixtures for data breaches: a project with customers and an incident record."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.notices.conftest import add_customers, customer, smtp  # noqa: F401 (fixture)

RECORD = """\
id = "2027-001"
detected_at = 2027-03-27T10:00:00
occurred_from = 2027-03-26T22:00:00
nature = "Onbevoegde toegang tot opgeslagen gespreksopnamen via een gelekt beheerwachtwoord."
services = ["gespreksopname"]
categories = []
customers = []
subjects = { count = 1200, precision = "estimated" }
records = { count = 5400, precision = "unknown" }
consequences = ""
measures = "Het beheerwachtwoord is ingetrokken en alle sessies zijn beëindigd."
contact = "Functionaris gegevensbescherming, privacy@example.nl"
next_update = "uiterlijk 30 maart 2027 om 12.00 uur"
"""


def write_record(project_dir: Path, text: str = RECORD, name: str = "2027-001") -> Path:
    """Write an incident record into the project's var/incidents/."""
    path = project_dir / "var" / "incidents" / f"{name}.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def breach_project(project_dir: Path) -> Path:
    """A project with four customers (two use gespreksopname, one signed after) and the record."""
    import datetime as dt

    add_customers(project_dir, [
        customer(1, services=("gespreksopname", "sip-trunk")),
        customer(2, services=("sip-trunk",)),
        customer(3, services=("gespreksopname",), contact_salutation="Geachte mevrouw Jansen"),
        customer(4, services=("gespreksopname",), signed_on=dt.date(2027, 4, 1)),
    ])
    write_record(project_dir)
    return project_dir
