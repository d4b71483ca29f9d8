"""`assembler check`: the text rules of `lint` plus what needs the manifests and git."""

from __future__ import annotations

import datetime as dt
import re

from assembler.agreement.lint import check_agreement
from assembler.agreement.manifests import ANNEX_ITEM_NOTES
from assembler.agreement.project import Project
from assembler.dutch import today_nl
from assembler.errors import AssemblerError, InputError
from assembler.model import Finding
from assembler.subprocessors.lint import check_register
from assembler.workflow.check_base import manifest_key_line, run_base_check


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

    per_item = f", or per catalogue id under [{ANNEX_ITEM_NOTES}]"
    return [Finding("error", version.path, _toelichting_line(project, version.path),
                    f"{'Bijlage 1' if part == ANNEX_NOTE else f'article {part}'} changes in "
                    f"{version.number} but has no toelichting "
                    f"(write it under [toelichting] as {part} = \"…\""
                    f"{per_item if part == ANNEX_NOTE else ''})", "toelichting")
            for version, part in missing_toelichting(project, contract)]


def check_annex_notes(project: Project, contract: str) -> list[Finding]:
    """Every id under a manifest's [toelichting-bijlage-1] names a catalogue item of that version.

    A note is read by the customers whose Bijlage 1 has the item it names, so a misspelt id would
    silently reach nobody. An id counts when it is a service, data category or data subject of the
    version's catalogue or of the version before it (an item that was removed can be explained).
    """
    from assembler.notices.customer_changes import catalogue_ids
    from assembler.notices.plan import Texts

    texts = Texts(project, contract)
    released = [v for v in project.versions(contract) if v.status == "released"]
    findings = []
    for before, version in zip([None, *released], released, strict=False):
        if not version.annex_toelichting:
            continue
        try:
            known = catalogue_ids(texts.agreement(version.number).catalogue)
            if before is not None:
                known |= catalogue_ids(texts.agreement(before.number).catalogue)
        except AssemblerError:
            continue  # a text that cannot be found is reported by the pin check
        for key in version.annex_toelichting:
            if key not in known:
                findings.append(Finding(
                    "error", version.path, _key_line(project, version.path, key),
                    f"[{ANNEX_ITEM_NOTES}] names {key!r}, which is no service, data category or "
                    f"data subject of Bijlage 1 in {version.number}", "toelichting"))
    return findings


def _key_line(project: Project, path: str, key: str) -> int:
    """Return the line of `key` in the manifest's [toelichting-bijlage-1] table (0 if not found)."""
    try:
        lines = (project.root / path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return 0
    start = next((i for i, line in enumerate(lines) if line.strip() == f"[{ANNEX_ITEM_NOTES}]"), 0)
    pattern = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=")
    return next((i for i, line in enumerate(lines[start:], start + 1) if pattern.match(line)), 0)


def check_order(project: Project, contract: str) -> list[Finding]:
    """Released versions take effect in the order of their numbers, each after the one before."""
    released = [v for v in project.versions(contract) if v.status == "released"]
    return [Finding("error", now.path, manifest_key_line(project, now, "effective"),
                    f"version {now.number} takes effect on {now.effective.isoformat()}, not after "
                    f"version {before.number} ({before.effective.isoformat()})", "order")
            for before, now in zip(released, released[1:], strict=False)
            if now.effective <= before.effective]


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
    findings.extend(check_annex_notes(project, contract))
    findings.extend(check_order(project, contract))
    findings.extend(check_register(project, contract, resolved.commit, resolved.agreement.catalogue,
                                   base, today))
    if base is not None:
        findings.extend(run_base_check(project, contract, base, today or today_nl()))
    return sorted(findings, key=lambda f: (f.path, f.line, f.message))
