"""A redline between two refs of a project: resolve both, date it, author it, diff it.

The date the tracked changes and the PDF carry is never the clock:

- NEW is a released version (by number, or a ref whose text a manifest pins): its release date,
  else its effective date;
- NEW is a git ref: the day (UTC) of its commit;
- NEW is ``worktree`` with unreleased edits: the day of the ``HEAD`` commit (stable until the next
  commit); without git history, the old side's date by the same rules, else 1 January 1980.

The author is ``[redline] author`` from assembler.toml (``ASSEMBLER_REDLINE_AUTHOR``), default
"VoIP Express".
"""

from __future__ import annotations

import datetime as dt

from assembler.agreement.project import Project
from assembler.config import load_config
from assembler.model import Redline, Resolved
from assembler.redline.diff import DEFAULT_AUTHOR, FALLBACK_DATE, diff_agreements, version_date


def resolved_date(project: Project, resolved: Resolved) -> dt.date | None:
    """Return the date a resolved text stands for (see the module docstring), or None."""
    released = version_date(resolved)
    if released:
        return released
    if resolved.commit:
        return project.history.commit_date(resolved.commit)
    if project.history.available:
        return project.history.commit_date("HEAD")
    return None


def build_redline(project: Project, old_ref: str, new_ref: str,
                  contract: str | None = None) -> Redline:
    """Return the redline from `old_ref` to `new_ref` (version numbers, git refs or worktree)."""
    contract = project.contract(contract)
    old = project.resolve(old_ref, contract)
    new = project.resolve(new_ref, contract)
    author = str(load_config(project.root).get("redline", "author", DEFAULT_AUTHOR) or DEFAULT_AUTHOR)
    date = resolved_date(project, new) or resolved_date(project, old) or FALLBACK_DATE
    return diff_agreements(old, new, author=author, date=date)
