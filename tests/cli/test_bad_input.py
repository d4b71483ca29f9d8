"""Bad input as a careless operator gives it: one line on stderr, non-zero exit, never a traceback."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from freezegun import freeze_time

from assembler.cli import main
from tests.conftest import ROOT
from tests.incidents.conftest import write_record
from tests.notices.conftest import add_customers, customer, frozen_clock_env, release_11


def _run(project: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if not k.startswith("ASSEMBLER_")}
    full.update({**frozen_clock_env(), "ASSEMBLER_ROOT": str(project),
                 "ASSEMBLER_REGISTRY": str(project / "var" / "registry.sqlite3"), **env})
    return subprocess.run([sys.executable, "-m", "assembler", *args], cwd=project, capture_output=True,
                          text=True, env=full, timeout=120)


def _one_line(proc: subprocess.CompletedProcess[str], says: str) -> None:
    assert proc.returncode != 0, proc.stdout
    assert "Traceback" not in proc.stderr, proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and says in lines[0], proc.stderr


@pytest.mark.parametrize("ref", ["HEAD:../../etc/passwd", "HEAD@{100}", "HEAD@{yesterday}"])
def test_odd_git_refs_are_unknown_refs(project_dir: Path, ref: str) -> None:
    _one_line(_run(project_dir, "show", ref), f"unknown version or ref {ref!r}")


def test_a_far_future_today_is_refused(project_dir: Path) -> None:
    proc = _run(project_dir, "check", "--today", "9999-11-30")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr  # a usage error, like any option
    assert proc.stderr.splitlines() == ["assembler: error: Invalid value for '--today': '9999-11-30' is "
                                        "not a day from 2000-01-01 to 2999-12-31 (see `assembler check -h`)"]


@pytest.mark.parametrize("toml, says", [
    ("[notices]\nemail_buffer_days = 99999999\n",
     "[notices] email_buffer_days must be a whole number from 0 to 30, not 99999999"),
    ("[notices]\nworkers = \"x\"\n", "[notices] workers must be a whole number from 0 to 64, not 'x'"),
    ("smtp = 5\n", "[smtp] must be a table"),
    ("[smtp]\ntimeout = nan\n", "[smtp] timeout must be a number from 0 to 600, not nan"),
    ("[smtp]\nsender = \"privacy@voipexprés.nl\"\n", "[smtp] sender must be a plain ASCII e-mail address"),
], ids=["huge-buffer", "workers-not-a-number", "smtp-not-a-table", "nan-timeout", "non-ascii-sender"])
def test_bad_config_values_are_one_line(project_dir: Path, toml: str, says: str) -> None:
    release_11(project_dir)
    add_customers(project_dir, [customer(1)])
    (project_dir / "assembler.toml").write_text(toml, encoding="utf-8")
    command = ("notices", "build", "1.1") if "workers" in toml or "buffer" in toml else (
        "notices", "send", "1.1")
    _one_line(_run(project_dir, *command), says)


def test_a_registry_locked_by_another_process_is_one_line(project_dir: Path) -> None:
    imported = _run(project_dir, "customers", "import", str(ROOT / "examples" / "customers.csv"))
    assert imported.returncode == 0, imported.stderr
    holder = sqlite3.connect(project_dir / "var" / "registry.sqlite3", isolation_level=None)
    try:
        holder.execute("BEGIN EXCLUSIVE")
        proc = _run(project_dir, "customers", "import", str(ROOT / "examples" / "customers.csv"))
    finally:
        holder.close()
    _one_line(proc, "registry.sqlite3: cannot store customers: database is locked")


@pytest.mark.parametrize("command", [("customers", "import", "/dev/zero"), ("verify", "/dev/zero")])
def test_endless_input_is_refused_by_size(project_dir: Path, command: tuple[str, ...]) -> None:
    _one_line(_run(project_dir, *command), "/dev/zero: larger than 50 MB: too large for")


def test_a_symlinked_clause_file_is_refused(project_dir: Path, tmp_path: Path) -> None:
    outside = tmp_path / "geheim.md"
    outside.write_text("# Artikel 12. Geheim\n\n12.1. Buiten de repository.\n", encoding="utf-8")
    (project_dir / "contracts" / "verwerkersovereenkomst" / "12-link.md").symlink_to(outside)
    _one_line(_run(project_dir, "check"), "12-link.md: is a symbolic link")


def test_a_registry_id_with_a_path_never_writes_outside_the_output_folder(project_dir: Path) -> None:
    imported = _run(project_dir, "customers", "import", str(ROOT / "examples" / "customers.csv"))
    assert imported.returncode == 0, imported.stderr
    with sqlite3.connect(project_dir / "var" / "registry.sqlite3") as conn:  # a damaged registry
        conn.execute("UPDATE customers SET customer_id = '../../x' WHERE customer_id = 'C-1042'")
    proc = _run(project_dir, "build", "--customer", "../../x", "--format", "pdf", "-o", "out")
    assert "Traceback" not in proc.stderr
    assert not (project_dir.parent / "x-verwerkersovereenkomst-1.0.pdf").exists()
    assert [p.name for p in (project_dir / "out").iterdir()] == ["_.._.._x-verwerkersovereenkomst-1.0.pdf"]


def test_a_registry_row_with_a_bad_date_is_one_line(project_dir: Path) -> None:
    imported = _run(project_dir, "customers", "import", str(ROOT / "examples" / "customers.csv"))
    assert imported.returncode == 0, imported.stderr
    with sqlite3.connect(project_dir / "var" / "registry.sqlite3") as conn:
        conn.execute("UPDATE customers SET signed_on = '2019-13-45' WHERE customer_id = 'C-1042'")
    _one_line(_run(project_dir, "customers", "list"),
              "customer C-1042: signed_on '2019-13-45' in the registry is not a date (YYYY-MM-DD)")


def test_a_listing_piped_into_head_ends_quietly(project_dir: Path) -> None:
    add_customers(project_dir, [customer(i) for i in range(1, 3000)])
    full = {k: v for k, v in os.environ.items() if not k.startswith("ASSEMBLER_")}
    full.update({"PYTHONPATH": str(ROOT), "ASSEMBLER_ROOT": str(project_dir)})
    listing = subprocess.Popen([sys.executable, "-m", "assembler", "customers", "list"], cwd=project_dir,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=full)
    assert listing.stdout is not None and listing.stderr is not None
    first = listing.stdout.readline()  # a reader that takes one line and stops, as `| head -1` does
    listing.stdout.close()
    err = listing.stderr.read().decode()
    listing.wait(timeout=120)
    assert first.strip() and "error" not in err and "Traceback" not in err, err


def test_a_bad_option_value_is_one_line(project_dir: Path) -> None:
    _one_line(_run(project_dir, "customers", "show", "C-0001", "--on", "gisteren"),
              "Invalid value for '--on'")


@pytest.mark.parametrize("kind", ["subprocessors", "incidents"])
def test_bad_workers_setting_is_one_line_for_every_notice_build(project_dir: Path, kind: str) -> None:
    # the same setting, read the same way as by `notices build`
    add_customers(project_dir, [customer(1, services=("gespreksopname",))])
    write_record(project_dir)
    (project_dir / "assembler.toml").write_text('[notices]\nworkers = "x"\n', encoding="utf-8")
    args = ["subprocessors", "build", "voorbeeld-transcriptie"] if kind == "subprocessors" else [
        "incidents", "build", "2027-001"]
    with freeze_time("2026-12-01 09:00:00" if kind == "subprocessors" else "2027-03-27T10:30:00Z"):
        result = CliRunner().invoke(main, args, env={"ASSEMBLER_ROOT": str(project_dir)})
    assert result.exit_code == 1, result.output
    assert result.output == (f"assembler: error: {project_dir / 'assembler.toml'}: [notices] workers "
                             "must be a whole number from 0 to 64, not 'x'\n")
    assert "Traceback" not in result.output
    assert not (project_dir / "build").exists()


@pytest.mark.parametrize("kind", ["notices", "subprocessors"])
def test_a_bad_setting_is_reported_before_a_late_plan_and_records_nothing(project_dir: Path,
                                                                           kind: str) -> None:
    # run when the notices can no longer go out in time: the late plan must not hide the setting
    if kind == "notices":
        release_11(project_dir)
    add_customers(project_dir, [customer(1, services=("gespreksopname",))])
    (project_dir / "assembler.toml").write_text('[notices]\nworkers = "x"\n', encoding="utf-8")
    args = ("notices", "build", "1.1") if kind == "notices" else (
        "subprocessors", "build", "voorbeeld-transcriptie")
    # after the last day to send (1.1: 2026-12-30; the change: 2026-12-12)
    late = "2027-01-05 09:00:00" if kind == "notices" else "2026-12-20 09:00:00"
    proc = _run(project_dir, *args, ASSEMBLER_TEST_NOW=late)
    assert proc.returncode == 1, proc.stdout
    assert proc.stderr == (f"assembler: error: {project_dir / 'assembler.toml'}: [notices] workers "
                           "must be a whole number from 0 to 64, not 'x'\n")
    assert not (project_dir / "build").exists()
    with sqlite3.connect(project_dir / "var" / "registry.sqlite3") as conn:
        assert conn.execute("SELECT * FROM announced_versions").fetchall() == []
