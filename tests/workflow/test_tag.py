"""`assembler tag`: where a release tag lands, and that it never moves or appears early."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import CONTRACT, git
from tests.workflow.helpers import cli, commit_all, edit, release

V10, V11 = f"{CONTRACT}/v1.0", f"{CONTRACT}/v1.1"


def head(project: Path) -> str:
    return git(project, "rev-parse", "HEAD").strip()


def tagged(project: Path, tag: str) -> str:
    return git(project, "rev-parse", f"{tag}^{{commit}}").strip()


def edit_and_release(project: Path) -> None:
    edit(project, "07-datalekken.md", "binnen achtenveertig (48) uur", "binnen 24 uur")
    release(project, "1.1", "2027-02-01", {"7": "De meldtermijn wordt 24 uur."})


def test_tags_each_version_at_the_commit_that_added_its_manifest(project_dir: Path) -> None:
    first = head(project_dir)
    edit_and_release(project_dir)
    commit_all(project_dir, "1.1")
    second = head(project_dir)
    (project_dir / "README.txt").write_text("later commit\n")
    commit_all(project_dir, "later")

    proc = cli(project_dir, "tag")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == f"{V10}: created at {first[:12]}\n{V11}: created at {second[:12]}\n"
    assert (tagged(project_dir, V10), tagged(project_dir, V11)) == (first, second)
    assert "effective 2027-02-01, sha256" in git(project_dir, "tag", "-l", "-n1", V11)
    # `show 1.1` now finds its text through the tag.
    assert cli(project_dir, "show", "1.1", "--format", "text").returncode == 0


def test_manifest_committed_before_its_text_tags_the_text_commit(project_dir: Path) -> None:
    edit_and_release(project_dir)
    git(project_dir, "add", "versions")
    git(project_dir, "commit", "-q", "-m", "manifest first")
    commit_all(project_dir, "then the text")
    proc = cli(project_dir, "tag")
    assert proc.returncode == 0, proc.stderr
    assert tagged(project_dir, V11) == head(project_dir)


def test_uncommitted_text_gets_no_tag_yet(project_dir: Path) -> None:
    edit_and_release(project_dir)
    proc = cli(project_dir, "tag")
    assert proc.returncode == 0, proc.stderr
    assert f"{V11}: not committed yet, no tag\n" in proc.stdout
    assert V11 not in git(project_dir, "tag", "-l").split()


def test_dry_run_creates_nothing_and_existing_tags_do_not_move(project_dir: Path) -> None:
    first = head(project_dir)
    dry = cli(project_dir, "tag", "--dry-run")
    assert dry.stdout == f"{V10}: would create at {first[:12]}\n"
    assert git(project_dir, "tag", "-l") == ""
    assert cli(project_dir, "tag").returncode == 0
    edit_and_release(project_dir)
    commit_all(project_dir, "1.1")
    again = cli(project_dir, "tag")
    assert again.stdout.splitlines()[0] == f"{V10}: tagged at {first[:12]}"
    assert tagged(project_dir, V10) == first
