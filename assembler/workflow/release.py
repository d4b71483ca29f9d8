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

__all__ = ["ANNEX_NOTE", "annex_item_notes", "release_version", "toelichting_for"]


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


def annex_item_notes(previous: Resolved, new: Resolved, per_item: dict[str, str],
                     notes: dict[str, str], number: str) -> dict[str, str]:
    """Check the notes per catalogue id of a new version; return `notes` without the Bijlage 1
    marker they make unnecessary.

    Each id must be a service, data category or data subject of either text (a removed item may
    be explained), and Bijlage 1 must change. With notes per item and no general note, no
    `TOELICHTING_TODO` is written for Bijlage 1: `check` judges whether they cover every change.
    """
    from assembler.notices.customer_changes import catalogue_ids

    if not per_item:
        return notes
    if ANNEX_NOTE not in notes:
        raise UsageError(f"--note {ANNEX_NOTE}:{next(iter(per_item))}=…: Bijlage 1 does not change "
                         f"in {number}")
    known = catalogue_ids(previous.agreement.catalogue) | catalogue_ids(new.agreement.catalogue)
    unknown = [k for k in per_item if k not in known]
    if unknown:
        raise UsageError(f"--note {ANNEX_NOTE}:{unknown[0]}=…: {unknown[0]!r} is no service, data "
                         f"category or data subject of Bijlage 1")
    if notes[ANNEX_NOTE] == TOELICHTING_TODO:
        return {k: v for k, v in notes.items() if k != ANNEX_NOTE}
    return notes


def release_version(project: Project, contract: str, number: str, effective: dt.date,
                    today: dt.date | None = None,
                    toelichting: dict[str, str] | None = None,
                    annex_toelichting: dict[str, str] | None = None) -> Version:
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
    notes, per_item = dict(toelichting or {}), dict(annex_toelichting or {})
    if latest:
        previous, new = project.resolve(latest.number, contract), project.resolve(WORKTREE, contract)
        notes = annex_item_notes(previous, new, per_item,
                                 toelichting_for(previous, new, notes, number), number)
    version = Version(contract=contract, number=number, effective=effective, status="released",
                      sha256=agreement.sha256, released=today, tree=tree_id(files),
                      toelichting=notes, annex_toelichting=per_item)
    path = write_manifest(project.root, version)
    return Version(**{**version.__dict__, "path": path.relative_to(project.root).as_posix()})
