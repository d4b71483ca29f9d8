"""`assembler build` as a user runs it: one customer, formats, --all, bad arguments."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from assembler.customers.bulk import BatchOptions, build_many
from assembler.customers.document import read_contract_metadata
from assembler.customers.registry import open_registry
from tests.conftest import require_tool
from tests.customers.conftest import GOOD_ROW, HEADER, CliRun


def test_build_one_customer(cli: CliRun, project_dir: Path) -> None:
    cli("customers", "import", "customers.csv")
    result = cli("build", "--customer", "C-1042")
    assert result.exit_code == 0, result.output
    out = project_dir / "build" / "contracts"
    assert result.stdout.splitlines() == [
        "wrote build/contracts/C-1042-verwerkersovereenkomst-1.0.pdf",
        "wrote build/contracts/C-1042-verwerkersovereenkomst-1.0.docx"]
    pdf = (out / "C-1042-verwerkersovereenkomst-1.0.pdf").read_bytes()
    assert pdf.startswith(b"%PDF-")
    meta = read_contract_metadata(pdf)
    assert (meta["customer"], meta["version"]) == ("C-1042", "1.0")
    assert (out / "C-1042-verwerkersovereenkomst-1.0.docx").read_bytes()[:2] == b"PK"
    assert sorted(p.name for p in out.iterdir()) == [  # no temporary files left behind
        "C-1042-verwerkersovereenkomst-1.0.docx", "C-1042-verwerkersovereenkomst-1.0.pdf"]


def test_format_output_dir_and_version(cli: CliRun, project_dir: Path, tmp_path: Path) -> None:
    cli("customers", "import", "customers.csv")
    out = tmp_path / "elsewhere"
    result = cli("build", "--customer", "C-1002", "--format", "pdf", "-o", str(out),
                 "--version", "worktree")
    assert result.exit_code == 0, result.output
    # The work tree holds exactly the 1.0 text, so the file is named after 1.0.
    assert [p.name for p in out.iterdir()] == ["C-1002-verwerkersovereenkomst-1.0.pdf"]
    (project_dir / "contracts" / "verwerkersovereenkomst" / "11-overige-bepalingen.md").open(
        "a", encoding="utf-8").write("\n11.7. Een nieuwe bepaling.\n")
    result = cli("build", "--customer", "C-1002", "--format", "docx", "-o", str(out),
                 "--version", "worktree")
    assert result.exit_code == 0, result.output
    assert (out / "C-1002-verwerkersovereenkomst-concept.docx").exists()


def test_bad_arguments(cli: CliRun) -> None:
    cli("customers", "import", "customers.csv")
    result = cli("build")
    assert result.exit_code == 2 and "give --customer ID (one or more) or --all" in result.stderr
    result = cli("build", "--customer", "C-404")
    assert result.exit_code == 2 and "unknown customer 'C-404'" in result.stderr
    result = cli("build", "--customer", "C-1042", "--format", "odt")
    assert result.exit_code == 2 and "choose from pdf, docx" in result.stderr
    result = cli("build", "--customer", "C-1042", "--version", "9.9")
    assert result.exit_code == 2 and "unknown version or ref '9.9'" in result.stderr
    assert "Traceback" not in result.output


def test_build_all(cli: CliRun, project_dir: Path) -> None:
    rows = [GOOD_ROW.replace("C-2001", f"C-20{i:02}") for i in range(3)]
    (project_dir / "three.csv").write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    cli("customers", "import", "three.csv")
    result = cli("build", "--all", "--format", "pdf")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("built 3 of 3 customer(s) (3 files) in ")
    names = sorted(p.name for p in (project_dir / "build" / "contracts").iterdir())
    assert names == [f"C-20{i:02}-verwerkersovereenkomst-1.0.pdf" for i in range(3)]


def test_build_many_with_two_processes(project_dir: Path, registry_file: Path, tmp_path: Path) -> None:
    rows = [GOOD_ROW.replace("C-2001", f"C-30{i:02}") for i in range(4)]
    csv_file = project_dir / "four.csv"
    csv_file.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    env = {**os.environ, "ASSEMBLER_ROOT": str(project_dir)}
    subprocess.run([sys.executable, "-m", "assembler", "--registry", str(registry_file), "customers",
                    "import", str(csv_file)], check=True, env=env, capture_output=True)
    out = tmp_path / "out"
    with open_registry(registry_file) as reg:
        result = build_many(project_dir, reg.customers(), BatchOptions(out, keep_paths=True), workers=2)
    assert result.failures == [] and result.built == 4 and result.file_count == 8
    assert sorted(p.name for p in result.files) == sorted(p.name for p in out.iterdir())
    with open_registry(registry_file) as reg:
        single = build_many(project_dir, [reg.customer("C-3002")], BatchOptions(tmp_path / "one"), workers=1)
    assert single.built == 1
    for suffix in ("pdf", "docx"):  # a worker process writes the same bytes as this one
        name = f"C-3002-verwerkersovereenkomst-1.0.{suffix}"
        assert (out / name).read_bytes() == (tmp_path / "one" / name).read_bytes()


@pytest.mark.interop
def test_pdf_passes_qpdf_check(cli: CliRun, project_dir: Path) -> None:
    qpdf = require_tool("qpdf")
    cli("customers", "import", "customers.csv")
    cli("build", "--customer", "C-1007", "--format", "pdf")
    pdf = project_dir / "build" / "contracts" / "C-1007-verwerkersovereenkomst-1.0.pdf"
    result = subprocess.run([qpdf, "--check", str(pdf)], capture_output=True, text=True)
    assert result.returncode == 0 and "No syntax or stream encoding errors" in result.stdout


def test_build_all_reports_a_customer_it_cannot_build_and_builds_the_others(
        cli: CliRun, project_dir: Path, registry_file: Path) -> None:
    import dataclasses

    from tests.customers.helpers import customer_c1042

    good = customer_c1042()
    stale = dataclasses.replace(good, customer_id="C-0001", version="0.9")  # no such version
    with open_registry(registry_file) as reg:
        reg.upsert_customers([good, stale])
    result = cli("build", "--all", "--format", "pdf")
    assert result.exit_code == 1
    assert "assembler: error: C-0001: unknown version or ref '0.9'" in result.stderr
    assert result.stdout.startswith("built 1 of 2 customer(s) (1 files)")
    assert [p.name for p in (project_dir / "build" / "contracts").iterdir()] == [
        "C-1042-verwerkersovereenkomst-1.0.pdf"]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_build_all_in_workers_leaves_no_process_and_prints_a_json_summary(
        project_dir: Path, registry_file: Path, tmp_path: Path) -> None:
    import json

    from tests.test_pool import wait_for_empty_group

    rows = [GOOD_ROW.replace("C-2001", f"C-4{i:03}") for i in range(44)]  # >= 40: two workers
    csv_file = project_dir / "many.csv"
    csv_file.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    env = {**os.environ, "ASSEMBLER_ROOT": str(project_dir)}
    base = [sys.executable, "-m", "assembler", "--registry", str(registry_file)]
    subprocess.run([*base, "customers", "import", str(csv_file)], check=True, env=env,
                   capture_output=True)
    out = tmp_path / "out"
    proc = subprocess.Popen([*base, "build", "--all", "--format", "pdf", "-o", str(out),
                             "--summary", "json"], env=env, stdout=subprocess.PIPE, text=True,
                            start_new_session=True)
    stdout, _ = proc.communicate(timeout=300)
    assert proc.returncode == 0
    assert wait_for_empty_group(proc.pid, seconds=1.0) == []  # no worker outlives the command
    summary = json.loads(stdout)
    assert (summary["customers"], summary["built"], summary["files"], summary["failed"]) == (
        44, 44, 44, [])
    assert summary["per_second"] > 0
    assert len(list(out.iterdir())) == 44
