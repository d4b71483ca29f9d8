"""Shared fixtures: the repository root, temporary projects, and interop-tool lookup."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from assembler.agreement.history import Author
from assembler.agreement.project_copy import copy_project

ROOT = Path(__file__).resolve().parent.parent
# A copy of ../shared/source/verwerkersovereenkomst-v1.0.txt, the signed v1.0 text, so a clone tests alone.
SOURCE_TXT = ROOT / "tests" / "fixtures" / "verwerkersovereenkomst-v1.0.txt"
CONTRACT = "verwerkersovereenkomst"
TEST_AUTHOR = Author("Test", "test@example.com")
"""Who the commits of a test project are by (the same identity as `git` below)."""


def _typst_learns_the_real_datetime() -> None:
    """Compile one tiny PDF with a timestamp before any test freezes the clock.

    The typst binding looks up Python's datetime type once, at its first timestamp, and keeps it:
    were that first timestamp passed while freezegun has replaced `datetime.datetime`, every later
    (real) timestamp would be refused ("timestamp must be None, an int UNIX timestamp, or
    datetime.datetime") in whatever tests follow.
    """
    import datetime as dt
    import tempfile

    import typst

    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "warm.typ"
        source.write_text("warm", encoding="utf-8")
        typst.Compiler(str(source)).compile(format="pdf",
                                            timestamp=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))


_typst_learns_the_real_datetime()


def require_tool(name: str) -> str:
    """Return the path of external tool `name`; skip the test when it is missing.

    With ASSEMBLER_REQUIRE_INTEROP=1 (set by .ci/run) a missing tool fails the test instead.
    """
    path = shutil.which(name)
    if path:
        return path
    message = f"{name} is not installed (CI installs it; see .ci/run)"
    if os.environ.get("ASSEMBLER_REQUIRE_INTEROP") == "1":
        pytest.fail(message + " and ASSEMBLER_REQUIRE_INTEROP=1", pytrace=False)
    pytest.skip(message)


def git(cwd: Path, *args: str) -> str:
    """Run git in `cwd` and return its stdout."""
    env = {**os.environ, "GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.com",
           "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "test@example.com"}
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True,
                          env=env).stdout


@pytest.fixture
def project_dir(tmp_path: Path) -> Path:
    """A copy of this repository's contracts/ and versions/ in a fresh git repository."""
    return copy_project(ROOT, tmp_path / "project", author=TEST_AUTHOR)


@pytest.fixture
def contract_dir(project_dir: Path) -> Path:
    """The contract folder inside `project_dir`."""
    return project_dir / "contracts" / CONTRACT
