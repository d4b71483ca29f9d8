"""Foundation commands: versions, show, check, release."""

from __future__ import annotations

import datetime as dt

import click

from ..checks import run_check
from ..release import release_version
from ..render.agreement import agreement_json, agreement_markdown
from ..text import agreement_text
from ..versions import TOELICHTING_TODO
from .common import contract_option, echo_json, iso_date, project


@click.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
def versions(fmt: str) -> None:
    """List the released versions with their effective dates and hashes."""
    p = project()
    contract = p.contract(contract_option())
    today = dt.date.today()
    rows = p.versions(contract)
    if fmt == "json":
        echo_json({"contract": contract, "versions": [
            {"version": v.number, "status": v.status, "effective": v.effective.isoformat(),
             "released": v.released.isoformat() if v.released else None,
             "in_force": v.status == "released" and v.effective <= today,
             "sha256": v.sha256, "manifest": v.path} for v in rows]})
        return
    if not rows:
        click.echo(f"{contract}: no released versions yet (see `assembler release`)")
        return
    for v in rows:
        when = "in force since" if v.effective <= today else "takes effect on"
        state = v.status if v.status != "released" else f"{when} {v.effective.isoformat()}"
        click.echo(f"{contract} {v.number}  {state}  sha256 {v.sha256[:12]}")


@click.command()
@click.argument("ref", required=False, default="worktree")
@click.option("--format", "fmt", type=click.Choice(["markdown", "text", "json"]),
              default="markdown", show_default=True)
def show(ref: str, fmt: str) -> None:
    """Print the agreement as it stands at REF (version, git ref or worktree)."""
    p = project()
    resolved = p.resolve(ref, p.contract(contract_option()))
    if fmt == "json":
        echo_json(agreement_json(resolved))
    elif fmt == "text":
        click.echo(agreement_text(resolved.agreement, resolved.label), nl=False)
    else:
        click.echo(agreement_markdown(resolved), nl=False)


@click.command()
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


@click.command()
@click.argument("version")
@click.option("--effective", required=True, callback=iso_date, metavar="YYYY-MM-DD",
              help="The day the version takes effect.")
@click.option("--note", "notes", multiple=True, metavar="ARTICLE=TEXT",
              help="Dutch explanation (toelichting) of a changed article, quoted in the notice "
                   "letters; repeat per article ('bijlage-1=…' for Bijlage 1).")
def release(version: str, effective: dt.date, notes: tuple[str, ...]) -> None:
    """Write versions/<contract>/VERSION.toml pinning the current text; refuses on check errors.

    Each changed article gets a [toelichting] entry: the --note given for it, or a TODO marker
    that `assembler check` reports until it is filled in.
    """
    toelichting: dict[str, str] = {}
    for note in notes:
        article, sep, text = note.partition("=")
        if not sep or not article.strip() or not text.strip():
            raise click.BadParameter(f"{note!r} must look like ARTICLE=TEXT, e.g. 7=Wij melden …",
                                     param_hint="--note")
        toelichting[article.strip().removeprefix("artikel ").strip()] = text.strip()
    p = project()
    v = release_version(p, p.contract(contract_option()), version, effective,
                        toelichting=toelichting)
    click.echo(f"released {v.contract} {v.number}: effective {v.effective.isoformat()}, "
               f"sha256 {v.sha256}, manifest {v.path}")
    todo = [a for a, text in v.toelichting.items() if text == TOELICHTING_TODO]
    if v.toelichting:
        click.echo(f"toelichting: {', '.join(k for k in v.toelichting if k not in todo) or 'none'}"
                   + (f"; still to write in {v.path}: {', '.join(todo)}" if todo else ""))


def register(group: click.Group) -> None:
    """Add the foundation commands to `group`."""
    for command in (versions, show, check, release):
        group.add_command(command)
