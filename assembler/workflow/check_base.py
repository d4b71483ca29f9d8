"""`assembler check --base REF`: the rules a pull request must pass against the branch it merges into.

On top of the rules of `check`, comparing the manifests now with those at REF:

- **window**: a new manifest, or one whose effective date changed, must take effect late
  enough that a notice sent today still reaches every customer on time (art. 11.2, with the
  e-mail delivery buffer); the error names the earliest possible effective date;
- **released**: a manifest that exists at REF is a released version: removing it or changing its
  ``sha256`` edits the released text (withdraw it with ``status = "withdrawn"`` instead).

The toelichting rule (every changed article of a released version explained) is not repeated
here: `check` runs it over every released version (`workflow.check.check_toelichting`), so in a
pull request it covers the new manifest too.
"""

from __future__ import annotations

import datetime as dt
import re

from assembler.agreement.manifests import parse_manifest
from assembler.agreement.project import Project
from assembler.config import load_config
from assembler.dutch import format_date_nl
from assembler.model import Finding, Version
from assembler.notices.deadline import earliest_effective
from assembler.tomlfile import line_of


def buffer_days(project: Project) -> int:
    """Return the e-mail delivery buffer the notices use (``[notices] email_buffer_days``)."""
    from assembler.notices.plan import email_buffer_days  # one place for the setting, loaded only in PR mode

    return email_buffer_days(load_config(project.root))


def manifests_at(project: Project, commit: str, contract: str) -> dict[str, Version]:
    """Return the contract's manifests as they are at `commit`, by version number."""
    folder = f"versions/{contract}"
    files = project.history.files_at(commit, folder) or {}
    out: dict[str, Version] = {}
    for name, data in sorted(files.items()):
        if name.endswith(".toml"):
            version = parse_manifest(data.decode("utf-8", errors="replace"), f"{folder}/{name}")
            out[version.number] = version
    return out


def manifest_key_line(project: Project, version: Version, key: str) -> int:
    """Return the line of `key = …` in the version's manifest (0 when it cannot be read)."""
    try:
        text = (project.root / version.path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return 0
    return line_of(text, rf"^\s*{re.escape(key)}\s*=")


def check_released(project: Project, old: dict[str, Version], new: dict[str, Version],
                   base: str) -> list[Finding]:
    """Versions released at the base keep their manifest and their pin."""
    findings = []
    for number, was in old.items():
        now = new.get(number)
        if now is None:
            findings.append(Finding("error", was.path, 0, (
                f"version {number} is released at {base}: its manifest must not be removed "
                '(to take it back, set status = "withdrawn")'), "released"))
        elif now.sha256 != was.sha256:
            findings.append(Finding("error", now.path, manifest_key_line(project, now, "sha256"), (
                f"version {number} is released at {base} with sha256 {was.sha256[:12]}…; "
                "changing the pin edits the released text: release a new version instead"),
                "released"))
    return findings


def check_window(project: Project, old: dict[str, Version], new: dict[str, Version],
                 today: dt.date, buffer: int) -> list[Finding]:
    """A new or re-dated version leaves customers the art. 11.2 notice month."""
    findings = []
    for number, now in new.items():
        was = old.get(number)
        if was is not None and was.effective == now.effective:
            continue  # announced before (a changed pin is the released rule's error)
        problem = window_problem(number, now.effective, today, buffer)
        if now.status != "released" or problem is None:
            continue
        findings.append(Finding("error", now.path, manifest_key_line(project, now, "effective"), problem,
                                "window"))
    return findings


def window_problem(number: str, effective: dt.date, today: dt.date, buffer: int) -> str | None:
    """Return why `effective` is too soon for the art. 11.2 notice month from `today`, or None."""
    earliest = earliest_effective(today, buffer)
    if effective >= earliest:
        return None
    received = today + dt.timedelta(days=buffer)
    return (f"version {number} takes effect on {effective.isoformat()}, too soon for the "
            f"art. 11.2 notice month: a notice sent today ({today.isoformat()}) reaches customers "
            f"on {received.isoformat()} at the earliest, so the earliest possible effective date "
            f"is {earliest.isoformat()} ({format_date_nl(earliest)})")


def run_base_check(project: Project, contract: str, base: str, today: dt.date) -> list[Finding]:
    """Return the pull-request findings of the work tree's manifests against `base`."""
    commit = project.history.commit_of(base)
    old = manifests_at(project, commit, contract)
    new = {v.number: v for v in project.versions(contract)}
    shown = commit[:12] if base.lower() == commit else base  # a full SHA from CI, shortened
    return (check_released(project, old, new, shown)
            + check_window(project, old, new, today, buffer_days(project)))
