"""Commands of the sub-processor register (art. 4.1–4.3): `assembler subprocessors list|diff|pdf`.

And the evidence of its notices (`status`, `record`); the notices themselves (`plan`, `build`,
`send`) are in `subprocessors_notices`, and `register` adds them to the group.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import cast

import click

from assembler.cli.context import (
    contract_option,
    echo_csv,
    echo_json,
    iso_date,
    one_event,
    project,
    shown_path,
)
from assembler.cli.context import registry as open_cli_registry
from assembler.cli.subprocessors_notices import build_cmd, notice_context, plan_cmd, send_cmd
from assembler.dutch import today_nl
from assembler.errors import UsageError
from assembler.fsutil import atomic_write_bytes
from assembler.model import RegisterChange, SubProcessor
from assembler.subprocessors.document import list_pdf
from assembler.subprocessors.evidence import EVIDENCE_FIELDS, notice_evidence
from assembler.subprocessors.listing import diff_lists, in_use, list_at
from assembler.subprocessors.record import Outcome, record_outcome
from assembler.subprocessors.register import read_current_register, read_register

COLUMNS = ("id", "name", "registration", "country", "locations", "purpose", "services",
           "categories", "transfer", "added", "effective", "removed", "replaces")


def _row(e: SubProcessor) -> dict[str, object]:
    return {k: (list(v) if isinstance(v, tuple) else v.isoformat() if isinstance(v, dt.date)
                else "" if v is None else v) for k in COLUMNS for v in [getattr(e, k)]}


@click.group(short_help="The sub-processor register (art. 4.1–4.3) and notices.")
def subprocessors() -> None:
    """The sub-processor register (art. 4.1–4.3): list, diff, the PDF list, and notices."""


@subprocessors.command("list", short_help="Show the sub-processors in use on a day.")
@click.option("--customer", "customer_id", help="Only the sub-processors for this customer's services.")
@click.option("--on", "on", callback=iso_date, metavar="YYYY-MM-DD", help="The day (default: today).")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "csv"]), default="text",
              show_default=True)
def list_cmd(customer_id: str | None, on: dt.date | None, fmt: str) -> None:
    """Show the sub-processors in use on a day, narrowed to one customer's services."""
    p = project()
    contract = p.contract(contract_option())
    register = read_register(p, contract)
    services = None
    if customer_id:
        with open_cli_registry() as registry:
            services = registry.customer(customer_id).services
    day = on or today_nl()
    entries = in_use(register, day, services)
    if fmt == "json":
        echo_json({"contract": contract, "on": day.isoformat(), "customer": customer_id,
                   "register_sha256": register.sha256, "subprocessors": [_row(e) for e in entries]})
    elif fmt == "csv":
        echo_csv(({k: ";".join(v) if isinstance(v, list) else v for k, v in _row(e).items()}
                  for e in entries), COLUMNS)
    else:
        for e in entries:
            click.echo(f"{e.id:<26} {e.name:<32} {','.join(e.locations):<8} "
                       f"{e.transfer or '-':<10} since {e.effective.isoformat()}  {e.purpose}")
        whose = f" for {customer_id}" if customer_id else ""
        click.echo(f"{len(entries)} sub-processor(s) in use on {day.isoformat()}{whose}")


def _describe(c: RegisterChange) -> str:
    e = c.new or c.old
    assert e is not None
    if c.kind == "changed":
        assert c.old is not None and c.new is not None
        parts = [f"{f}: {_value(getattr(c.old, f))} -> {_value(getattr(c.new, f))}" for f in c.fields]
        return f"changed  {c.entry_id} ({e.name}): " + "; ".join(parts)
    return f"{c.kind:<8} {c.entry_id} ({e.name}, {','.join(e.locations)}, effective {e.effective})"


def _value(v: object) -> str:
    if isinstance(v, tuple):
        return ",".join(v) or "-"
    return "-" if v in (None, "") else str(v)


@subprocessors.command("diff", short_help="Show the sub-processors changed from OLD to NEW.")
@click.argument("old")
@click.argument("new")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
def diff_cmd(old: str, new: str, fmt: str) -> None:
    """Show the sub-processors added, removed and changed from OLD to NEW.

    OLD and NEW are git refs (the register at that commit) or dates YYYY-MM-DD (the list in use
    on that day by the work tree's register).
    """
    p = project()
    contract = p.contract(contract_option())
    changes = diff_lists(list_at(p, contract, old), list_at(p, contract, new))
    if fmt == "json":
        echo_json({"old": old, "new": new, "changes": [
            {"kind": c.kind, "id": c.entry_id, "fields": list(c.fields),
             "old": _row(c.old) if c.old else None, "new": _row(c.new) if c.new else None}
            for c in changes]})
        return
    for c in changes:
        click.echo(_describe(c))
    click.echo(f"{len(changes)} change(s) from {old} to {new}")


@subprocessors.command("pdf", short_help="Write one customer's list of sub-processors (PDF/A).")
@click.option("--customer", "customer_id", required=True, help="The customer the list is for.")
@click.option("-o", "--output", "out", type=click.Path(path_type=Path),
              help="The PDF to write (default: build/subverwerkers/CUSTOMER.pdf).")
def pdf_cmd(customer_id: str, out: Path | None) -> None:
    """Write the Dutch "Lijst van sub-verwerkers" of one customer (PDF/A), as of today.

    Its metadata (keywords) carry the register's git commit and SHA-256.
    """
    p = project()
    contract = p.contract(contract_option())
    register = read_current_register(p, contract)
    with open_cli_registry() as registry:
        customer = registry.customer(customer_id)
    agreement = p.resolve(None, contract).agreement
    data = list_pdf(register, agreement.catalogue, agreement.meta, customer, today_nl())
    path = out or p.root / "build" / "subverwerkers" / f"{customer_id}.pdf"
    atomic_write_bytes(path, data)
    click.echo(f"wrote {shown_path(path, p.root)} ({len(data)} bytes; register sha256 "
               f"{register.sha256[:12]}, "
               f"commit {register.commit[:12] if register.commit else 'worktree (uncommitted)'})")


@subprocessors.command("status", short_help="Export the evidence of CHANGE's notices.")
@click.argument("change")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "csv"]), default="text",
              show_default=True)
def status_cmd(change: str, fmt: str) -> None:
    """Export the evidence of CHANGE's notices: per customer what was sent, when, and what followed."""
    p, contract, _, ledger = notice_context()
    rows = notice_evidence(ledger, change)
    if not rows:
        register = read_register(p, contract)
        if register.entry(change) is None:
            raise UsageError(f"no sub-processor {change!r} in {register.path} and no notices of it "
                             "in the ledger")
    if fmt == "json":
        echo_json({"contract": contract, "change": change, "notices": rows})
    elif fmt == "csv":
        echo_csv(rows, EVIDENCE_FIELDS)
    else:
        for r in rows:
            click.echo(f"{r['customer_id']:<10} {r['state']:<8} {r['sent_at'] or '-':<20} {r['address']}"
                       f"{'  [' + str(r['events']) + ']' if r['events'] else ''}")
        click.echo(f"{len(rows)} notice(s) of {change}")


@subprocessors.command("record", short_help="Record an objection, its resolution or a termination.")
@click.argument("customer")
@click.argument("change")
@click.option("--objected", is_flag=True, help="The customer objected (art. 4.1).")
@click.option("--resolved", is_flag=True, help="The objection was resolved (art. 4.2).")
@click.option("--terminated", is_flag=True,
              help="No solution: the customer terminated with one day's notice (art. 4.2).")
@click.option("--on", "on", callback=iso_date, metavar="YYYY-MM-DD", help="When (default: today).")
def record_cmd(customer: str, change: str, objected: bool, resolved: bool, terminated: bool,
               on: dt.date | None) -> None:
    """Record an objection to CHANGE, its resolution, or a termination under art. 4.2.

    One event at a time, on a day neither in the future nor before the notice was sent (a
    resolution or termination not before the objection). The same event on the same day is
    recorded once.
    """
    outcome = cast(Outcome, one_event({"objected": objected, "resolved": resolved,
                                       "terminated": terminated}))
    _, _, registry, ledger = notice_context()
    ev, new = record_outcome(registry, ledger, change, customer, outcome, on or today_nl())
    if new:
        click.echo(f"recorded: {customer} {change} {outcome} on {ev.on.isoformat()}")
    else:
        click.echo(f"already recorded: {customer} {change} {outcome} on {ev.on.isoformat()}; "
                   "not stored again")


def register(group: click.Group) -> None:
    """Add this module's commands to `group`."""
    for command in (plan_cmd, build_cmd, send_cmd):
        subprocessors.add_command(command)
    group.add_command(subprocessors)
