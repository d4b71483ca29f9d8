"""`notices plan` and `notices build` as a user runs them."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from freezegun import freeze_time

from assembler.agreement.project import Project
from assembler.cli import main
from assembler.workflow.release import release_version
from tests.conftest import git
from tests.notices.conftest import (
    CONTRACT,
    EFFECTIVE,
    PYTHON,
    TODAY,
    add_customers,
    cli_env,
    customer,
)


def plan(project_dir: Path, today: str, *extra: str, env: dict[str, str] | None = None
         ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([PYTHON, "-m", "assembler", "notices", "plan", "1.1", "--today", today,
                           *extra], cwd=project_dir, capture_output=True, text=True,
                          env=cli_env(project_dir, **(env or {})), timeout=120)


def test_plan_in_time(notice_project: Path) -> None:
    result = plan(notice_project, "2026-11-28")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "verwerkersovereenkomst 1.1 takes effect on 2027-02-01 (1 februari 2027)" in out
    assert "latest send day by e-mail (1 day(s) delivery buffer): 2026-12-30" in out
    assert re.search(r"C-0001\s+1\.0\s+yes\s+2026-12-30\s+on_time\s+article 7 change", out)
    assert re.search(r"C-0003\s+1\.1\s+no\s+2026-12-30\s+not_affected\s+already on 1.1", out)
    assert "3 customer(s): 2 on_time, 0 late, 0 notified, 1 not_affected" in out
    assert "warning" not in out


def test_plan_too_late_exits_1_with_the_earliest_effective_date(notice_project: Path) -> None:
    on_last_day = plan(notice_project, "2026-12-30")
    assert on_last_day.returncode == 0
    result = plan(notice_project, "2026-12-31")
    assert result.returncode == 1
    assert re.search(r"C-0001\s+1\.0\s+yes\s+2026-12-30\s+late", result.stdout)
    assert result.stderr.strip() == (
        "assembler: error: 2 customer(s) can no longer be notified in time for version 1.1 "
        "effective 2027-02-01: the latest send day was 2026-12-30 (C-0001, C-0002); the earliest "
        "possible effective date for notices sent on 2026-12-31 is 2027-02-02")
    data = json.loads(plan(notice_project, "2026-12-31", "--format", "json").stdout)
    assert data["counts"] == {"on_time": 0, "late": 2, "notified": 0, "not_affected": 1}
    assert data["earliest_effective_if_sent_today"] == "2027-02-02"


def test_delivery_buffer_is_configurable(notice_project: Path) -> None:
    result = plan(notice_project, "2026-11-28", env={"ASSEMBLER_NOTICES_EMAIL_BUFFER_DAYS": "3"})
    assert "(3 day(s) delivery buffer): 2026-12-28" in result.stdout


@pytest.mark.parametrize("effective, warning", [
    ("2027-02-04", "the latest send day 2027-01-02 is a Saturday; send before it"),
    ("2027-02-03", "the latest send day 2027-01-01 is Nieuwjaarsdag, a public holiday"),
])
def test_warns_when_the_latest_day_is_not_a_working_day(notice_project: Path, effective: str,
                                                        warning: str) -> None:
    manifest = notice_project / "versions" / CONTRACT / "1.1.toml"
    manifest.write_text(manifest.read_text().replace("effective = 2027-02-01",
                                                     f"effective = {effective}"))
    result = plan(notice_project, "2026-11-28")
    assert result.returncode == 0 and f"warning: {warning}" in result.stdout


def test_unknown_version_is_a_usage_error(notice_project: Path) -> None:
    result = subprocess.run([PYTHON, "-m", "assembler", "notices", "plan", "2.0"],
                            cwd=notice_project, capture_output=True, text=True,
                            env=cli_env(notice_project))
    assert result.returncode == 2
    assert "no released version 2.0 of verwerkersovereenkomst (released: 1.0, 1.1)" in result.stderr


def test_a_bijlage_1_change_affects_only_customers_whose_list_changes(project_dir: Path) -> None:
    catalogue = project_dir / "contracts" / CONTRACT / "bijlage-1.toml"
    catalogue.write_text(catalogue.read_text() + '\n[[data_categories]]\nid = "opnames"\n'
                         'label = "Opnames van gesprekken"\nservices = ["gespreksopname"]\n')
    release_version(Project(project_dir), CONTRACT, "1.1", EFFECTIVE, today=TODAY,
                    toelichting={"bijlage-1": "Gespreksopnames staan nu apart in Bijlage 1."})
    git(project_dir, "add", "-A")
    git(project_dir, "commit", "-q", "-m", "1.1")
    add_customers(project_dir, [customer(1), customer(2, services=("sip-trunk", "gespreksopname"))])
    data = json.loads(plan(project_dir, "2026-11-28", "--format", "json").stdout)
    rows = {r["customer_id"]: r for r in data["customers"]}
    assert (rows["C-0001"]["status"], rows["C-0001"]["reason"]) == (
        "not_affected", "nothing changes for them")
    assert (rows["C-0002"]["status"], rows["C-0002"]["reason"]) == (
        "on_time", "their Bijlage 1 change")
    assert rows["C-0002"]["annex_changes"] is True

    from email.parser import BytesParser
    from email.policy import default

    from tests.notices.conftest import build

    summary = build(project_dir)
    assert summary.built == ["C-0002"] and summary.not_affected == 1
    eml = project_dir / "build" / "notices" / "1.1" / "C-0002" / "VWO-1.1-C-0002.eml"
    body = BytesParser(policy=default).parsebytes(eml.read_bytes()).get_body(("plain",))
    assert body is not None
    assert ("Ook uw Bijlage 1, waarin staat welke persoonsgegevens wij voor u verwerken, verandert. "
            "Gespreksopnames staan nu apart in Bijlage 1.") in body.get_content()


def test_build_command(notice_project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSEMBLER_ROOT", str(notice_project))
    out = notice_project / "elsewhere"
    with freeze_time("2026-11-28 10:00:00"):
        result = CliRunner().invoke(main, ["notices", "build", "1.1", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "shared: elsewhere/wijzigingen-1.0-1.1.pdf" in result.output
    assert re.search(r"built 2 notice\(s\) in elsewhere/ in [\d.]+ s; 0 already sent \(kept as "
                     r"recorded\), 1 customer\(s\) not affected", result.output)
    assert sorted(p.name for p in (out / "C-0001").iterdir()) == [
        "VWO-1.1-C-0001.eml", "brief-VWO-1.1-C-0001.pdf"]
    assert not (out / "C-0003").exists()


def test_build_refuses_customers_without_a_valid_address(notice_project: Path) -> None:
    from assembler.errors import UsageError
    from tests.notices.conftest import build

    add_customers(notice_project, [customer(5, contact_email="kim at example.nl")])
    with pytest.raises(UsageError, match=r"1 customer\(s\) have no valid contact_email in the "
                                         r"registry: C-0005 \('kim at example.nl'\)"):
        build(notice_project)
    assert not (notice_project / "build" / "notices" / "1.1" / "C-0001").exists()


def test_send_before_build_says_what_to_do(notice_project: Path) -> None:
    result = subprocess.run([PYTHON, "-m", "assembler", "notices", "send", "1.1", "--dry-run"],
                            cwd=notice_project, capture_output=True, text=True,
                            env=cli_env(notice_project))
    assert result.returncode == 2
    assert "no notices of 1.1 built yet: run `assembler notices build 1.1`" in result.stderr
