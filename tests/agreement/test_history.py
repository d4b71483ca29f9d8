"""Resolving versions and refs to texts in real temporary git repositories."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from assembler.agreement.history import History
from assembler.agreement.manifests import read_versions
from assembler.agreement.project import Project
from assembler.errors import CheckFailedError, RepositoryError, UnknownRefError, UsageError
from assembler.workflow.check import run_check
from assembler.workflow.release import release_version
from tests.conftest import CONTRACT, ROOT, git
from tests.workflow.helpers import commit_all
from tests.workflow.helpers import edit as edit_clause
from tests.workflow.helpers import release as release_notes

V10_SHA = "3f9102f00e21d2fcd6111de59d8bd7b589bd9305dcfe88ce029bcd19c313534e"


def edit(contract_dir: Path, name: str, old: str, new: str) -> None:
    path = contract_dir / name
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture
def two_versions(project_dir: Path, contract_dir: Path) -> Path:
    """1.0 as committed, then a commit changing 7.1 (48 → 36 uur), released as 1.1, then a draft edit."""
    edit(contract_dir, "07-datalekken.md", "achtenveertig (48) uur", "zesendertig (36) uur")
    release_version(Project(project_dir), CONTRACT, "1.1", dt.date(2027, 3, 1), today=dt.date(2026, 11, 28))
    git(project_dir, "add", "-A")
    git(project_dir, "commit", "-q", "-m", "v1.1: 36 uur")
    edit(contract_dir, "09-audit.md", "Deze audit mag", "Deze audit mag uitsluitend")
    git(project_dir, "commit", "-qam", "draft after 1.1")
    return project_dir


def test_version_resolves_by_tree_without_tags(two_versions: Path) -> None:
    p = Project(two_versions)
    first = git(two_versions, "rev-list", "--max-parents=0", "HEAD").strip()
    r = p.resolve("1.0")
    assert (r.commit, r.version.number, r.agreement.sha256) == (first, "1.0", V10_SHA)  # type: ignore[union-attr]
    r11 = p.resolve("1.1")
    assert "zesendertig (36) uur" in r11.agreement.clause("7.1").text  # type: ignore[union-attr]
    assert r11.commit == git(two_versions, "rev-parse", "HEAD~1").strip()


def test_version_resolves_by_hash_when_the_tree_differs(two_versions: Path, contract_dir: Path) -> None:
    # A squash onto a new history where 1.0's text was committed re-wrapped (other tree, same hash).
    fresh = two_versions.parent / "squashed"
    shutil.copytree(two_versions, fresh, ignore=shutil.ignore_patterns(".git"))
    git(fresh, "init", "-q", "-b", "main")
    src = Project(two_versions).history.files_at(Project(two_versions).resolve("1.0").commit, f"contracts/{CONTRACT}")  # type: ignore[arg-type]
    assert src is not None
    folder = fresh / "contracts" / CONTRACT
    for name, data in src.items():
        (folder / name).write_bytes(data.replace(b"audits uit te laten", b"audits\nuit te laten"))
    git(fresh, "add", "-A")
    git(fresh, "commit", "-q", "-m", "squashed 1.0")
    squashed = git(fresh, "rev-parse", "HEAD").strip()
    (folder / "09-audit.md").write_text("# Artikel 9. Audit\n\n9.1. Anders.\n", encoding="utf-8")
    git(fresh, "commit", "-qam", "later")
    r = Project(fresh).resolve("1.0")
    assert (r.commit, r.agreement.sha256) == (squashed, V10_SHA)


def test_tag_wins_and_an_edited_tag_is_reported(two_versions: Path) -> None:
    p = Project(two_versions)
    first = git(two_versions, "rev-list", "--max-parents=0", "HEAD").strip()
    git(two_versions, "tag", "-a", f"{CONTRACT}/v1.0", first, "-m", "1.0")
    assert Project(two_versions).resolve("1.0").commit == first
    git(two_versions, "tag", "-d", f"{CONTRACT}/v1.0")
    git(two_versions, "tag", "-a", f"{CONTRACT}/v1.0", "HEAD", "-m", "wrong")  # text of the draft
    with pytest.raises(UnknownRefError, match="the released text was edited"):
        Project(two_versions).resolve("1.0")
    findings = run_check(Project(two_versions), None, CONTRACT)
    assert any(f.rule == "pin" and f.path == f"versions/{CONTRACT}/1.0.toml" and f.severity == "error"
               for f in findings), findings
    assert p.resolve("worktree").version is None  # the draft is no released version


def test_git_refs_and_worktree(two_versions: Path, contract_dir: Path) -> None:
    p = Project(two_versions)
    assert p.resolve("HEAD~1").version.number == "1.1"  # type: ignore[union-attr]
    head = p.resolve("HEAD")
    assert head.version is None and head.label == "concept"
    assert "uitsluitend" in head.agreement.clause("9.2").text  # type: ignore[union-attr]
    edit(contract_dir, "09-audit.md", "9.2. Deze audit", "9.2. Een audit")
    assert "Een audit" in p.resolve().agreement.clause("9.2").text  # type: ignore[union-attr]
    assert "Een audit" not in p.resolve("HEAD").agreement.clause("9.2").text  # type: ignore[union-attr]


@pytest.mark.parametrize(("ref", "message"), [
    ("nope", "no such version, git ref or commit"),
    ("9.9", "no version 9.9 of verwerkersovereenkomst (released: 1.0, 1.1)"),
    ("deadbeef", "no such version, git ref or commit"),
    ("--all", "no such version, git ref or commit"),  # an option is no ref
])
def test_unknown_refs(two_versions: Path, ref: str, message: str) -> None:
    with pytest.raises(UnknownRefError) as err:
        Project(two_versions).resolve(ref)
    assert message in str(err.value) and err.value.exit_code == 2


def test_a_ref_before_the_contract_existed(project_dir: Path) -> None:
    git(project_dir, "checkout", "-q", "--orphan", "empty")
    git(project_dir, "rm", "-rq", "--cached", ".")
    (project_dir / "x.txt").write_text("x")
    git(project_dir, "add", "x.txt")
    git(project_dir, "commit", "-qm", "unrelated")
    with pytest.raises(UnknownRefError, match="does not exist at"):
        Project(project_dir).resolve("HEAD")


def test_without_git_only_the_worktree_is_there(project_dir: Path) -> None:
    shutil.rmtree(project_dir / ".git")
    p = Project(project_dir)
    assert p.resolve("1.0").commit is None  # the work tree holds the pinned text
    with pytest.raises(UnknownRefError, match="not a git repository"):
        p.resolve("HEAD")


def test_a_project_inside_another_repository_has_no_history(project_dir: Path, tmp_path: Path) -> None:
    # git looks for the repository in the project's root only: the outer one's commits are not its history
    outer = tmp_path / "outer"
    inner = outer / "sub" / "project"
    shutil.copytree(project_dir, inner, ignore=shutil.ignore_patterns(".git"))
    git(outer, "init", "-q", "-b", "main")
    git(outer, "add", "-A")
    git(outer, "commit", "-q", "-m", "outer")
    p = Project(inner)
    assert not p.history.available and p.history.folder_trees(f"contracts/{CONTRACT}") == []
    assert p.resolve("1.0").commit is None  # from the work tree
    with pytest.raises(RepositoryError, match="not a git repository"):
        p.history.commit_of("HEAD")


def test_reflog_entries_name_no_text(two_versions: Path) -> None:
    # HEAD@{1} names where this clone's HEAD was, which no other clone knows
    history = Project(two_versions).history
    assert history.commit_of("HEAD~1") == git(two_versions, "rev-parse", "HEAD~1").strip()
    for ref in ("HEAD@{1}", "@{0}", "main@{yesterday}"):
        with pytest.raises(UnknownRefError):
            history.commit_of(ref)


def test_without_git_installed_the_history_says_so(two_versions: Path, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "no-programs"))
    with pytest.raises(RepositoryError, match="git is not installed"):
        Project(two_versions).resolve("1.1")


def test_files_at_reads_every_file_of_the_folder(two_versions: Path) -> None:
    history = Project(two_versions).history
    head = history.commit_of("HEAD")
    files = history.files_at(head, f"contracts/{CONTRACT}")
    assert files is not None
    on_disk = {p.name: p.read_bytes() for p in (two_versions / "contracts" / CONTRACT).iterdir()}
    assert files == on_disk  # the draft edit is committed: the work tree is HEAD
    assert history.files_at(head, "contracts/nope") is None


def test_files_at_leaves_subfolders_out_and_follows_a_ref(two_versions: Path) -> None:
    folder = two_versions / "contracts" / CONTRACT
    (folder / "concepten").mkdir()
    (folder / "concepten" / "notitie.md").write_text("niet van de tekst\n", encoding="utf-8")
    git(two_versions, "add", "-A")
    git(two_versions, "commit", "-q", "-m", "a subfolder")
    history = Project(two_versions).history
    files = history.files_at("HEAD", f"contracts/{CONTRACT}")  # a ref: the commit it names now
    assert files is not None and "concepten" not in files and "07-datalekken.md" in files
    assert files == history.files_at(history.commit_of("HEAD"), f"contracts/{CONTRACT}")
    assert history.files_at("nope", f"contracts/{CONTRACT}") is None


def test_a_walk_reads_every_commit_of_the_folder(two_versions: Path) -> None:
    history = Project(two_versions).history
    folder = f"contracts/{CONTRACT}"
    commits = [c for c, _ in history.folder_trees(folder)]
    history.prefetch(commits, folder)  # what a walk by hash does first
    for commit in commits:
        expected = {name: git(two_versions, "show", f"{commit}:{folder}/{name}").encode()
                    for name in git(two_versions, "ls-tree", "--name-only", commit, f"{folder}/").split()
                    for name in [name.rsplit("/", 1)[1]]}
        assert history.files_at(commit, folder) == expected


def test_a_commit_that_deleted_the_folder_has_no_tree_of_it(two_versions: Path) -> None:
    folder = f"contracts/{CONTRACT}"
    git(two_versions, "rm", "-rq", folder)
    git(two_versions, "commit", "-q", "-m", "folder gone")
    gone = git(two_versions, "rev-parse", "HEAD").strip()
    git(two_versions, "checkout", "-q", "HEAD~1", "--", folder)
    git(two_versions, "commit", "-q", "-m", "folder back")
    history = Project(two_versions).history
    trees = history.folder_trees(folder)
    touching = git(two_versions, "log", "--format=%H", "--", folder).split()
    assert [c for c, _ in trees] == [c for c in touching if c != gone]  # newest first, the deletion left out
    assert all(t == git(two_versions, "rev-parse", f"{c}:{folder}").strip() for c, t in trees)
    assert Project(two_versions).resolve("1.1").version.number == "1.1"  # type: ignore[union-attr]


def test_a_commit_is_dated_by_its_day_in_utc(two_versions: Path) -> None:
    subprocess.run(["git", "commit", "-q", "--allow-empty", "-m", "late"], cwd=two_versions, check=True,
                   env={**os.environ, "GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.com",
                        "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "test@example.com",
                        "GIT_COMMITTER_DATE": "2027-03-02T01:30:00+02:00"})
    assert Project(two_versions).history.commit_date("HEAD") == dt.date(2027, 3, 1)  # 23:30 UTC


def test_pinned_text_found_nowhere_is_a_check_error(project_dir: Path) -> None:
    manifest = project_dir / "versions" / CONTRACT / "1.0.toml"
    manifest.write_text(manifest.read_text().replace(V10_SHA, "0" * 64).replace('tree = "', 'tree_old = "'))
    findings = run_check(Project(project_dir), None, CONTRACT)
    errors = [str(f) for f in findings if f.severity == "error"]
    assert errors == [f"versions/{CONTRACT}/1.0.toml: error: no tag, commit or work tree holds the text "
                      f"versions/{CONTRACT}/1.0.toml pins (sha256 000000000000…): was the released text edited?"]


def test_release_writes_a_manifest_that_resolves(project_dir: Path, contract_dir: Path) -> None:
    edit(contract_dir, "09-audit.md", "Deze audit mag", "Een audit mag")
    v = release_version(Project(project_dir), CONTRACT, "1.1", dt.date(2027, 3, 1), today=dt.date(2026, 11, 28))
    assert (v.number, v.effective, v.released, v.path) == ("1.1", dt.date(2027, 3, 1), dt.date(2026, 11, 28),
                                                          f"versions/{CONTRACT}/1.1.toml")
    assert [x.number for x in read_versions(project_dir, CONTRACT)] == ["1.0", "1.1"]
    r = Project(project_dir).resolve("1.1")  # not committed yet: found in the work tree by its tree id
    assert (r.commit, r.agreement.sha256) == (None, v.sha256)


@pytest.mark.parametrize(("number", "setup", "error", "message"), [
    ("1.0", None, UsageError, "version 1.0 of verwerkersovereenkomst already exists"),
    ("0.9", None, UsageError, "version 0.9 is not newer than the latest, 1.0"),
    ("1.1", "same", UsageError, "the text is identical to version 1.0; nothing to release"),
    ("v1.1", None, UsageError, "version 'v1.1' must look like 1.1"),
    ("1.1", "broken", CheckFailedError, "cannot release 1.1: check reports 1 error(s), the first: "
                                        "contracts/verwerkersovereenkomst/09-audit.md:5: error: clause number '9.2' must end with a period"),
])
def test_release_refusals(project_dir: Path, contract_dir: Path, number: str, setup: str | None,
                          error: type[Exception], message: str) -> None:
    if setup != "same":
        edit(contract_dir, "09-audit.md", "Deze audit mag", "Een audit mag")
    if setup == "broken":
        edit(contract_dir, "09-audit.md", "9.2. ", "9.2 ")
    with pytest.raises(error) as err:
        release_version(Project(project_dir), CONTRACT, number, dt.date(2027, 3, 1),
                        today=dt.date(2026, 11, 28))
    assert message in str(err.value)
    assert [x.number for x in read_versions(project_dir, CONTRACT)] == ["1.0"]  # nothing written
    assert not list((project_dir / "versions" / CONTRACT).glob(".*.tmp"))


def test_a_shallow_clone_is_told_to_fetch_the_history(project_dir: Path, tmp_path: Path) -> None:
    edit_clause(project_dir, "07-datalekken.md", "binnen achtenveertig (48) uur", "binnen 24 uur")
    release_notes(project_dir, "1.1", "2027-02-01", {"7": "De meldtermijn wordt 24 uur."})
    commit_all(project_dir, "Versie 1.1")
    shallow = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{project_dir}", str(shallow))
    proc = subprocess.run([sys.executable, "-m", "assembler", "show", "1.0"], cwd=shallow, text=True,
                          capture_output=True, env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert proc.stderr.startswith(f"assembler: error: history missing: {shallow} is a shallow clone")
    assert "was the released text edited?" not in proc.stderr


def test_a_tag_is_looked_up_once_and_again_after_tagging(project_dir: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from assembler.agreement.history import History

    history = History(project_dir)
    asked: list[str] = []
    run = History._run

    def counted(self: History, *args: str, stdin: bytes | None = None) -> object:
        asked.extend(a for a in args if a.startswith("refs/tags/"))
        return run(self, *args, stdin=stdin)

    monkeypatch.setattr(History, "_run", counted)
    assert history.tag_commit("verwerkersovereenkomst/v9.9") is None
    assert history.tag_commit("verwerkersovereenkomst/v9.9") is None
    assert len(asked) == 1
    head = history.commit_of("HEAD")
    history.create_tag("verwerkersovereenkomst/v9.9", head, "test")
    assert history.tag_commit("verwerkersovereenkomst/v9.9") == head


def test_file_at_head_reads_the_commit_and_the_committed_file_in_one_process(
        project_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    history = Project(project_dir).history
    path = f"contracts/{CONTRACT}/subverwerkers.toml"
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=project_dir, capture_output=True,
                          text=True, check=True).stdout.strip()
    committed = (project_dir / path).read_bytes()
    (project_dir / path).write_bytes(committed + b"\n# not committed\n")
    runs: list[tuple[str, ...]] = []
    run = History._run

    def counted(self: History, *args: str, stdin: bytes | None = None) -> object:
        runs.append(args)
        return run(self, *args, stdin=stdin)

    monkeypatch.setattr(History, "_run", counted)
    assert history.file_at_head(path) == (head, committed)  # as committed, not the work tree's
    assert history.file_at_head("contracts/nosuch.toml") == (head, None)
    assert len(runs) == 2
    (tmp_path / "unborn").mkdir()
    git(tmp_path / "unborn", "init", "-q", "-b", "main")
    assert History(tmp_path / "unborn").file_at_head(path) is None  # nothing committed yet
    (tmp_path / "plain").mkdir()
    assert History(tmp_path / "plain").file_at_head(path) is None  # no repository
