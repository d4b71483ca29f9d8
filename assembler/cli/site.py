"""Commands of issue 7: the personal-data guard, release tags, and the published site."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from ..guard import scan_files
from ..tagging import tag_releases
from .common import contract_option, iso_date, project


@click.command()
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False))
def guard(files: tuple[str, ...]) -> None:
    """Refuse files holding personal data (default: every file git tracks).

    Reports e-mail addresses outside the example domains, Dutch phone numbers, IBANs with a valid
    checksum and SQLite databases as `path:line: error: what`; exits 1 when it finds any. A line
    that must hold such a value on purpose carries the pragma `guard: allow`.
    """
    if files:
        root, paths = Path.cwd(), list(files)
    else:
        p = project()
        root, paths = p.root, p.history.tracked_files()
    findings = scan_files(root, paths)
    for finding in findings:
        click.echo(str(finding))
    click.echo(f"guard: {len(paths)} file(s) scanned, {len(findings)} finding(s)", err=True)
    raise SystemExit(1 if findings else 0)


@click.command()
@click.option("--dry-run", is_flag=True, help="Show which tags would be created.")
def tag(dry_run: bool) -> None:
    """Create the missing git tags <contract>/v<version> of released versions (never moves one)."""
    p = project()
    contract = p.contract(contract_option())
    for result in tag_releases(p, contract, dry_run=dry_run):
        if not result.created:
            state = "tagged" if result.commit else "not committed yet, no tag"
            where = f" at {result.commit[:12]}" if result.commit else ""
            click.echo(f"{result.tag}: {state}{where}")
        else:
            verb = "would create" if dry_run else "created"
            assert result.commit is not None
            click.echo(f"{result.tag}: {verb} at {result.commit[:12]}")


@click.command()
@click.option("-o", "--output", "out", type=click.Path(file_okay=False, path_type=Path),
              default=Path("build/site"), show_default=True, help="Folder to write the site to.")
@click.option("--today", callback=iso_date, metavar="YYYY-MM-DD",
              help="The day the site shows the state of (default: today).")
def site(out: Path, today: dt.date | None) -> None:
    """Write the published history as a static website: every version, redline, PDF and SHA-256.

    Works from file:// and any web server (relative links, no scripts, no external assets).
    Replaces OUTPUT as a whole, and only when it is new, empty or a site written before.
    """
    from ..site import build_site, describe  # Typst and the redline renderers: only when needed

    p = project()
    result = build_site(p, p.contract(contract_option()), out, today or dt.date.today())
    for line in describe(result, out):
        click.echo(line)


def register(group: click.Group) -> None:
    """Add this module's commands to `group`."""
    for command in (guard, tag, site):
        group.add_command(command)
