"""The incident record: written by `incidents new`, checked with path:line."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner
from freezegun import freeze_time

from assembler.agreement.project import Project
from assembler.cli import main
from assembler.errors import IncidentError, UsageError
from assembler.incidents.deadline import AMSTERDAM
from assembler.incidents.record import Catalogue, new_incident, read_incident
from tests.conftest import ROOT
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


def test_the_demos_fixture_is_a_valid_record_below_an_id_and_detected_at(tmp_path: Path) -> None:
    fixture = (Path(__file__).resolve().parents[2] / "examples" / "incident.toml").read_text("utf-8")
    path = write_record(tmp_path, 'id = "2027-001"\ndetected_at = 2027-03-27T10:00:00\n' + fixture)
    catalogue = Project(ROOT).resolve().agreement.catalogue  # the real Bijlage 1 vocabulary
    known = Catalogue({s.id for s in catalogue.services},
                      {c.id for c in catalogue.data_categories}, set())
    incident = read_incident(path, known, NOW)
    assert incident.services == ("gespreksopname",) and incident.consequences == ""
    assert incident.categories == ("telefoonnummer", "belhistorie")
    assert "privacy@example.nl" in incident.contact


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


def test_occurred_to_before_occurred_from_is_refused_at_its_line(tmp_path: Path) -> None:
    path = write_record(tmp_path, RECORD.replace(
        "occurred_from = 2027-03-26T22:00:00",
        "occurred_from = 2027-03-26T22:00:00\noccurred_to = 2027-03-26T21:59:00"))
    with pytest.raises(IncidentError) as info:
        read_incident(path, KNOWN)
    assert str(info.value) == f"{path}:4: occurred_to is before occurred_from"


NOW = dt.datetime(2027, 3, 27, 10, 30, tzinfo=AMSTERDAM)


@pytest.mark.parametrize(("old", "new", "line"), [
    ("detected_at = 2027-03-27T10:00:00", "detected_at = 2027-03-27T10:31:00", 2),
    ("occurred_from = 2027-03-26T22:00:00", "occurred_from = 2027-03-28T22:00:00", 3),
    ("occurred_from = 2027-03-26T22:00:00",
     "occurred_from = 2027-03-26T22:00:00\noccurred_to = 2027-03-27T11:00:00", 4),
])
def test_a_moment_in_the_future_is_refused_at_its_line(tmp_path: Path, old: str, new: str,
                                                        line: int) -> None:
    path = write_record(tmp_path, RECORD.replace(old, new))
    key = new.split("\n")[-1].split(" =")[0]
    with pytest.raises(IncidentError) as info:
        read_incident(path, KNOWN, NOW)
    assert str(info.value).startswith(f"{path}:{line}: {key} ")
    assert "is in the future (now 2027-03-27 10:30 CET)" in str(info.value)
    read_incident(path, KNOWN)  # without the clock (send, status) the record still reads


def test_detected_at_this_minute_is_not_the_future(tmp_path: Path) -> None:
    path = write_record(tmp_path, RECORD.replace("T10:00:00", "T10:30:00"))
    assert read_incident(path, KNOWN, NOW).detected_at == NOW


def test_a_detection_in_the_repeated_autumn_hour_is_compared_in_real_time(tmp_path: Path) -> None:
    # 02:30 read as the first 02:30 (CEST, 00:30 UTC) came before 02:15 of the second round (CET,
    # 01:15 UTC), although the clock reads it later: not the future.
    path = write_record(tmp_path, RECORD.replace("2027-03-27T10:00:00", "2026-10-25T02:30:00")
                        .replace("2027-03-26T22:00:00", "2026-10-24T22:00:00"))
    now = dt.datetime(2026, 10, 25, 2, 15, fold=1, tzinfo=AMSTERDAM)
    assert read_incident(path, KNOWN, now).detected_at.strftime("%H:%M") == "02:30"


@pytest.mark.parametrize("command", ["check", "plan", "build"])
def test_check_plan_and_build_refuse_a_detection_in_the_future_on_the_real_clock(
        breach_project: Path, monkeypatch: pytest.MonkeyPatch, command: str) -> None:
    monkeypatch.setenv("ASSEMBLER_ROOT", str(breach_project))
    with freeze_time("2027-03-27T08:59:00Z"):  # 09:59 in Amsterdam, a minute before detected_at
        result = CliRunner().invoke(main, ["incidents", command, "2027-001"])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.output
    assert lines[0].endswith("2027-001.toml:2: detected_at 2027-03-27 10:00 is in the future "
                             "(now 2027-03-27 09:59 CET): a breach is recorded as it happened")
    assert not (breach_project / "build" / "incidents").exists()


@freeze_time("2027-03-27T10:30:00Z")
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
