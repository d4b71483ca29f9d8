"""copy_project: a fresh project with the text of this one, as a git repository or a plain folder."""

from __future__ import annotations

from pathlib import Path

from assembler.agreement.history import Author, History
from assembler.agreement.project import Project
from assembler.agreement.project_copy import copy_project
from tests.conftest import CONTRACT, ROOT, git


def test_copy_is_one_commit_with_the_same_text(tmp_path: Path) -> None:
    when = "2018-05-01T12:00:00Z"
    dest = tmp_path / "copy"
    copy_project(ROOT, dest, author=Author("Test", "test@example.com", when))
    assert git(dest, "log", "--format=%s|%an|%ae|%aI").splitlines() == ["v1.0|Test|test@example.com|2018-05-01T12:00:00+00:00"]
    assert git(dest, "status", "--porcelain") == ""
    # The committed text is this project's text: version 1.0 resolves from the copy's history.
    assert Project(dest).resolve("HEAD", CONTRACT).agreement.sha256 == \
        Project(ROOT).resolve("worktree", CONTRACT).agreement.sha256


def test_same_author_and_date_give_the_same_commit(tmp_path: Path) -> None:
    author = Author("Test", "test@example.com", "2018-05-01T12:00:00Z")
    a = copy_project(ROOT, tmp_path / "a", author=author)
    b = copy_project(ROOT, tmp_path / "b", author=author)
    assert History(a).commit_of("HEAD") == History(b).commit_of("HEAD")


def test_without_message_stays_a_plain_folder(tmp_path: Path) -> None:
    dest = copy_project(ROOT, tmp_path / "plain", message=None)
    assert not (dest / ".git").exists()
    assert sorted(p.name for p in dest.iterdir()) == ["contracts", "versions"]
