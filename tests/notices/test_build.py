"""`notices build` as a user runs it: one customer whose notice cannot be built never stops the rest."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.notices.conftest import PYTHON, add_customers, cli_env, customer, open_ledger


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
