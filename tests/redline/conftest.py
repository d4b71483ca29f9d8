"""Fixtures for the redline tests: the fixture pair of versions (see pair.py) and its redline."""

from __future__ import annotations

from pathlib import Path

import pytest

from assembler.agreement.project import Project
from assembler.model import Redline
from assembler.redline.compare import build_redline
from assembler.redline.diff import diff_agreements
from tests.redline.pair import build_pair


@pytest.fixture(scope="session")
def pair_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A git repository with the real v1.0 and the fixture 1.1 (read-only: do not edit it)."""
    return build_pair(tmp_path_factory.mktemp("pair") / "project")


@pytest.fixture(scope="session")
def pair_project(pair_dir: Path) -> Project:
    """The fixture pair as a Project."""
    return Project(pair_dir)


@pytest.fixture(scope="session")
def redline(pair_project: Project) -> Redline:
    """The redline 1.0 → 1.1 of the fixture pair."""
    return build_redline(pair_project, "1.0", "1.1")


@pytest.fixture(scope="session")
def backwards(pair_project: Project) -> Redline:
    """The redline 1.1 → 1.0 (NEW older than OLD)."""
    return diff_agreements(pair_project.resolve("1.1"), pair_project.resolve("1.0"))
