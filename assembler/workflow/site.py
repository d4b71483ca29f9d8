"""`assembler site`: the published history of the agreement as a static website.

The site works from ``file://`` and from any web server: relative links only, no scripts, no
external fonts or styles. Layout::

    index.html                      the current version, every version, how to check a hash
    stijl.css
    versies/<n>.html                a version: status, effective date, SHA-256, toelichting, text
    versies/<n>.pdf                 the text as PDF/A, without a customer (Bijlage 1 in full)
    versies/<n>.txt                 the text as a reader sees it
    versies/<n>.canoniek.txt        the canonical text: its SHA-256 is the one the manifest pins
    wijzigingen/<a>-<b>.html        the redline from the version before: the HTML redline's
                                    summary and marked text in the site's one layout
    subverwerkers/…, subverwerkers.xml   the sub-processor list, earlier lists, changes and their
                                    Atom feed (`workflow.site_subprocessors`)

Each text is parsed once and each redline computed once per pair of SHA-256s, however many
versions share them. The site is written to a
temporary folder beside the output and swapped in when complete, so a failure leaves the previous
site as it was; an existing folder is only replaced when it holds a site this command wrote.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from assembler.agreement.project import Project
from assembler.customers.version_pdf import owner_name, render_version_pdf
from assembler.dutch import today_nl
from assembler.errors import OutputError, UsageError
from assembler.model import Agreement, PublishedState, PublishedVersion, Redline
from assembler.redline.compare import build_redline
from assembler.render.plain_text import agreement_text, canonical_text
from assembler.render.redline_common import describe_nl, service_labels
from assembler.render.site_html import STYLESHEET, SitePages
from assembler.render.text_names import version_line_nl
from assembler.workflow.site_subprocessors import subprocessor_files

MARKER = ".assembler-site"
"""File in the output folder that marks it as a site `assembler site` may replace."""


@dataclass(frozen=True)
class SiteResult:
    """What `build_site` wrote."""

    out: Path
    """The site's folder."""
    versions: tuple[PublishedVersion, ...]
    """The versions published, oldest first."""
    files: int
    """How many files the site has."""


def published_versions(project: Project, contract: str, today: dt.date) -> list[PublishedVersion]:
    """Return every version with its text and its state on `today`, oldest first."""
    versions = project.versions(contract)
    live = [v for v in versions if v.status == "released"]
    in_force = [v for v in live if v.effective <= today]
    current = in_force[-1] if in_force else None
    texts: dict[str, Agreement] = {}
    out = []
    for version in versions:
        _, agreement = project.find_version_text(version)
        agreement = texts.setdefault(agreement.sha256, agreement)
        earlier = [v for v in live if v.key < version.key]
        later = [v for v in live if v.key > version.key and v.effective <= today]
        state: PublishedState
        if version.status == "withdrawn":
            state, until = "withdrawn", None
        elif version is current:
            state, until = "in_force", None
        elif version.effective > today:
            state, until = "announced", None
        else:
            state, until = "superseded", (later[0].effective if later else None)
        out.append(PublishedVersion(version, agreement, state, until,
                                    earlier[-1].number if earlier else None))
    return out


def _site_info(agreement: Agreement, current: str | None, today: dt.date) -> dict[str, object]:
    meta = agreement.meta
    owner = owner_name(meta)
    return {"title": agreement.title, "document": agreement.title.split(" ")[0],
            "owner": owner, "kvk": meta.processor.kvk, "email": meta.processor.email,
            "today": today, "current": current}


def _write(folder: Path, rel: str, data: str | bytes) -> None:
    path = folder / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)


def _version_files(v: PublishedVersion, pages: SitePages,
                   redline: Redline | None) -> dict[str, str | bytes]:
    a, n = v.agreement, v.version.number
    canonical = canonical_text(a.title, a.preamble, a.articles, a.annexes, a.catalogue)
    if hashlib.sha256(canonical.encode("utf-8")).hexdigest() != v.version.sha256:
        raise OutputError(f"{v.version.path}: the text found for version {n} does not have the "
                          "pinned SHA-256; refusing to publish it")
    files: dict[str, str | bytes] = {}
    changes: list[str] = []
    if redline is not None and v.previous:
        changes = [describe_nl(c, service_labels(redline)) for c in redline.changes]
        files[f"wijzigingen/{v.previous}-{n}.html"] = pages.redline(v, redline)
    return files | {f"versies/{n}.html": pages.version(v, changes=changes),
            f"versies/{n}.txt": agreement_text(a, version_line_nl(n)),
            f"versies/{n}.canoniek.txt": canonical,
            f"versies/{n}.pdf": render_version_pdf(v, str(pages.site["owner"]))}


def build_site(project: Project, contract: str, out: Path) -> SiteResult:
    """Write the site for `contract` to folder `out` (replaced as a whole); return what it holds.

    The site states what holds today ("Stand per …", the version in force, the sub-processors
    in use), so today is the real clock's day in Europe/Amsterdam (`dutch.today_nl`), never a
    day given: a published record is not backdated (tests freeze the clock).
    """
    today = today_nl()
    out = out.resolve()
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not (out / MARKER).exists())):
        raise UsageError(f"{out}: exists and is not a site written by `assembler site`; "
                         "choose an empty or new folder")
    versions = published_versions(project, contract, today)
    if not versions:
        raise UsageError(f"{contract}: no released versions yet; nothing to publish")
    current = next((v.version.number for v in versions if v.state == "in_force"), None)
    pages = SitePages(_site_info(versions[-1].agreement, current, today))
    files: dict[str, str | bytes] = {STYLESHEET: pages.stylesheet(),
                                     MARKER: "Written by `assembler site`; replaced on each run.\n",
                                     "index.html": pages.index(versions)}
    by_number = {v.version.number: v for v in versions}
    redlines: dict[tuple[str, str], Redline] = {}
    for v in versions:
        redline = None
        if v.previous:
            key = (by_number[v.previous].agreement.sha256, v.agreement.sha256)
            if key not in redlines:
                redlines[key] = build_redline(project, v.previous, v.version.number, contract)
            redline = redlines[key]
        files.update(_version_files(v, pages, redline))
    latest = versions[-1].agreement
    files.update(subprocessor_files(project, contract, latest.catalogue, latest.meta.website, pages,
                                    today))
    _swap_in(out, files)
    return SiteResult(out, tuple(versions), len(files) - 1)


def _swap_in(out: Path, files: dict[str, str | bytes]) -> None:
    """Write `files` to a fresh folder beside `out`, then put it in place of `out`."""
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    except OSError as exc:
        raise OutputError(f"{out}: cannot write: {exc.strerror or exc}") from exc
    old = out.with_name(f".{out.name}.old")
    try:
        for rel, data in files.items():
            _write(tmp, rel, data)
        tmp.chmod(0o755)
        if old.exists():
            shutil.rmtree(old)
        if out.exists():
            out.rename(old)
        tmp.rename(out)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        if old.exists() and not out.exists():
            old.rename(out)
        raise OutputError(f"{out}: cannot write the site: {exc.strerror or exc}") from exc
    shutil.rmtree(old, ignore_errors=True)


def describe(result: SiteResult, shown: Path | None = None) -> list[str]:
    """Return the lines `assembler site` prints: one per version, then where the site is.

    `shown` is the output folder as the user named it (default: the absolute path).
    """
    lines = []
    for v in reversed(result.versions):
        lines.append(f"{v.version.number:<6} {v.state:<10} effective {v.version.effective.isoformat()}"
                     f"  sha256 {v.version.sha256[:12]}")
    folder = shown or result.out
    lines.append(f"site: {result.files} files in {folder}/ (open {folder / 'index.html'})")
    return lines

