"""A project with three versions (superseded, in force, announced) and its site, built once."""

from __future__ import annotations

from pathlib import Path

import pytest

from assembler.agreement.project_copy import copy_project
from tests.conftest import ROOT, TEST_AUTHOR
from tests.workflow.helpers import commit_all, edit, release, site_on


@pytest.fixture(scope="session")
def three_versions(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """1.0 (2018, superseded), 1.1 (2026-01-01, in force on TODAY), 1.2 (2027-02-01, announced)."""
    project = tmp_path_factory.mktemp("three") / "project"
    copy_project(ROOT, project, author=TEST_AUTHOR)
    edit(project, "07-datalekken.md", "binnen achtenveertig (48) uur", "binnen vierentwintig (24) uur")
    release(project, "1.1", "2026-01-01", {"7": "Datalekken melden wij voortaan binnen 24 uur."})
    commit_all(project, "v1.1")
    edit(project, "03-verantwoordelijkheid.md", "louter verantwoordelijk", "uitsluitend verantwoordelijk")
    release(project, "1.2", "2027-02-01", {"3": "Verduidelijking: <uitsluitend> & niet \"louter\"."})
    commit_all(project, "v1.2")
    return project


@pytest.fixture(scope="session")
def site(three_versions: Path) -> Path:
    """The site of `three_versions` as on TODAY."""
    out = three_versions.parent / "site"
    result = site_on(three_versions, out)
    assert result.exit_code == 0, result.output
    return out
