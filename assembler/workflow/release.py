"""`assembler release`: pin the work tree's text as a new version."""

from __future__ import annotations

import datetime as dt

from assembler.agreement.history import tree_id
from assembler.agreement.manifests import VERSION_RE, write_manifest
from assembler.agreement.project import WORKTREE, Project
from assembler.dutch import today_nl
from assembler.errors import CheckFailedError, UsageError
from assembler.model import TOELICHTING_TODO, Resolved, Version, version_key
from assembler.redline.diff import diff_agreements
from assembler.redline.queries import ANNEX_NOTE, explained_parts
from assembler.workflow.check import run_check
from assembler.workflow.check_base import buffer_days, window_problem

__all__ = ["ANNEX_NOTE", "release_version", "toelichting_for"]


def toelichting_for(previous: Resolved, new: Resolved, notes: dict[str, str],
                    number: str) -> dict[str, str]:
    """Return the [toelichting] of a new version: one entry per changed article, and one for
    Bijlage 1 (key `ANNEX_NOTE`) when it changes.

    A part without a note gets the marker `TOELICHTING_TODO`, which `check` reports until someone
    writes the explanation; a note for an article (or Bijlage 1) that does not change is refused.
    """
    changed = explained_parts(diff_agreements(previous, new))
    stray = sorted(set(notes) - set(changed), key=str)
    if stray:
        what = "Bijlage 1" if stray[0] == ANNEX_NOTE else f"article {stray[0]}"
        raise UsageError(f"--note {stray[0]}=…: {what} does not change in {number} "
                         f"(changed: {', '.join(changed) or 'none'})")
    return {a: notes.get(a, "").strip() or TOELICHTING_TODO for a in changed}


def release_version(project: Project, contract: str, number: str, effective: dt.date,
                    today: dt.date | None = None,
                    toelichting: dict[str, str] | None = None) -> Version:
    """Write the manifest of version `number` pinning the current work tree; return it.

    Refuses when `check` reports errors, when the version exists or is not newer than the
    latest, when the text is identical to the latest version's, and when `effective` is not
    after the latest version's or too soon for the art. 11.2 notice month from `today`.
    """
    today = today or today_nl()
    if not VERSION_RE.match(number):
        raise UsageError(f"version {number!r} must look like 1.1 (major.minor)")
    findings = run_check(project, WORKTREE, contract)
    errors = [f for f in findings if f.severity == "error"]
    if errors:
        raise CheckFailedError(
            f"cannot release {number}: check reports {len(errors)} error(s), the first: {errors[0]}")
    versions = project.versions(contract)
    if any(v.number == number for v in versions):
        raise UsageError(f"version {number} of {contract} already exists")
    latest = versions[-1] if versions else None
    if latest and version_key(number) <= latest.key:
        raise UsageError(f"version {number} is not newer than the latest, {latest.number}")
    if latest and effective <= latest.effective:
        raise UsageError(f"version {number} cannot take effect on {effective.isoformat()}: not "
                         f"after version {latest.number}'s effective date, "
                         f"{latest.effective.isoformat()}")
    if latest and (problem := window_problem(number, effective, today, buffer_days(project))):
        raise UsageError(problem)
    files = project.worktree_files(contract)
    agreement = project.resolve(WORKTREE, contract).agreement
    if latest and latest.sha256 == agreement.sha256:
        raise UsageError(f"the text is identical to version {latest.number}; nothing to release")
    notes = dict(toelichting or {})
    if latest:
        notes = toelichting_for(project.resolve(latest.number, contract),
                                project.resolve(WORKTREE, contract), notes, number)
    version = Version(contract=contract, number=number, effective=effective, status="released",
                      sha256=agreement.sha256, released=today, tree=tree_id(files),
                      toelichting=notes)
    path = write_manifest(project.root, version)
    return Version(**{**version.__dict__, "path": path.relative_to(project.root).as_posix()})
