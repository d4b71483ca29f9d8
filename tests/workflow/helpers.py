"""Helpers for the pull-request workflow tests: the CLI in a temporary project, clause edits."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner, Result
from freezegun import freeze_time

from assembler.cli import main
from tests.conftest import CONTRACT, git

TODAY = "2026-11-28"
"""The day the pull-request and site tests run on (`--today` of `check`, the frozen clock of `site`)."""


def cli(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run `assembler ARGS…` in `cwd` as a user would."""
    return subprocess.run([sys.executable, "-m", "assembler", *args], cwd=cwd,
                          capture_output=True, text=True)


def site_on(project: Path, out: Path, day: str = TODAY) -> Result:
    """Run `assembler site -o OUT` in `project` in-process, the clock frozen at noon of `day`.

    `site` has no `--today`: the published record is dated by the real clock, so a test picks
    its day by freezing that clock (Europe/Amsterdam's day at noon UTC is the same day).
    """
    with freeze_time(f"{day}T12:00:00Z"):
        return CliRunner().invoke(main, ["site", "-o", str(out)], env={"ASSEMBLER_ROOT": str(project)})


def edit(project: Path, name: str, old: str, new: str) -> None:
    """Replace `old` by `new` in clause file `name` of the contract."""
    path = project / "contracts" / CONTRACT / name
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def release(project: Path, version: str, effective: str, notes: dict[str, str] | None = None) -> Path:
    """Release the work tree as `version` with a toelichting per `notes`; return the manifest.

    `assembler release` writes a TODO marker for every changed article without a note.
    `release` itself refuses an effective date too soon for the real today, so the manifest is
    released with a far date and then given `effective` by hand, as a pull request would: these
    tests are about what `check` says of such a manifest on their own `--today`.
    """
    args = [arg for k, v in (notes or {}).items() for arg in ("--note", f"{k}={v}")]
    proc = cli(project, "release", version, "--effective", "2099-12-31", *args)
    assert proc.returncode == 0, proc.stderr
    manifest = project / "versions" / CONTRACT / f"{version}.toml"
    text = manifest.read_text(encoding="utf-8")
    assert "effective = 2099-12-31" in text, text
    manifest.write_text(text.replace("effective = 2099-12-31", f"effective = {effective}"),
                        encoding="utf-8")
    return manifest


def commit_all(project: Path, message: str) -> None:
    """Commit everything in `project`."""
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", message)


def page_text(path: Path) -> str:
    """Return a site page's HTML with its no-break spaces read as spaces (what the words say).

    The site binds "1 december 2026", "versie 1.1" and the like with ``&nbsp;`` (or U+00A0 in
    the feed); the tests of what a page says compare words, those of typography compare spaces.
    """
    return path.read_text(encoding="utf-8").replace("&nbsp;", " ").replace("&#160;", " ")
