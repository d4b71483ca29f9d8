"""Commands of the agreement in git: `versions` and `show`."""

from __future__ import annotations

import click

from assembler.cli.context import contract_option, echo_json, project
from assembler.customers.timeline import version_states
from assembler.dutch import today_nl
from assembler.render.agreement_export import agreement_json, agreement_markdown
from assembler.render.plain_text import agreement_text


@click.command(short_help="List the versions with their dates and hashes.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
def versions(fmt: str) -> None:
    """List the versions with their effective dates and hashes: announced, in force or superseded."""
    p = project()
    contract = p.contract(contract_option())
    today = today_nl()
    rows = p.versions(contract)
    states = version_states(rows, today)
    if fmt == "json":
        echo_json({"contract": contract, "today": today.isoformat(), "versions": [
            {"version": v.number, "status": v.status, "state": states.get(v.number),
             "effective": v.effective.isoformat(),
             "released": v.released.isoformat() if v.released else None,
             "in_force": states.get(v.number) == "in_force",
             "sha256": v.sha256, "manifest": v.path} for v in rows]})
        return
    if not rows:
        click.echo(f"{contract}: no released versions yet (see `assembler release`)")
        return
    for v in rows:
        state = {"announced": f"announced, takes effect on {v.effective.isoformat()}",
                 "in_force": f"in force since {v.effective.isoformat()}",
                 "superseded": f"superseded (effective {v.effective.isoformat()})",
                 None: v.status}[states.get(v.number)]
        click.echo(f"{contract} {v.number}  {state}  sha256 {v.sha256[:12]}")


@click.command(short_help="Print the agreement as it stands at REF.")
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


def register(group: click.Group) -> None:
    """Add the agreement commands to `group`."""
    for command in (versions, show):
        group.add_command(command)
