"""Commands of legal's workflow: `check`, `release`, the personal-data guard, tags and the site."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from assembler.cli.context import contract_option, echo_json, iso_date, project
from assembler.model import TOELICHTING_TODO
from assembler.workflow.check import run_check
from assembler.workflow.guard import scan_files
from assembler.workflow.release import release_version
from assembler.workflow.tag import tag_releases


@click.command(short_help="Check the text, the catalogue and the version pins.")
@click.argument("ref", required=False, default="worktree")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
@click.option("--base", metavar="REF",
              help="Pull-request mode: also check the manifests against git ref REF (the base "
                   "branch): notice window, released versions unchanged, a toelichting per change.")
@click.option("--today", callback=iso_date, metavar="YYYY-MM-DD",
              help="With --base: the day a notice could go out (default: today).")
def check(ref: str, fmt: str, base: str | None, today: dt.date | None) -> None:
    """Check numbering, references, defined terms, the catalogue and released-text pins.

    With --base (pull requests): the notice window of a new version, released versions left
    unchanged, and a toelichting for every changed article.

    Prints `path:line: error|warning: message`; exits 0 without errors, 1 with errors.
    """
    p = project()
    contract = p.contract(contract_option())
    findings = run_check(p, ref, contract, base=base, today=today)
    errors = sum(f.severity == "error" for f in findings)
    warnings = len(findings) - errors
    if fmt == "json":
        echo_json({"contract": contract, "ref": ref, "base": base, "errors": errors, "warnings": warnings,
                   "findings": [f.__dict__ for f in findings]})
    else:
        for f in findings:
            click.echo(str(f))
        click.echo(f"{contract} at {ref}: {errors} error(s), {warnings} warning(s)", err=True)
    raise SystemExit(1 if errors else 0)


@click.command(short_help="Pin the current text as a released version.")
@click.argument("version")
@click.option("--effective", required=True, callback=iso_date, metavar="YYYY-MM-DD",
              help="The day the version takes effect.")
@click.option("--note", "notes", multiple=True, metavar="ARTICLE=TEXT",
              help="Dutch explanation (toelichting) of a changed article, quoted in the notice "
                   "letters; repeat per article ('bijlage-1=…' for Bijlage 1, "
                   "'bijlage-1:ID=…' for the customers with catalogue item or service ID).")
def release(version: str, effective: dt.date, notes: tuple[str, ...]) -> None:
    """Write versions/<contract>/VERSION.toml pinning the current text; refuses on check errors.

    Each changed article gets a [toelichting] entry: the --note given for it, or a TODO marker
    that `assembler check` reports until it is filled in. A note 'bijlage-1:ID=…' goes under
    [toelichting-bijlage-1] and is read only by the customers whose Bijlage 1 has item ID (or
    who use service ID).
    """
    toelichting: dict[str, str] = {}
    per_item: dict[str, str] = {}
    for note in notes:
        article, sep, text = note.partition("=")
        if not sep or not article.strip() or not text.strip():
            raise click.BadParameter(f"{note!r} must look like ARTICLE=TEXT, e.g. 7=Wij melden …",
                                     param_hint="--note")
        key = article.strip().removeprefix("artikel ").strip()
        if key.startswith("bijlage-1:"):
            per_item[key.removeprefix("bijlage-1:").strip()] = text.strip()
        else:
            toelichting[key] = text.strip()
    p = project()
    v = release_version(p, p.contract(contract_option()), version, effective,
                        toelichting=toelichting, annex_toelichting=per_item)
    click.echo(f"released {v.contract} {v.number}: effective {v.effective.isoformat()}, "
               f"sha256 {v.sha256}, manifest {v.path}")
    todo = [a for a, text in v.toelichting.items() if text == TOELICHTING_TODO]
    written = [k for k in v.toelichting if k not in todo] + [f"bijlage-1:{k}" for k in v.annex_toelichting]
    if v.toelichting or v.annex_toelichting:
        click.echo(f"toelichting: {', '.join(written) or 'none'}"
                   + (f"; still to write in {v.path}: {', '.join(todo)}" if todo else ""))


@click.command(short_help="Refuse files holding personal data.")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False))
def guard(files: tuple[str, ...]) -> None:
    """Refuse files holding personal data (default: every file git tracks).

    Reports e-mail addresses outside the example domains, Dutch phone numbers, IBANs with a valid
    checksum, BSNs passing the elfproef and SQLite databases as `path:line: error: what`, and a
    missing FILE; exits 1 when it finds any. Binary files it cannot read are listed as warnings.
    A line that must hold such a value on purpose carries the pragma `guard: allow`.
    """
    if files:
        root, paths = Path.cwd(), list(files)
    else:
        p = project()
        root, paths = p.root, p.history.tracked_files()
    findings = scan_files(root, paths, given=bool(files))
    for finding in findings:
        click.echo(str(finding))
    errors = [f for f in findings if f.severity == "error"]
    click.echo(f"guard: {len(paths)} file(s) scanned, {len(errors)} finding(s), "
               f"{len(findings) - len(errors)} binary file(s) not scanned", err=True)
    raise SystemExit(1 if errors else 0)


@click.command(short_help="Create the missing git tags of released versions.")
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


@click.command(short_help="Write the published history as a static website.")
@click.option("-o", "--output", "out", type=click.Path(file_okay=False, path_type=Path),
              default=Path("build/site"), show_default=True, help="Folder to write the site to.")
@click.option("--today", callback=iso_date, metavar="YYYY-MM-DD",
              help="The day the site shows the state of (default: today).")
def site(out: Path, today: dt.date | None) -> None:
    """Write the published history as a static website: every version, redline, PDF and SHA-256.

    Works from file:// and any web server (relative links, no scripts, no external assets).
    Replaces OUTPUT as a whole, and only when it is new, empty or a site written before.
    """
    from assembler.workflow.site import (  # Typst and the redline renderers: only when needed
        build_site,
        describe,
    )

    p = project()
    result = build_site(p, p.contract(contract_option()), out, today or dt.date.today())
    for line in describe(result, out):
        click.echo(line)


def register(group: click.Group) -> None:
    """Add this module's commands to `group`."""
    for command in (check, release, guard, tag, site):
        group.add_command(command)
