"""The project on disk: its contracts, their versions, and any ref resolved to a parsed text.

A ref is what every command accepts where a text is meant:

- ``worktree`` (the default): the files on disk, edits included;
- a version number (``1.0``): the text its manifest pins, found by tag ``<contract>/v1.0`` when
  one exists, otherwise by the git tree id the manifest records, otherwise in the work tree,
  otherwise by parsing history and comparing the SHA-256 (clones without tags, squashed history);
- any git ref: ``HEAD``, ``main~2``, a commit id, a tag.
"""

from __future__ import annotations

import os
from pathlib import Path

from assembler.agreement import parse_cache
from assembler.agreement.history import History, tree_id
from assembler.agreement.manifests import VERSION_RE, read_versions
from assembler.agreement.parse import parse_agreement
from assembler.errors import AssemblerError, RepositoryError, UnknownContractError, UnknownRefError
from assembler.model import Agreement, Resolved, Version

WORKTREE = "worktree"


def find_root(start: Path | None = None) -> Path:
    """Return the project root: ``$ASSEMBLER_ROOT``, or the nearest folder up with contracts/."""
    env = os.environ.get("ASSEMBLER_ROOT")
    if env:
        root = Path(env).resolve()
        if not (root / "contracts").is_dir():
            raise RepositoryError(f"ASSEMBLER_ROOT={env}: no contracts/ folder there")
        return root
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "contracts").is_dir():
            return folder
    raise RepositoryError(f"{here}: not inside an assembler project (no contracts/ folder found)")


def tag_name(contract: str, version: str) -> str:
    """Return the git tag of a released version: ``verwerkersovereenkomst/v1.0``."""
    return f"{contract}/v{version}"


class Project:
    """A checkout of the contracts repository."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.history = History(root)
        self._parsed: dict[str, Agreement] = {}  # by git tree id of the contract folder
        self._versions: dict[str, list[Version]] = {}

    # --- contracts and versions -------------------------------------------------------------

    def contracts(self) -> list[str]:
        """Return the ids of the contracts under contracts/."""
        base = self.root / "contracts"
        return sorted(p.name for p in base.iterdir() if (p / "contract.toml").is_file())

    def contract(self, name: str | None = None) -> str:
        """Return `name` checked, or the only contract when `name` is None."""
        known = self.contracts()
        if name is None:
            if len(known) == 1:
                return known[0]
            raise UnknownContractError(
                "several contracts; choose one with --contract: " + ", ".join(known)
                if known else "no contract under contracts/ (a folder with contract.toml)")
        if name not in known:
            raise UnknownContractError(
                f"unknown contract {name!r}; known: {', '.join(known) or 'none'}")
        return name

    def folder(self, contract: str) -> str:
        """Return the contract's folder relative to the root."""
        return f"contracts/{contract}"

    def versions(self, contract: str) -> list[Version]:
        """Return the contract's versions, oldest first."""
        if contract not in self._versions:
            self._versions[contract] = read_versions(self.root, contract)
        return self._versions[contract]

    def version(self, contract: str, number: str) -> Version | None:
        """Return the manifest of version `number`, or None."""
        return next((v for v in self.versions(contract) if v.number == number), None)

    # --- texts ----------------------------------------------------------------------------

    def worktree_files(self, contract: str) -> dict[str, bytes]:
        """Return the contract folder's files as they are on disk; refuse symbolic links.

        A link could point anywhere (``/etc/passwd``, another customer's data) and its target
        would be read, checked and released as contract text.
        """
        base = self.root / self.folder(contract)
        try:
            entries = [p for p in sorted(base.iterdir()) if not p.name.startswith(".")]
            links = [p for p in entries if p.is_symlink()]
            if links:
                raise RepositoryError(f"{links[0]}: is a symbolic link; the contract's files must be "
                                      "plain files in the folder (copy the text in)")
            return {p.name: p.read_bytes() for p in entries if p.is_file()}
        except OSError as exc:
            raise RepositoryError(f"{base}: cannot read: {exc.strerror or exc}") from exc

    def _kept(self, contract: str, tree: str) -> Agreement | None:
        """Return the text with git tree id `tree` if this project or an earlier command parsed it."""
        if tree not in self._parsed:
            agreement = parse_cache.load(self.root, self.folder(contract), tree)
            if agreement is None:
                return None
            self._parsed[tree] = agreement
        return self._parsed[tree]

    def _parse(self, files: dict[str, bytes], contract: str, tree: str | None = None) -> Agreement:
        """Return the text of `files`, parsed once per project and kept for later commands."""
        key = tree or tree_id(files)
        agreement = self._kept(contract, key)
        if agreement is None:
            folder = self.folder(contract)
            agreement = self._parsed[key] = parse_agreement(files, folder)
            parse_cache.keep(self.root, folder, key, agreement)
        return agreement

    def _at_commit(self, commit: str, contract: str, ref: str, tree: str | None = None) -> Agreement:
        if tree is not None and (kept := self._kept(contract, tree)) is not None:
            return kept  # its files need not be read from git
        files = self.history.files_at(commit, self.folder(contract))
        if files is None:
            raise UnknownRefError(ref, f"{self.folder(contract)} does not exist at {commit[:12]}")
        return self._parse(files, contract, tree)

    def _released_by_hash(self, sha: str, contract: str) -> Version | None:
        return next((v for v in self.versions(contract) if v.sha256 == sha), None)

    def resolve(self, ref: str | None = None, contract: str | None = None) -> Resolved:
        """Resolve `ref` (default: the work tree) to a parsed text."""
        contract = self.contract(contract)
        ref = ref or WORKTREE
        if ref == WORKTREE:
            agreement = self._parse(self.worktree_files(contract), contract)
            return Resolved(ref, None, self._released_by_hash(agreement.sha256, contract), agreement)
        if VERSION_RE.match(ref):
            version = self.version(contract, ref)
            if version is None:
                known = ", ".join(v.number for v in self.versions(contract)) or "none"
                raise UnknownRefError(ref, f"no version {ref} of {contract} (released: {known})")
            commit, agreement = self.find_version_text(version)
            return Resolved(ref, commit, version, agreement)
        if not self.history.available:
            raise UnknownRefError(ref, f"{self.root} is not a git repository with commits")
        commit = self.history.commit_of(ref)
        agreement = self._at_commit(commit, contract, ref)
        return Resolved(ref, commit, self._released_by_hash(agreement.sha256, contract), agreement)

    def find_version_text(self, version: Version) -> tuple[str | None, Agreement]:
        """Return (commit or None for the work tree, text) pinned by `version`'s manifest.

        Raises `UnknownRefError` when no tag, commit or work tree holds the pinned text, which
        means the released text was edited (or the commit that held it is gone).
        """
        contract = version.contract
        tag = tag_name(contract, version.number)
        tag_commit = self.history.tag_commit(tag)
        if tag_commit:
            agreement = self._at_commit(tag_commit, contract, version.number)
            if agreement.sha256 != version.sha256:
                raise UnknownRefError(
                    version.number,
                    f"tag {tag} holds text with sha256 {agreement.sha256[:12]}…, but "
                    f"{version.path} pins {version.sha256[:12]}…: the released text was edited")
            return tag_commit, agreement
        trees = self.history.folder_trees(self.folder(contract))
        if version.tree:
            # Oldest commit with the pinned tree: the answer does not move as history grows.
            for commit, tree in reversed(trees):
                if tree == version.tree:
                    agreement = self._at_commit(commit, contract, version.number, tree)
                    if agreement.sha256 == version.sha256:
                        return commit, agreement
        files = self.worktree_files(contract)
        worktree = self._parse(files, contract)
        if version.tree and tree_id(files) == version.tree and worktree.sha256 == version.sha256:
            return None, worktree  # released but not committed yet
        found = self._by_hash(version, trees)
        if found is not None:
            return found
        if worktree.sha256 == version.sha256:
            return None, worktree
        raise self._not_found(version)

    def _by_hash(self, version: Version, trees: list[tuple[str, str]]) -> tuple[str, Agreement] | None:
        """Return the oldest (commit, text) of `trees` whose text has `version`'s hash, or None.

        Texts parsed before are loaded (`_kept`); from the first that is not, the rest of the
        walk is read from git at once, in two processes (`History.prefetch`).
        """
        walk = list(reversed(trees))
        for i, (commit, tree) in enumerate(walk):
            if self._kept(version.contract, tree) is None:
                self.history.prefetch([c for c, _ in walk[i:]], self.folder(version.contract))
            agreement = self._at_commit(commit, version.contract, version.number, tree)
            if agreement.sha256 == version.sha256:
                return commit, agreement
        return None

    def _not_found(self, version: Version) -> AssemblerError:
        """Return the error for a pinned text found nowhere: a shallow clone, or an edited text."""
        if self.history.is_shallow():
            return RepositoryError(
                f"history missing: {self.root} is a shallow clone, so the text {version.path} pins "
                f"may lie in a commit it does not have; fetch the whole history (`git fetch "
                f"--unshallow`, or actions/checkout with fetch-depth: 0)")
        return UnknownRefError(
            version.number,
            f"no tag, commit or work tree holds the text {version.path} pins "
            f"(sha256 {version.sha256[:12]}…): was the released text edited?")

