"""`check` lints the sub-processor register, each finding at its file and line."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

from assembler.agreement.project import Project
from assembler.workflow.check import run_check
from tests.conftest import ROOT, git

CONTRACT = "verwerkersovereenkomst"
REGISTER = f"contracts/{CONTRACT}/subverwerkers.toml"

ENTRY = '''
[[subverwerker]]
id = "{id}"
name = "Voorbeeld Opslag B.V."
registration = "KvK 87654321"
country = "NL"
locations = {locations}
purpose = "Opslag van back-ups"
services = {services}
categories = ["naw"]
transfer = "{transfer}"
added = {added}
effective = {effective}
'''


def entry(id: str = "voorbeeld-opslag", locations: str = '["NL"]', services: str = '["sip-trunk"]',
          transfer: str = "", added: str = "2026-12-01", effective: str = "2027-01-15") -> str:
    return ENTRY.format(id=id, locations=locations, services=services, transfer=transfer,
                        added=added, effective=effective)


def register_findings(project_dir: Path, base: str | None = None,
                      today: dt.date = dt.date(2026, 12, 1)) -> list[str]:
    findings = run_check(Project(project_dir), None, CONTRACT, base=base, today=today)
    return [str(f) for f in findings if f.path == REGISTER]


def write(project_dir: Path, text: str) -> None:
    (project_dir / REGISTER).write_text(text, encoding="utf-8")


def test_the_shipped_register_is_clean(project_dir: Path) -> None:
    assert register_findings(project_dir) == []


def test_unknown_ids_transfers_and_dates_are_named_with_their_line(project_dir: Path) -> None:
    write(project_dir, entry(services='["sip-trunk", "telepathie"]') +
          entry(id="voorbeeld-us", locations='["NL", "US"]') +
          entry(id="voorbeeld-laat", added="2027-02-01", effective="2027-01-15") +
          entry(id="voorbeeld-opslag"))
    assert register_findings(project_dir) == [
        f"{REGISTER}:9: error: voorbeeld-opslag: unknown service 'telepathie' (not in the catalogue)",
        f"{REGISTER}:20: error: voorbeeld-us: processes outside the EU/EEA (US) but names no transfer "
        "basis (art. 4.3): set transfer = one of adequaatheidsbesluit, SCC, BCR, EU-US DPF",
        f"{REGISTER}:39: error: voorbeeld-laat: effective 2027-01-15 is before added 2027-02-01",
        f"{REGISTER}:42: error: voorbeeld-opslag: id already used at line 3 (ids are never reused)",
    ]
    assert (project_dir / REGISTER).read_text().splitlines()[2] == 'id = "voorbeeld-opslag"'


def test_country_codes_are_checked_against_iso_3166(project_dir: Path) -> None:
    write(project_dir, entry().replace('country = "NL"', 'country = "XX"') +
          entry(id="voorbeeld-qq", locations='["NL", "QQ"]', transfer="SCC") +
          entry(id="voorbeeld-uk", locations='["UK"]', transfer="adequaatheidsbesluit") +
          entry(id="voorbeeld-gb", locations='["GB", "SS"]', transfer="adequaatheidsbesluit"))
    assert register_findings(project_dir) == [
        f"{REGISTER}:6: error: voorbeeld-opslag: 'XX' is not an ISO 3166-1 alpha-2 country code",
        f"{REGISTER}:20: error: voorbeeld-qq: 'QQ' is not an ISO 3166-1 alpha-2 country code",
        f"{REGISTER}:33: error: voorbeeld-uk: 'UK' is not an ISO 3166-1 alpha-2 country code",
    ]


def test_a_transfer_basis_satisfies_art_4_3(project_dir: Path) -> None:
    write(project_dir, entry(locations='["US"]', transfer="SCC"))
    assert register_findings(project_dir) == []
    write(project_dir, entry(locations='["US"]', transfer="handdruk"))
    assert register_findings(project_dir) == [
        f"{REGISTER}:11: error: voorbeeld-opslag: unknown transfer basis 'handdruk'; use one of "
        "adequaatheidsbesluit, SCC, BCR, EU-US DPF"]


def test_a_broken_entry_is_one_finding_at_its_field(project_dir: Path) -> None:
    write(project_dir, entry().replace('effective = 2027-01-15', 'effective = "15 januari"'))
    assert register_findings(project_dir) == [
        f"{REGISTER}:13: error: effective must be a date (2027-01-04, without quotes)"]


def test_base_check_wants_the_notice_period_for_an_addition(project_dir: Path) -> None:
    before = (project_dir / REGISTER).read_text(encoding="utf-8")
    write(project_dir, before + entry(effective="2026-12-20"))
    lines = len(before.splitlines())
    assert register_findings(project_dir, base="HEAD") == [
        f"{REGISTER}:{lines + 13}: error: voorbeeld-opslag: effective 2026-12-20 leaves less than 30 "
        "days' notice from 2026-12-01 (announce by 2026-11-20)"]
    write(project_dir, before + entry(effective="2026-12-31"))
    assert register_findings(project_dir, base="HEAD") == []  # exactly 30 days


def test_base_check_finds_a_reused_id(project_dir: Path) -> None:
    path = project_dir / REGISTER
    text = path.read_text(encoding="utf-8")
    write(project_dir, text.replace('added = 2021-03-01', 'added = 2021-02-01'))
    assert register_findings(project_dir, base="HEAD") == [
        f"{REGISTER}:38: error: voorbeeld-mobiel-netwerk: id reused (it was added on 2021-03-01 "
        "before); choose a new id"]


def test_check_fails_on_a_register_error(project_dir: Path) -> None:
    write(project_dir, entry(services='["telepathie"]'))
    git(project_dir, "add", "-A")
    result = subprocess.run([sys.executable, "-m", "assembler", "check"], cwd=project_dir,
                            capture_output=True, text=True, env={"PYTHONPATH": str(ROOT),
                                                                 "PATH": "/usr/bin:/bin"})
    assert result.returncode == 1
    assert f"{REGISTER}:9: error: voorbeeld-opslag: unknown service 'telepathie'" in result.stdout


def test_the_objection_window_runs_from_the_announcement_to_the_day_before_use() -> None:
    from assembler.subprocessors.lint import objection_deadline

    assert objection_deadline(dt.date(2027, 1, 11), dt.date(2026, 12, 1)) == dt.date(2027, 1, 10)
    assert objection_deadline(dt.date(2027, 1, 11), dt.date(2027, 1, 10)) == dt.date(2027, 1, 10)
    # on the list from the day it was used: no window, not one that closed the day before
    assert objection_deadline(dt.date(2020, 1, 1), dt.date(2020, 1, 1)) is None
