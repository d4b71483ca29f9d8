"""The incident record: written by `incidents new`, checked with path:line."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner
from freezegun import freeze_time

from assembler.cli import main
from assembler.errors import IncidentError, UsageError
from assembler.incidents.deadline import AMSTERDAM
from assembler.incidents.record import Catalogue, new_incident, read_incident
from tests.incidents.conftest import RECORD, write_record

KNOWN = Catalogue(services={"gespreksopname", "sip-trunk"}, categories={"belhistorie"},
                  customers={"C-0001"})


def test_reads_the_record_as_amsterdam_time(tmp_path: Path) -> None:
    incident = read_incident(write_record(tmp_path), KNOWN)
    assert incident.detected_at == dt.datetime(2027, 3, 27, 10, tzinfo=AMSTERDAM)
    assert incident.services == ("gespreksopname",)
    assert incident.subjects.count == 1200 and incident.subjects.precision == "estimated"
    assert incident.records.count is None and incident.records.precision == "unknown"
    assert incident.occurred_to is None


@pytest.mark.parametrize(("old", "new", "line", "message"), [
    ('services = ["gespreksopname"]', 'services = ["gesprekopname"]', 5,
     "services 'gesprekopname' not in the catalogue"),
    ("detected_at = 2027-03-27T10:00:00", 'detected_at = "morgen"', 2,
     "'detected_at' must be a local date and time"),
    ('precision = "estimated" }', 'precision = "roughly" }', 8, "'subjects' must be"),
    ('contact = "Functionaris gegevensbescherming, privacy@example.nl"', 'contact = ""', 12,
     "'contact' is empty"),
    ('customers = []', 'customers = ["C-9999"]', 7, "customers 'C-9999' not in the registry"),
    ('id = "2027-001"', 'id = "2027-002"', 1, "differs from the file's name"),
])
def test_errors_name_the_file_and_line(tmp_path: Path, old: str, new: str, line: int,
                                       message: str) -> None:
    path = write_record(tmp_path, RECORD.replace(old, new))
    with pytest.raises(IncidentError) as info:
        read_incident(path, KNOWN)
    assert info.value.line == line
    assert str(info.value).startswith(f"{path}:{line}: ")
    assert message in str(info.value)


def test_someone_must_be_affected(tmp_path: Path) -> None:
    path = write_record(tmp_path, RECORD.replace('["gespreksopname"]', "[]"))
    with pytest.raises(IncidentError, match="say who is affected"):
        read_incident(path, KNOWN)


@freeze_time("2027-03-27T09:03:41Z")
def test_new_writes_a_template_detected_now_and_never_overwrites(tmp_path: Path) -> None:
    path = new_incident(tmp_path, "2027-007", dt.datetime.now(dt.UTC), "privacy@example.nl")
    assert path == tmp_path / "var" / "incidents" / "2027-007.toml"
    text = path.read_text(encoding="utf-8")
    assert "detected_at = 2027-03-27T10:03:00" in text  # CET, to the minute
    assert path.stat().st_mode & 0o777 == 0o600
    with pytest.raises(UsageError, match="already exists"):
        new_incident(tmp_path, "2027-007", dt.datetime.now(dt.UTC), "privacy@example.nl")
    with pytest.raises(UsageError, match="not an incident id"):
        new_incident(tmp_path, "../etc", dt.datetime.now(dt.UTC), "x@example.nl")


def test_check_command_reports_path_line_and_exits_non_zero(
        breach_project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSEMBLER_ROOT", str(breach_project))
    ok = CliRunner().invoke(main, ["incidents", "check", "2027-001"])
    assert ok.exit_code == 0, ok.output
    assert "ok: detected 2027-03-27 10:00 CET" in ok.output
    write_record(breach_project, RECORD.replace("gespreksopname\"]", "faxen\"]"))
    bad = CliRunner().invoke(main, ["incidents", "check", "2027-001"])
    assert bad.exit_code == 1
    assert "2027-001.toml:5: services 'faxen' not in the catalogue" in bad.output
    assert "Traceback" not in bad.output
