"""The contract's git history: read with git's own commands, written with gitpython.

Reading (the commit a tag or ref names, a folder's files at a commit, the commits that touched
it) runs git's plumbing commands, each one short `git` process of 2–4 ms; a walk through many
commits reads them all with two (`History.prefetch`). Every command that looks up a released
version reads the history (`build`, `notices build`, `diff`, `check`, …), and importing gitpython
first would cost it ~50 ms (the import also runs `git version`): more than all its reads
together. Writing (a release tag; the commits of the throwaway copies tests, benches and the demo
make) goes through gitpython, imported only then. This is the only module that runs git or
imports gitpython.

Git looks for the repository in the project's root only, as gitpython's ``Repo(root)`` does: a
project folder inside another repository (without a ``.git`` of its own) has no history.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

from assembler.errors import RepositoryError, UnknownRefError

if TYPE_CHECKING:
    import git

_FULL_ID = re.compile("[0-9a-f]{40}")


def _git() -> ModuleType:
    """Return gitpython, imported on first use (only to write: see the module's docstring)."""
    import git  # noqa: PLC0415

    return git


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


def _revision(ref: str) -> str | None:
    """Return `ref` as git may be given it, or None if it names no commit the same way everywhere.

    An option (``-x``) or a NUL names nothing; a reflog entry (``HEAD@{yesterday}``, ``@{1}``,
    ``main@{upstream}``) names what this clone's refs pointed at, which another clone does not
    know: a text is looked up by tag, branch or commit, never by this machine's past.
    """
    return None if ref.startswith("-") or "\0" in ref or "\n" in ref or "@{" in ref else ref


def _blob_entries(tree: bytes) -> list[tuple[str, str]]:
    """Return (name, blob id) of the files in a raw git tree object (``<mode> <name>\\0<20 bytes>``...).

    Subfolders (mode 40000) and submodules (160000) are left out; a symbolic link is a blob. Ids
    are SHA-1, as in `tree_id`.
    """
    entries = []
    at = 0
    while at < len(tree):
        space = tree.index(b" ", at)
        nul = tree.index(b"\0", space)
        mode, name, blob = tree[at:space], tree[space + 1 : nul], tree[nul + 1 : nul + 21]
        if mode not in (b"40000", b"160000"):
            entries.append((name.decode("utf-8", "surrogateescape"), blob.hex()))
        at = nul + 21
    return entries


class History:
    """Read access to the git repository holding the project, if there is one."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._folder_trees: dict[str, list[tuple[str, str]]] = {}
        self._blobs: dict[str, bytes] = {}  # by blob id: history walks read each version once
        self._listings: dict[str, list[tuple[str, str]] | None] = {}  # "<commit>:<folder>" → files
        self._tags: dict[str, str | None] = {}  # tag name → its commit, or None: read once

    @cached_property
    def _env(self) -> dict[str, str]:
        # git must not look above the root for a repository (see the module's docstring)
        parent = os.path.dirname(os.path.realpath(self.root))
        return {**os.environ, "GIT_CEILING_DIRECTORIES": parent}

    def _run(self, *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes] | None:
        """Run ``git ARGS`` in the root; None if the root is no folder."""
        if not self.root.is_dir():
            return None
        try:
            return subprocess.run(["git", *args], cwd=self.root, env=self._env, input=stdin,
                                  capture_output=True, check=False)
        except FileNotFoundError as exc:
            raise RepositoryError(f"cannot read the history of {self.root}: git is not installed "
                                  "(or not on PATH)") from exc

    def _out(self, *args: str, stdin: bytes | None = None) -> bytes | None:
        """Return what ``git ARGS`` prints, or None if it fails (no such ref, no repository)."""
        done = self._run(*args, stdin=stdin)
        return done.stdout if done is not None and done.returncode == 0 else None

    def _is_repository(self) -> bool:
        return self._out("rev-parse", "--git-dir") is not None

    def _no_repository(self) -> RepositoryError:
        return RepositoryError(f"{self.root}: not a git repository")

    def _not_found(self, ref: str, why: str) -> RepositoryError | UnknownRefError:
        """Return the error for a `ref` git could not read: no repository, or no such `ref`."""
        return self._no_repository() if not self._is_repository() else UnknownRefError(ref, why)

    @property
    def available(self) -> bool:
        """Return whether the project is a git repository with at least one commit."""
        return self._out("rev-parse", "--verify", "-q", "HEAD^{commit}") is not None

    def is_shallow(self) -> bool:
        """Return whether the repository is a shallow clone (part of its history is missing)."""
        return self._out("rev-parse", "--is-shallow-repository") == b"true\n"

    def _commit(self, ref: str) -> str | None:
        rev = _revision(ref)
        out = self._out("rev-parse", "--verify", "-q", f"{rev}^{{commit}}") if rev else None
        return out.decode("ascii").strip() if out else None

    def commit_of(self, ref: str) -> str:
        """Return the full commit id `ref` names."""
        commit = self._commit(ref)
        if commit is None:
            raise self._not_found(ref, "no such version, git ref or commit")
        return commit

    def commit_date(self, commit: str) -> dt.date:
        """Return the day (UTC) `commit` was committed."""
        rev = _revision(commit)
        out = self._out("log", "-1", "--format=%ct", f"{rev}^{{commit}}", "--") if rev else None
        if not out:
            raise self._not_found(commit, "no such commit")
        return dt.datetime.fromtimestamp(int(out), dt.UTC).date()

    def tag_commit(self, name: str) -> str | None:
        """Return the commit of tag `name`, or None if there is no such tag (asked once)."""
        if name not in self._tags:
            self._tags[name] = self._commit(f"refs/tags/{name}")
        return self._tags[name]

    def create_tag(self, name: str, commit: str, message: str) -> None:
        """Create an annotated tag."""
        g = _git()
        try:
            repo: git.Repo = g.Repo(self.root)
            repo.create_tag(name, ref=commit, message=message)
            self._tags.pop(name, None)
        except (g.InvalidGitRepositoryError, g.NoSuchPathError) as exc:
            raise self._no_repository() from exc
        except g.GitCommandError as exc:
            raise RepositoryError(f"cannot create tag {name}: {exc.stderr.strip()}") from exc

    def first_commit_adding(self, path: str) -> str | None:
        """Return the oldest commit (reachable from HEAD) that added file `path`, or None."""
        out = self._out("log", "--format=%H", "--diff-filter=A", "--", path)
        commits = out.decode("ascii").split() if out else []
        return commits[-1] if commits else None

    def tracked_files(self) -> list[str]:
        """Return the files git tracks under the project root, as paths relative to it."""
        done = self._run("ls-files", "-z")
        if done is None or (done.returncode != 0 and not self._is_repository()):
            raise self._no_repository()
        if done.returncode != 0:
            why = done.stderr.decode("utf-8", "replace").strip()
            raise RepositoryError(f"git ls-files failed: {why}")
        return [p for p in done.stdout.decode("utf-8", "surrogateescape").split("\0") if p]

    def files_at(self, commit: str, folder: str) -> dict[str, bytes] | None:
        """Return the files directly in `folder` at `commit`, or None if it has no such folder."""
        if not _FULL_ID.fullmatch(commit):  # a ref: what it names now (kept by commit id)
            commit = self._commit(commit) or ""
        if not commit:
            return None
        self.prefetch([commit], folder)
        listing = self._listings[f"{commit}:{folder}"]
        return None if listing is None else {name: self._blobs[blob] for name, blob in listing}

    def file_at_head(self, path: str) -> tuple[str, bytes | None] | None:
        """Return (HEAD's commit id, file `path` as committed there or None), with one `git cat-file`.

        None when there is no commit to read: no repository, or nothing committed yet. One
        process, where asking for the commit and then its folder takes four: a bulk job reads
        the committed register before its workers can start.
        """
        try:
            head, file = self._cat_file(["HEAD^{commit}", f"HEAD:{path}"])
        except RepositoryError:  # no repository (or no folder)
            return None
        if head is None or head[1] != b"commit":
            return None
        return head[0].decode("ascii"), file[2] if file is not None and file[1] == b"blob" else None

    def prefetch(self, commits: Sequence[str], folder: str) -> None:
        """Read `folder` at each of `commits` (full commit ids), with two `git cat-file` in all.

        For a walk through history: 500 commits cost two processes, not a thousand. The files
        are kept by blob id, so each version's text is read once.
        """
        specs = [f"{c}:{folder}" for c in commits if _FULL_ID.fullmatch(c)]
        todo = [spec for spec in dict.fromkeys(specs) if spec not in self._listings]
        for spec, found in zip(todo, self._cat_file(todo), strict=True):
            self._listings[spec] = _blob_entries(found[2]) if found and found[1] == b"tree" else None
        blobs = {b for spec in specs for _, b in self._listings[spec] or ()}
        missing = sorted(b for b in blobs if b not in self._blobs)
        for blob, found in zip(missing, self._cat_file(missing), strict=True):
            if found is None or found[1] != b"blob":  # a partial clone may lack it
                raise RepositoryError(f"{self.root}: git has no blob {blob} of a tree it listed")
            self._blobs[blob] = found[2]

    def _cat_file(self, specs: list[str], *, contents: bool = True
                  ) -> list[tuple[bytes, bytes, bytes] | None]:
        """Return (id, type, content) of the object each of `specs` names (None: none), in one process.

        Without `contents`, the content is left empty and not read (``--batch-check``).
        """
        if not specs:
            return []
        out = self._out("cat-file", "--batch" if contents else "--batch-check",
                        stdin="".join(f"{s}\n" for s in specs).encode())
        if out is None:
            raise RepositoryError(f"{self.root}: git cat-file cannot read the history")
        found: list[tuple[bytes, bytes, bytes] | None] = []
        at = 0
        for _ in specs:  # each "<id> <type> <size>\n" (then "<content>\n"), or "<spec> missing\n"
            end = out.index(b"\n", at)
            header = out[at:end].split(b" ")
            at = end + 1
            if len(header) != 3 or not header[2].isdigit():
                found.append(None)
                continue
            size = int(header[2]) if contents else 0
            found.append((header[0], header[1], out[at : at + size]))
            if contents:
                at += size + 1
        return found

    def folder_trees(self, folder: str) -> list[tuple[str, str]]:
        """Return (commit, tree id of `folder`) for every commit touching it, newest first.

        The tree ids come from one `git cat-file --batch-check`; a commit that deleted the folder
        has none and is left out.
        """
        if folder in self._folder_trees:
            return self._folder_trees[folder]
        out = self._out("log", "--format=%H", "--", folder)
        if out is None:  # no repository, or no commit yet
            return []
        commits = out.decode("ascii").split()
        specs = [f"{c}:{folder}" for c in commits]
        trees: list[tuple[str, str]] = []
        for commit, found in zip(commits, self._cat_file(specs, contents=False), strict=True):
            if found is not None and found[1] == b"tree":
                trees.append((commit, found[0].decode("ascii")))
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
