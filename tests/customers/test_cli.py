"""`assembler customers import|list|show|export` as a user runs them."""

from __future__ import annotations

import csv
import io
import json
import stat
from pathlib import Path

import pytest
from freezegun import freeze_time

from assembler.customers.registry import open_registry
from tests.customers.conftest import GOOD_ROW, HEADER, CliRun


def write(path: Path, *lines: str) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_import_list_show(cli: CliRun, registry_file: Path) -> None:
    result = cli("customers", "import", "customers.csv")
    assert result.exit_code == 0, result.output
    assert "28 added, 0 updated, 0 unchanged; 28 in the registry" in result.stdout
    assert stat.S_IMODE(registry_file.stat().st_mode) == 0o600
    listing = cli("customers", "list").stdout.splitlines()
    assert len(listing) == 28
    assert listing[0].startswith("C-1001  1.0    active       Bakkerij Van 't Hof  [hosted-telefonie, nummerportering]")
    shown = cli("customers", "show", "C-1042").stdout
    assert "company_name        Bakkerij De Gouden Korrel B.V." in shown
    assert "services            hosted-telefonie;sip-trunk;mobiel;gespreksopname" in shown
    data = json.loads(cli("customers", "show", "C-1003", "--format", "json").stdout)
    assert data["company_name"] == 'Installatiebedrijf "De Vakman" B.V.'


def test_show_unknown_customer(cli: CliRun) -> None:
    cli("customers", "import", "customers.csv")
    result = cli("customers", "show", "C-9")
    assert result.exit_code == 2
    assert result.stderr.startswith("assembler: error: unknown customer 'C-9'")
    assert "Traceback" not in result.output


def test_one_bad_row_imports_nothing(cli: CliRun, project_dir: Path, registry_file: Path) -> None:
    cli("customers", "import", "customers.csv")
    before = registry_file.read_bytes()
    bad = write(project_dir / "bad.csv", HEADER,
                GOOD_ROW.replace("C-2001", "C-1001").replace("Voorbeeld B.V.", "Overschreven"),
                GOOD_ROW.replace("12345678", "1234").replace("1234 AB", "1234 SS"))
    result = cli("customers", "import", str(bad))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{bad}:3: column kvk: '1234' is not a KvK number (exactly 8 digits)",
        f"{bad}:3: column postcode: '1234 SS' is not a Dutch postcode (the letters SA, SD and SS "
        "are not used)",
        f"assembler: error: {bad}: 1 invalid row(s); nothing imported (fix them, or import the "
        "valid rows with --skip-invalid)",
    ]
    with open_registry(registry_file) as reg:
        assert reg.customer("C-1001").company_name == "Bakkerij Van 't Hof"  # not overwritten
        assert reg.count() == 28
    assert registry_file.read_bytes() == before


@freeze_time("2026-12-01T10:00:00Z")
@pytest.mark.parametrize(("day", "reason"), [
    ("2027-06-01", "2027-06-01 is in the future (today is 2026-12-01, Europe/Amsterdam): import a "
                   "contract once it is signed"),
    ("2017-06-01", "2017-06-01 is before version 1.0 took effect (2018-05-25)")])
def test_a_signing_date_that_cannot_be_true_is_not_imported(cli: CliRun, project_dir: Path,
                                                            registry_file: Path, day: str,
                                                            reason: str) -> None:
    csv = write(project_dir / "signed.csv", HEADER, GOOD_ROW,
                GOOD_ROW.replace("C-2001", "C-2002").rsplit(",", 1)[0] + f",{day}")
    result = cli("customers", "import", str(csv))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == f"{csv}:3: column signed_on: {reason}"
    assert "nothing imported" in result.stderr and "Traceback" not in result.output
    assert not registry_file.exists()  # refused before anything was stored
    assert cli("customers", "show", "C-2002").exit_code == 2


def test_skip_invalid_imports_the_valid_rows(cli: CliRun, project_dir: Path) -> None:
    bad = write(project_dir / "mixed.csv", HEADER, GOOD_ROW,
                GOOD_ROW.replace("C-2001", "C-2002").replace("sip-trunk", "internet"))
    result = cli("customers", "import", "--skip-invalid", str(bad))
    assert result.exit_code == 0
    assert f"{bad}:3: column services: unknown service 'internet'" in result.stderr
    assert "1 added, 0 updated, 0 unchanged, 1 invalid row(s) skipped" in result.stdout
    assert cli("customers", "show", "C-2001").exit_code == 0
    assert cli("customers", "show", "C-2002").exit_code == 2


def test_a_broken_header_imports_nothing_even_with_skip_invalid(cli: CliRun, project_dir: Path) -> None:
    bad = write(project_dir / "h.csv", HEADER.replace("kvk", "kvk_nummer"), GOOD_ROW)
    result = cli("customers", "import", "--skip-invalid", str(bad))
    assert result.exit_code == 1
    assert f"{bad}:1: column kvk: missing from the header" in result.stderr
    assert result.stderr.splitlines()[-1] == (f"assembler: error: {bad}: the header line is not "
                                              "usable; nothing imported (fix the header)")
    assert "--skip-invalid" not in result.stderr  # it was given, and cannot help a header


def test_reimport_updates_by_customer_id(cli: CliRun, project_dir: Path) -> None:
    first = write(project_dir / "a.csv", HEADER, GOOD_ROW)
    assert cli("customers", "import", str(first)).exit_code == 0
    second = write(project_dir / "b.csv", HEADER, GOOD_ROW.replace("Utrecht", "Zwolle"))
    result = cli("customers", "import", str(second))
    assert "0 added, 1 updated, 0 unchanged; 1 in the registry" in result.stdout
    assert json.loads(cli("customers", "show", "C-2001", "--format", "json").stdout)["city"] == "Zwolle"


def test_not_utf8_is_reported(cli: CliRun, project_dir: Path) -> None:
    path = project_dir / "latin1.csv"
    path.write_bytes((HEADER + "\n" + GOOD_ROW.replace("Voorbeeld", "Caf\xe9") + "\n").encode("latin-1"))
    result = cli("customers", "import", str(path))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"assembler: error: {path}: not UTF-8")


def test_export_csv_reimports_unchanged(cli: CliRun, project_dir: Path) -> None:
    cli("customers", "import", "customers.csv")
    exported = cli("customers", "export").stdout
    rows = list(csv.DictReader(io.StringIO(exported)))
    assert len(rows) == 28 and rows[0]["customer_id"] == "C-1001"
    out = project_dir / "export.csv"
    assert cli("customers", "export", "-o", str(out)).exit_code == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert out.read_text(encoding="utf-8") == exported
    result = cli("customers", "import", str(out))
    assert "0 added, 0 updated, 28 unchanged" in result.stdout
    as_json = json.loads(cli("customers", "export", "--format", "json").stdout)
    assert [r["customer_id"] for r in as_json] == [r["customer_id"] for r in rows]
    assert "customer_id: C-1042" in cli("customers", "export", "--format", "text").stdout


def test_default_registry_and_environment_variable(cli: CliRun, project_dir: Path, tmp_path: Path,
                                                   monkeypatch) -> None:
    assert cli("customers", "import", "customers.csv", registry=None).exit_code == 0
    default = project_dir / "var" / "registry.sqlite3"
    assert stat.S_IMODE(default.stat().st_mode) == 0o600
    assert stat.S_IMODE(default.parent.stat().st_mode) == 0o700
    env_path = tmp_path / "env-registry.sqlite3"
    monkeypatch.setenv("ASSEMBLER_REGISTRY", str(env_path))
    refused = cli("customers", "list", registry=None)
    assert (refused.exit_code, refused.stderr) == (2, f"assembler: error: no registry at {env_path}; "
                                                      "import customers first with `assembler "
                                                      "customers import`\n")
    assert not env_path.exists()
    assert cli("customers", "import", "customers.csv", registry=None).exit_code == 0
    assert env_path.exists()
    assert cli("customers", "list", registry=None).stdout.startswith("C-1001 ")


@pytest.mark.parametrize("args", [("customers", "list"), ("customers", "show", "C-1001"),
                                  ("customers", "export"), ("customers", "dossier", "C-1001", "-o", "d"),
                                  ("build", "--customer", "C-1001"), ("notices", "plan", "1.0")])
def test_a_missing_registry_is_refused_not_created(cli: CliRun, tmp_path: Path,
                                                  args: tuple[str, ...]) -> None:
    typo = tmp_path / "nonexistent" / "dir" / "reg.sqlite3"
    result = cli(*args, registry=typo)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert result.stderr == (f"assembler: error: no registry at {typo}; import customers first "
                             "with `assembler customers import`\n")
    assert not (tmp_path / "nonexistent").exists()  # no folders, no SQLite file


def test_the_default_registry_is_refused_when_missing(cli: CliRun, project_dir: Path) -> None:
    result = cli("customers", "list", registry=None)
    default = project_dir / "var" / "registry.sqlite3"
    assert result.exit_code == 2
    assert f"no registry at {default}; import customers first" in result.stderr
    assert not default.exists()


def test_an_empty_registry_lists_no_customers(cli: CliRun, registry_file: Path) -> None:
    open_registry(registry_file).close()  # exists, holds no customer yet
    result = cli("customers", "list")
    assert result.exit_code == 0 and result.stdout.startswith("no customers yet")


def test_an_id_in_the_registry_in_another_case_is_refused(cli: CliRun, project_dir: Path) -> None:
    assert cli("customers", "import", str(write(project_dir / "a.csv", HEADER, GOOD_ROW))).exit_code == 0
    lower = write(project_dir / "b.csv", HEADER, GOOD_ROW.replace("C-2001", "c-2001"))
    result = cli("customers", "import", str(lower))
    assert result.exit_code == 1
    assert ("customer id 'c-2001' differs only in case from 'C-2001' in the registry" in result.stderr)
    assert "1 in the registry" not in result.stdout


@freeze_time("2026-12-01T10:00:00Z")
def test_list_and_show_as_csv_carry_the_version_in_force_and_the_status(cli: CliRun) -> None:
    cli("customers", "import", "customers.csv")
    assert cli("customers", "terminate", "C-1003", "--received", "2026-11-20").exit_code == 0
    listed = cli("customers", "list", "--format", "csv")
    assert listed.exit_code == 0, listed.output
    rows = list(csv.DictReader(io.StringIO(listed.stdout)))
    as_json = json.loads(cli("customers", "list", "--format", "json").stdout)
    assert len(rows) == len(as_json) == 28
    for row, record in zip(rows, as_json, strict=True):
        in_force = record["in_force"] or {"version": "", "since": "", "basis": ""}
        assert (row["in_force.version"], row["in_force.since"], row["in_force.basis"],
                row["status"]) == (in_force["version"], in_force["since"], in_force["basis"],
                                   record["status"])
    by_id = {r["customer_id"]: r for r in rows}
    assert (by_id["C-1001"]["in_force.version"], by_id["C-1001"]["status"]) == ("1.0", "active")
    assert (by_id["C-1003"]["in_force.version"], by_id["C-1003"]["status"]) == ("", "terminated")
    shown = list(csv.DictReader(io.StringIO(cli("customers", "show", "C-1001", "--format",
                                                "csv").stdout)))
    assert [(r["customer_id"], r["in_force.version"], r["in_force.basis"], r["status"])
            for r in shown] == [("C-1001", "1.0", "signed", "active")]
