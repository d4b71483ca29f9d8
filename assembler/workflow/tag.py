"""`assembler tag`: give every released version its git tag, ``<contract>/v<version>``.

A version is tagged at the commit that added its manifest when that commit holds the pinned text
(the usual case: text and manifest merged together); otherwise at the oldest commit that holds the
pinned text. A version whose text is not committed yet is left for a later run. Existing tags are
never moved: one that disagrees with its manifest is an error `check` reports.
"""

from __future__ import annotations

from dataclasses import dataclass

from assembler.agreement.project import Project, tag_name
from assembler.errors import AssemblerError
from assembler.model import Version


@dataclass(frozen=True)
class TagResult:
    """What `tag_releases` did for one version."""

    version: Version
    """The version."""
    tag: str
    """The tag's name."""
    commit: str | None
    """The commit tagged (or already tagged); None when the text is not committed yet."""
    created: bool
    """Whether this run created the tag."""


def tag_releases(project: Project, contract: str, dry_run: bool = False) -> list[TagResult]:
    """Create the missing tags of `contract`'s released versions; return what each version has."""
    results = []
    for version in project.versions(contract):
        if version.status != "released":
            continue
        tag = tag_name(contract, version.number)
        existing = project.history.tag_commit(tag)
        if existing:
            results.append(TagResult(version, tag, existing, created=False))
            continue
        commit = _release_commit(project, version)
        if commit and not dry_run:
            project.history.create_tag(tag, commit, (
                f"{contract} {version.number}, effective {version.effective.isoformat()}, "
                f"sha256 {version.sha256}"))
        results.append(TagResult(version, tag, commit, created=commit is not None))
    return results


def _release_commit(project: Project, version: Version) -> str | None:
    added = project.history.first_commit_adding(version.path)
    if added:
        try:
            if project.resolve(added, version.contract).agreement.sha256 == version.sha256:
                return added
        except AssemblerError:
            pass  # the contract folder does not parse there: look for the text elsewhere
    commit, _ = project.find_version_text(version)
    return commit
