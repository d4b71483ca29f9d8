"""The contract's git history. The only module that imports git (gitpython).

gitpython is imported when the history is first read, not with this module: the import costs
~70 ms (it also runs `git version`), which commands that never read the history (the breach
notices, the registry's commands) need not pay before their first document.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, cast

from assembler.errors import RepositoryError, UnknownRefError

if TYPE_CHECKING:
    import git


def _git() -> ModuleType:
    """Return gitpython, imported on first use."""
    import git  # noqa: PLC0415 (see the module's docstring)

    return git


def _ref_errors() -> tuple[type[Exception], ...]:
    """The errors by which gitpython says a ref or commit names nothing it can follow.

    Its own rev-parse raises KeyError (HEAD:../x), IndexError (HEAD@{100}) and NotImplementedError
    (HEAD@{yesterday}) for refs it cannot follow. Evaluated only when an error is being handled.
    """
    g = _git()
    return (g.BadName, ValueError, g.GitCommandError, KeyError, IndexError, NotImplementedError)


def tree_id(files: dict[str, bytes]) -> str:
    """Return the git tree id a flat folder with these files (mode 100644) has.

    Lets `release` pin the tree of an uncommitted work tree, and lets resolution find a version
    by comparing tree ids instead of parsing every commit.
    """
    entries = b""
    for name in sorted(files):
        data = files[name]
        blob = hashlib.sha1(b"blob %d\0" % len(data) + data).digest()
        entries += b"100644 " + name.encode("utf-8") + b"\0" + blob
    return hashlib.sha1(b"tree %d\0" % len(entries) + entries).hexdigest()


class History:
    """Read access to the git repository holding the project, if there is one."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._folder_trees: dict[str, list[tuple[str, str]]] = {}
        self._blobs: dict[str, bytes] = {}  # by blob id: history walks read each version once

    @cached_property
    def _repo(self) -> git.Repo | None:
        """The repository (opened on first use), or None if the project is not one."""
        g = _git()
        try:
            return cast("git.Repo", g.Repo(self.root))
        except (g.InvalidGitRepositoryError, g.NoSuchPathError):
            return None

    @property
    def available(self) -> bool:
        """Return whether the project is a git repository with at least one commit."""
        if self._repo is None:
            return False
        try:
            _ = self._repo.head.commit
        except ValueError:
            return False
        return True

    @property
    def repo(self) -> git.Repo:
        """Return the repository, or raise if the project is not one."""
        if self._repo is None:
            raise RepositoryError(f"{self.root}: not a git repository")
        return self._repo

    def is_shallow(self) -> bool:
        """Return whether the repository is a shallow clone (part of its history is missing)."""
        return self._repo is not None and (Path(self._repo.git_dir) / "shallow").is_file()

    def commit_of(self, ref: str) -> str:
        """Return the full commit id `ref` names."""
        try:
            return str(self.repo.commit(ref).hexsha)
        except _ref_errors() as exc:
            raise UnknownRefError(ref, "no such version, git ref or commit") from exc

    def commit_date(self, commit: str) -> dt.date:
        """Return the day (UTC) `commit` was committed."""
        try:
            when = self.repo.commit(commit).committed_datetime
        except _ref_errors() as exc:
            raise UnknownRefError(commit, "no such commit") from exc
        return when.astimezone(dt.UTC).date()

    def tag_commit(self, name: str) -> str | None:
        """Return the commit of tag `name`, or None if there is no such tag."""
        if not self.available:
            return None
        try:
            return str(self.repo.tags[name].commit.hexsha)
        except (IndexError, ValueError):
            return None

    def create_tag(self, name: str, commit: str, message: str) -> None:
        """Create an annotated tag."""
        try:
            self.repo.create_tag(name, ref=commit, message=message)
        except _git().GitCommandError as exc:
            raise RepositoryError(f"cannot create tag {name}: {exc.stderr.strip()}") from exc

    def first_commit_adding(self, path: str) -> str | None:
        """Return the oldest commit (reachable from HEAD) that added file `path`, or None."""
        if not self.available:
            return None
        out = self.repo.git.log("--format=%H", "--diff-filter=A", "--", path).split()
        return out[-1] if out else None

    def tracked_files(self) -> list[str]:
        """Return the files git tracks under the project root, as paths relative to it."""
        if self._repo is None:
            raise RepositoryError(f"{self.root}: not a git repository")
        try:
            out = self._repo.git.execute(["git", "-C", str(self.root), "ls-files", "-z"])
        except _git().GitCommandError as exc:
            raise RepositoryError(f"git ls-files failed: {exc.stderr.strip()}") from exc
        return [p for p in str(out).split("\0") if p]

    def files_at(self, commit: str, folder: str) -> dict[str, bytes] | None:
        """Return the files directly in `folder` at `commit`, or None if it has no such folder."""
        try:
            tree = self.repo.commit(commit).tree / folder
        except KeyError:
            return None
        files = {}
        for blob in tree.blobs:
            data = self._blobs.get(blob.hexsha)
            if data is None:
                data = self._blobs[blob.hexsha] = blob.data_stream.read()
            files[blob.name] = data
        return files

    def folder_trees(self, folder: str) -> list[tuple[str, str]]:
        """Return (commit, tree id of `folder`) for every commit touching it, newest first."""
        if folder in self._folder_trees:
            return self._folder_trees[folder]
        if not self.available:
            return []
        g = self.repo.git
        commits = g.log("--format=%H", "--", folder).split()
        trees: list[tuple[str, str]] = []
        # One rev-parse for all commits: 500 commits cost one process, not 500.
        for start in range(0, len(commits), 400):
            chunk = commits[start : start + 400]
            try:
                out = g.rev_parse(*[f"{c}:{folder}" for c in chunk]).split()
                trees.extend(zip(chunk, out, strict=True))
            except _git().GitCommandError:  # a commit in the chunk deleted the folder: go one by one
                for c in chunk:
                    try:
                        trees.append((c, g.rev_parse(f"{c}:{folder}").strip()))
                    except _git().GitCommandError:
                        continue
        self._folder_trees[folder] = trees
        return trees


@dataclass(frozen=True)
class Author:
    """Who a commit made by this tool is by, and when (a fixed date gives the same commit id each run)."""

    name: str
    email: str
    when: str | None = None
    """ISO 8601 date for author and committer; None: now."""


def commit_all(root: Path, message: str, author: Author) -> str:
    """Stage everything under `root` and commit it; return the commit id.

    Makes `root` a git repository on branch main first when it is not one yet. Commit signing is
    off: these are throwaway copies (tests, benches, the demo), never the real contract's history.
    """
    g = _git()
    repo: git.Repo
    try:
        repo = g.Repo(root)
    except (g.InvalidGitRepositoryError, g.NoSuchPathError):
        repo = g.Repo.init(root, initial_branch="main")
    env = {"GIT_AUTHOR_NAME": author.name, "GIT_AUTHOR_EMAIL": author.email,
           "GIT_COMMITTER_NAME": author.name, "GIT_COMMITTER_EMAIL": author.email,
           "GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": "commit.gpgsign", "GIT_CONFIG_VALUE_0": "false"}
    if author.when is not None:
        env |= {"GIT_AUTHOR_DATE": author.when, "GIT_COMMITTER_DATE": author.when}
    with repo.git.custom_environment(**env):
        repo.git.add("-A")
        repo.git.commit("-q", "-m", message)
    return repo.head.commit.hexsha
