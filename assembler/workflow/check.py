"""`assembler check`: the text rules of `lint` plus what needs the manifests and git."""

from __future__ import annotations

import datetime as dt

from assembler.agreement.lint import check_agreement
from assembler.agreement.project import Project
from assembler.errors import AssemblerError, InputError
from assembler.model import Finding
from assembler.subprocessors.lint import check_register
from assembler.workflow.check_base import run_base_check


def _finding(exc: AssemblerError, rule: str, fallback_path: str) -> Finding:
    if isinstance(exc, InputError):
        return Finding("error", exc.path, exc.line or 0, exc.detail, rule)
    return Finding("error", fallback_path, 0, exc.message, rule)


def check_pins(project: Project, contract: str) -> list[Finding]:
    """Every released version's pinned text still exists somewhere (tag, commit, work tree)."""
    findings = []
    for version in project.versions(contract):
        if version.status != "released":
            continue
        try:
            project.find_version_text(version)
        except AssemblerError as exc:
            findings.append(Finding("error", version.path, 0, exc.message.split(": ", 1)[-1],
                                    "pin"))
    return findings


def check_toelichting(project: Project, contract: str) -> list[Finding]:
    """Every changed article of a released version has a written toelichting (notice letters quote it)."""
    from assembler.notices.plan import missing_toelichting
    from assembler.redline.queries import ANNEX_NOTE

    return [Finding("error", version.path, _toelichting_line(project, version.path),
                    f"{'Bijlage 1' if part == ANNEX_NOTE else f'article {part}'} changes in "
                    f"{version.number} but has no toelichting "
                    f"(write it under [toelichting] as {part} = \"…\")", "toelichting")
            for version, part in missing_toelichting(project, contract)]


def _toelichting_line(project: Project, path: str) -> int:
    try:
        lines = (project.root / path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return 0
    return next((i for i, line in enumerate(lines, 1) if line.strip() == "[toelichting]"), 0)


def run_check(project: Project, ref: str | None, contract: str, base: str | None = None,
              today: dt.date | None = None) -> list[Finding]:
    """Return every finding for the text at `ref` and for the contract's manifests.

    With `base` (pull-request mode) also the rules of `prcheck` against that git ref, with
    `today` (default: the real today) as the day a notice could go out.
    """
    findings: list[Finding] = []
    try:
        project.versions(contract)
    except InputError as exc:
        return [_finding(exc, "manifest", f"versions/{contract}")]
    try:
        resolved = project.resolve(ref, contract)
    except InputError as exc:  # a file that does not parse: report it like any finding
        return [_finding(exc, "parse", project.folder(contract))]
    findings.extend(check_agreement(resolved.agreement))
    findings.extend(check_pins(project, contract))
    findings.extend(check_toelichting(project, contract))
    findings.extend(check_register(project, contract, resolved.commit, resolved.agreement.catalogue,
                                   base, today))
    if base is not None:
        findings.extend(run_base_check(project, contract, base, today or dt.date.today()))
    return sorted(findings, key=lambda f: (f.path, f.line, f.message))
