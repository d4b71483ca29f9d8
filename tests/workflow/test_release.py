"""`release` guards the effective date; `check` reports effective dates out of order."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from freezegun import freeze_time

import assembler.notices.plan
import assembler.workflow.check_base  # noqa: F401 - imported before any clock is frozen
from assembler.agreement.project import Project
from assembler.errors import UsageError
from assembler.workflow.check import run_check
from assembler.workflow.release import release_version
from tests.conftest import CONTRACT
from tests.workflow.helpers import edit

CLAUSE_OLD, CLAUSE_NEW = "achtenveertig (48)", "vierentwintig (24)"


@freeze_time("2026-12-01 10:00:00")
@pytest.mark.parametrize(("effective", "message"), [
    # sent 1 Dec, received 2 Dec (one day's buffer), + 1 month = 2 Jan: E must come after it
    ("2027-01-02", "too soon for the art. 11.2 notice month: a notice sent today (2026-12-01)"),
    ("2018-05-25", "not after version 1.0's effective date, 2018-05-25"),
])
def test_release_refuses_an_effective_date(project_dir: Path, effective: str, message: str) -> None:
    edit(project_dir, "07-datalekken.md", CLAUSE_OLD, CLAUSE_NEW)
    with pytest.raises(UsageError, match=re.escape(message)):
        release_version(Project(project_dir), CONTRACT, "1.1", dt.date.fromisoformat(effective),
                        toelichting={"7": "De meldtermijn wordt 24 uur."})
    assert not (project_dir / "versions" / CONTRACT / "1.1.toml").exists()


@freeze_time("2026-12-01 10:00:00")
def test_release_accepts_the_first_day_the_window_allows(project_dir: Path) -> None:
    edit(project_dir, "07-datalekken.md", CLAUSE_OLD, CLAUSE_NEW)
    v = release_version(Project(project_dir), CONTRACT, "1.1", dt.date(2027, 1, 3),
                        toelichting={"7": "De meldtermijn wordt 24 uur."})
    assert v.released == dt.date(2026, 12, 1)


@freeze_time("2026-12-01 10:00:00")
def test_check_reports_effective_dates_out_of_order(project_dir: Path) -> None:
    edit(project_dir, "07-datalekken.md", CLAUSE_OLD, CLAUSE_NEW)
    release_version(Project(project_dir), CONTRACT, "1.1", dt.date(2027, 3, 1),
                    toelichting={"7": "De meldtermijn wordt 24 uur."})
    manifest = project_dir / "versions" / CONTRACT / "1.1.toml"
    manifest.write_text(manifest.read_text().replace("2027-03-01", "2017-03-01"))
    findings = [f for f in run_check(Project(project_dir), None, CONTRACT) if f.rule == "order"]
    assert [f.message for f in findings] == [
        "version 1.1 takes effect on 2017-03-01, not after version 1.0 (2018-05-25)"]
    line = manifest.read_text().splitlines().index("effective = 2017-03-01") + 1
    assert [f.line for f in findings] == [line]  # the line of the effective date, as an editor needs
