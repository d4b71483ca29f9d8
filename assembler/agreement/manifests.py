"""Version manifests: versions/<contract>/<version>.toml, one per released version.

A manifest pins the SHA-256 of the canonical text (see `render/plain_text.py`), so the released text can be
found in any clone (with or without tags, after a squash) and proven unedited.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path, PurePosixPath
from typing import Any

import tomli_w

from assembler.errors import ManifestError
from assembler.fsutil import atomic_write_text
from assembler.model import Version, version_key
from assembler.tomlfile import line_of, load_toml

VERSION_RE = re.compile(r"^\d+\.\d+$")
STATUSES = ("released", "withdrawn")
ANNEX_ITEM_NOTES = "toelichting-bijlage-1"
"""The manifest table of Bijlage 1 explanations per catalogue id (service, data category, subject)."""


def manifest_dir(root: Path, contract: str) -> Path:
    """Return the folder holding the manifests of `contract`."""
    return root / "versions" / contract


def read_manifest(path: Path, root: Path) -> Version:
    """Read and validate one manifest."""
    rel = path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ManifestError(rel, None, f"cannot read: {exc}") from exc
    return parse_manifest(text, rel)


def _text_table(data: dict[str, Any], text: str, rel: str, name: str, keys: str) -> dict[str, str]:
    """Return the manifest's table `name` of Dutch texts; raise when it maps to anything else."""
    table = data.get(name, {})
    if not isinstance(table, dict) or not all(isinstance(v, str) for v in table.values()):
        raise ManifestError(rel, line_of(text, rf"^\s*\[{re.escape(name)}\]") or None,
                            f"[{name}] must map {keys} to text")
    return {str(k): v for k, v in table.items()}


def parse_manifest(text: str, rel: str) -> Version:
    """Validate the manifest `text` read from `rel` (``versions/<contract>/<version>.toml``)."""
    path = PurePosixPath(rel)
    data = load_toml(text, rel, ManifestError)

    def where(key: str) -> int | None:
        return line_of(text, rf"^\s*{re.escape(key)}\s*=") or None

    number = data.get("version")
    if not isinstance(number, str) or not VERSION_RE.match(number):
        raise ManifestError(rel, where("version"), "'version' must be a string like \"1.0\"")
    if path.stem != number:
        raise ManifestError(rel, where("version"),
                            f"version {number!r} does not match the file name {path.name!r}")
    contract = data.get("contract")
    if not isinstance(contract, str) or contract != path.parent.name:
        raise ManifestError(rel, where("contract"),
                            f"'contract' must be {path.parent.name!r}, the folder's name")
    effective = data.get("effective")
    if not isinstance(effective, dt.date) or isinstance(effective, dt.datetime):
        raise ManifestError(rel, where("effective"), "'effective' must be a date (YYYY-MM-DD)")
    released = data.get("released")
    if released is not None and (not isinstance(released, dt.date)
                                 or isinstance(released, dt.datetime)):
        raise ManifestError(rel, where("released"), "'released' must be a date (YYYY-MM-DD)")
    status = data.get("status", "released")
    if status not in STATUSES:
        raise ManifestError(rel, where("status"), f"'status' must be one of {', '.join(STATUSES)}")
    sha = data.get("sha256")
    if not isinstance(sha, str) or not re.fullmatch(r"[0-9a-f]{64}", sha):
        raise ManifestError(rel, where("sha256"), "'sha256' must be 64 lower-case hex digits")
    tree = data.get("tree", "")
    if not isinstance(tree, str) or (tree and not re.fullmatch(r"[0-9a-f]{40}", tree)):
        raise ManifestError(rel, where("tree"), "'tree' must be a 40-digit git tree id")
    notes = _text_table(data, text, rel, "toelichting", "article numbers")
    per_item = _text_table(data, text, rel, ANNEX_ITEM_NOTES, "catalogue ids")
    return Version(contract=contract, number=number, effective=effective, status=status,
                   sha256=sha, released=released, tree=tree,
                   toelichting=notes, annex_toelichting=per_item, path=rel)


def read_versions(root: Path, contract: str) -> list[Version]:
    """Return every manifest of `contract`, oldest version first."""
    folder = manifest_dir(root, contract)
    if not folder.is_dir():
        return []
    versions = [read_manifest(p, root) for p in folder.glob("*.toml")]
    return sorted(versions, key=lambda v: v.key)


def _note_key(item: tuple[str, str]) -> tuple[int, tuple[int, ...], str]:
    """Sort articles by number ("2" before "10"), other keys ("bijlage-1") after them."""
    key = item[0]
    return (0, version_key(key), "") if re.fullmatch(r"\d+(\.\d+)*", key) else (1, (), key)


def write_manifest(root: Path, version: Version) -> Path:
    """Write `version` as its manifest, atomically; return the path."""
    data: dict[str, Any] = {
        "contract": version.contract,
        "version": version.number,
        "status": version.status,
        "effective": version.effective,
    }
    if version.released:
        data["released"] = version.released
    data["sha256"] = version.sha256
    if version.tree:
        data["tree"] = version.tree
    if version.toelichting:
        data["toelichting"] = dict(sorted(version.toelichting.items(), key=_note_key))
    if version.annex_toelichting:  # in the order legal wrote them: the order customers read them
        data[ANNEX_ITEM_NOTES] = dict(version.annex_toelichting)
    header = (f"# Manifest of {version.contract} {version.number}, written by `assembler release`.\n"
              "# sha256 pins the canonical text; editing the released text breaks `assembler check`.\n")
    path = manifest_dir(root, version.contract) / f"{version.number}.toml"
    atomic_write_text(path, header + tomli_w.dumps(data))
    return path
