"""Copy a project's text (contracts/ and versions/) into a fresh folder, committed as one version.

Tests, benches and the demo each work on such a copy, so that nothing they release, tag or edit
touches the real project.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from assembler.agreement.history import Author, commit_all

PROJECT_FOLDERS = ("contracts", "versions")
"""What makes a project: the clauses and the version manifests."""
DEFAULT_AUTHOR = Author("Assembler", "assembler@example.com")


def copy_project(src: Path, dest: Path, *, message: str | None = "v1.0",
                 author: Author = DEFAULT_AUTHOR) -> Path:
    """Copy `src`'s contracts/ and versions/ to `dest` and return `dest`.

    With a `message` (the default) `dest` becomes a git repository whose one commit holds the
    copy; with None it stays a plain folder.
    """
    dest.mkdir(parents=True, exist_ok=True)
    for folder in PROJECT_FOLDERS:
        shutil.copytree(src / folder, dest / folder)
    if message is not None:
        commit_all(dest, message, author)
    return dest
