"""`notices build` as a user runs it: worker processes, the JSON summary, and one customer whose
notice cannot be built never stopping the rest."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from freezegun import freeze_time

from assembler.cli import main
from assembler.notices import build as build_module
from tests.notices.conftest import PYTHON, add_customers, build, cli_env, customer, open_ledger


def test_one_bad_customer_is_reported_by_id_and_the_others_are_built(notice_project: Path) -> None:
    # stored before import refused such names: a company name no shipped font can show
    add_customers(notice_project, [customer(2, company_name="株式会社ボイス")])
    proc = subprocess.run([PYTHON, "-m", "assembler", "notices", "build", "1.1"], cwd=notice_project,
                          text=True, capture_output=True, env=cli_env(notice_project), timeout=300)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    assert [line for line in proc.stderr.splitlines() if "error" in line][0].startswith(
        "assembler: error: C-0002: notice not built: ")
    assert "built 1 notice(s)" in proc.stdout
    assert [n.customer_id for n in open_ledger(notice_project).notices("1.1")] == ["C-0001"]


def test_json_summary(notice_project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSEMBLER_ROOT", str(notice_project))
    with freeze_time("2026-11-28 10:00:00", tick=True):  # letters are dated today: a day 1.1 allows
        result = CliRunner().invoke(main, ["notices", "build", "1.1", "--format", "json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert {k: summary[k] for k in ("version", "output", "built", "kept", "not_affected",
                                     "shared_files", "late")} == {
        "version": "1.1", "output": "build/notices/1.1", "built": 2, "kept": 0,
        "not_affected": 1, "shared_files": ["build/notices/1.1/wijzigingen-1.0-1.1.pdf"],
        "late": False}
    assert summary["seconds"] > 0 and summary["per_second"] > 0


def test_workers_write_the_same_letters_as_this_process(
        notice_project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    add_customers(notice_project, [customer(n) for n in range(10, 20)])
    out = notice_project / "build" / "notices" / "1.1"
    in_process = build(notice_project)
    letters = {p.relative_to(out): p.read_bytes() for p in out.glob("*/brief-*.pdf")}
    shutil.rmtree(out)
    monkeypatch.setattr(build_module, "POOL_THRESHOLD", 0)  # a pool even for 12 notices
    in_workers = build(notice_project)
    assert in_workers.built == in_process.built and len(in_workers.built) == 12
    assert {p.relative_to(out): p.read_bytes() for p in out.glob("*/brief-*.pdf")} == letters
    ledger = open_ledger(notice_project)
    assert {n.customer_id for n in ledger.notices("1.1")} == set(in_workers.built)


def test_jobs_go_out_in_groups_of_one_text_the_largest_first() -> None:
    """Customers who read the same text are handed out together, so that one worker renders
    it; the largest groups go first, so the run ends in small ones; ties in key order, and
    within a group the plan's order."""
    trunk, both = ("sip-trunk",), ("callcenter", "sip-trunk")

    def job(n: int, version: str, services: tuple[str, ...]) -> build_module.Job:
        return build_module.Job(customer(n, version, services), version, False, services)

    jobs = [job(1, "1.0", trunk), job(2, "1.0", both), job(3, "0.9", trunk), job(4, "1.0", both),
            job(5, "1.0", trunk), job(6, "1.0", both), job(7, "0.9", both)]
    ordered = build_module.largest_groups_first(jobs)
    assert [j.customer.customer_id for j in ordered] == [
        "C-0002", "C-0004", "C-0006",  # three read 1.0 with both services
        "C-0001", "C-0005",  # two read 1.0 with the trunk only
        "C-0007", "C-0003"]  # one each: 0.9 and both, before 0.9 and the trunk (key order)
