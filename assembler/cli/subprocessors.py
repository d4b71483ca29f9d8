"""Commands of the sub-processor register (art. 4.1–4.3): `assembler subprocessors list|diff|pdf`."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import replace
from pathlib import Path
from typing import cast

import click

from assembler.agreement.project import Project
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
from assembler.cli.dry_run import DRY_RUN_HELP, echo_dry_run
from assembler.cli.send_outcome import (
    echo_not_owed,
    echo_refused,
    exit_while_undelivered,
    not_owed_unsent,
    stop_if_refused,
)
from assembler.config import load_config
from assembler.customers.lifecycle import histories, version_in_force
from assembler.customers.registry import Registry
from assembler.dutch import today_nl
from assembler.errors import NoticesLateError, UsageError
from assembler.fsutil import atomic_write_bytes
from assembler.model import Customer, RegisterChange, SubProcessor
from assembler.notices.dating import composed_now, stale_refusal
from assembler.notices.ledger import Ledger
from assembler.notices.refusal import refusals
from assembler.notices.send import (
    SendRequest,
    changed_refusal,
    missing_refusal,
    plan_send,
    send_notices,
)
from assembler.notices.smtp import smtp_settings
from assembler.subprocessors.build import SubprocessorBuildRequest, build_subprocessor_notices
from assembler.subprocessors.document import list_pdf, list_url
from assembler.subprocessors.evidence import EVIDENCE_FIELDS, notice_evidence
from assembler.subprocessors.lateness import late_refusal
from assembler.subprocessors.lint import late_objection_deadline, notice_days
from assembler.subprocessors.listing import diff_lists, in_use, list_at
from assembler.subprocessors.plan import (
    SubprocessorPlan,
    late_subprocessor_plan,
    plan_subprocessor_notices,
)
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



def _notice_context() -> tuple[Project, str, Registry, Ledger]:
    p = project()
    contract = p.contract(contract_option())
    registry = open_cli_registry()
    return p, contract, registry, Ledger(registry.connection, contract, "subprocessor")


def _plan(p: Project, contract: str, registry: Registry, ledger: Ledger, today: dt.date,
          change: str | None) -> tuple[SubprocessorPlan, list[Customer]]:
    everyone = list(registry.customers())
    by_id = histories(registry, customers=everyone)
    customers = [c for c in everyone if version_in_force(by_id[c.customer_id], today) is not None]
    register = read_register(p, contract)
    if change is not None and register.entry(change) is None:
        raise UsageError(f"no sub-processor {change!r} in {register.path}")
    plan = plan_subprocessor_notices(register, customers, ledger, today, notice_days(p), change,
                                     by_id)
    return plan, customers


def _late_error(plan: SubprocessorPlan, how: str = "move `effective` later in the register"
                ) -> NoticesLateError:
    late = plan.late
    changes = sorted({r.change_id for r in late})
    return NoticesLateError(
        f"{len(late)} sub-processor notice(s) can no longer go out {plan.notice_days} days before "
        f"the effective date ({', '.join(changes)}; latest send day "
        f"{min(r.latest_send for r in late).isoformat()}, today {plan.today.isoformat()}): {how}")


@subprocessors.command("plan", short_help="Show which customers each pending change reaches.")
@click.argument("change", required=False)
@click.option("--today", callback=iso_date, metavar="YYYY-MM-DD", help="Plan as of this day (a what-if).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def plan_cmd(change: str | None, today: dt.date | None, fmt: str) -> None:
    """Show per pending change (or CHANGE) which customers it reaches and whether in time.

    Exits 1 when a notice can no longer go out [subprocessors] notice_days before `effective`.
    """
    p, contract, registry, ledger = _notice_context()
    plan, _ = _plan(p, contract, registry, ledger, today or today_nl(), change)
    if fmt == "json":
        echo_json({"contract": contract, "today": plan.today.isoformat(),
                   "notice_days": plan.notice_days,
                   "changes": [{"id": c.entry.id, "name": c.entry.name,
                                "replaces": c.replaced.id if c.replaced else None,
                                "effective": c.entry.effective.isoformat(),
                                "latest_send": c.latest_send.isoformat(),
                                "objection_deadline": c.objection_deadline.isoformat()}
                               for c in plan.changes],
                   "notices": [{**r.__dict__, "latest_send": r.latest_send.isoformat(),
                                "events": list(r.events)} for r in plan.rows]})
    else:
        for c in plan.changes:
            rows = [r for r in plan.rows if r.change_id == c.entry.id]
            counts = ", ".join(f"{sum(r.status == s for r in rows)} {s}"
                               for s in ("on_time", "late", "notified"))
            click.echo(f"{c.entry.id} ({c.entry.name}{', replaces ' + c.replaced.id if c.replaced else ''}) "
                       f"effective {c.entry.effective.isoformat()}; send by {c.latest_send.isoformat()}; "
                       f"objections until {c.objection_deadline.isoformat()}: {len(rows)} customer(s), "
                       f"{counts}")
            for r in rows:
                click.echo(f"  {r.customer_id:<10} {r.status:<9} {r.ledger_state or '-':<8} "
                           f"{' '.join(r.events)}".rstrip())
        click.echo(f"{len(plan.changes)} pending change(s) as of {plan.today.isoformat()} "
                   f"({plan.notice_days} days' notice)")
    if plan.late:
        raise _late_error(plan)


@subprocessors.command("build", short_help="Write the notices of every pending change.")
@click.argument("change", required=False)
@click.option("-o", "--output", "out", type=click.Path(path_type=Path),
              help="Folder for the notices (default: build/notices/subverwerkers/).")
@click.option("--late", is_flag=True,
              help="Build notices that can no longer go out in time; each letter gives the "
                   "customer the full notice period to object, counted from today.")
def build_cmd(change: str | None, out: Path | None, late: bool) -> None:
    """Write the letter PDF and e-mail of every pending change (or CHANGE) still to announce.

    Dated today (Europe/Amsterdam); the hashes go into the notice ledger, kind `subprocessor`.
    A notice that can no longer go out [subprocessors] notice_days before `effective` is built
    only with --late.
    """
    p, contract, registry, ledger = _notice_context()
    today = today_nl()
    plan, customers = _plan(p, contract, registry, ledger, today, change)
    if plan.late:
        if not late:
            raise _late_error(plan, "move `effective` later in the register, or build them with "
                                    "`subprocessors build --late` (their letters then give the "
                                    f"customer until {_late_day(plan)} to object)")
        plan = late_subprocessor_plan(plan)
        click.echo(f"late: the letters give until {_late_day(plan)} to object ({plan.notice_days} "
                   "days from today)", err=True)
    agreement = p.resolve(None, contract).agreement
    config = load_config(p.root)
    sender = smtp_settings(config).sender or agreement.meta.processor.email
    out_dir = out or p.root / "build" / "notices" / "subverwerkers"
    request = SubprocessorBuildRequest(out_dir, today, sender, list_url(agreement.meta),
                                       read_current_register(p, contract),
                                       workers=int(config.get("notices", "workers", 0)) or None,
                                       composed_at=composed_now(today))
    start = time.perf_counter()
    summary = build_subprocessor_notices(plan, customers, agreement.catalogue, agreement.meta,
                                         ledger, p.root, request)
    click.echo(f"built {len(summary.built)} sub-processor notice(s) in {shown_path(out_dir, p.root)}/ "
               f"in {time.perf_counter() - start:.1f} s; {len(summary.kept)} already sent "
               "(kept as recorded)")


def _late_day(plan: SubprocessorPlan) -> str:
    """Return, as YYYY-MM-DD, the last day to object for a notice built late on the plan's day."""
    return late_objection_deadline(plan.today, plan.notice_days).isoformat()


@subprocessors.command("send", short_help="Send the built notices of CHANGE over SMTP.")
@click.argument("change")
@click.option("--dry-run", is_flag=True, help=DRY_RUN_HELP)
@click.option("--retry-failed", is_flag=True, help="Also retry notices refused permanently (5xx).")
def send_cmd(change: str, dry_run: bool, retry_failed: bool) -> None:
    """Send the built notices of CHANGE over SMTP, through the revision notices' send loop.

    A customer whose agreement no longer runs on the change's effective date is skipped, and
    said so. Nothing is sent while any notice is refused (built on an earlier day, late by now
    and not built with --late, its file missing). Exits 1 while any notice of CHANGE is
    undelivered, an earlier run's too. With --dry-run, list what the send would do with each
    notice, refusals included; nothing is sent and no ledger row changes.
    """
    p, contract, registry, ledger = _notice_context()
    if not ledger.notices(change):
        raise UsageError(f"no notices of {change} built yet: run `assembler subprocessors build {change}`")
    settings = smtp_settings(load_config(p.root))
    if not settings.sender:
        settings = replace(settings, sender=p.resolve(None, contract).agreement.meta.processor.email)
    entry = read_register(p, contract).entry(change)
    skip = not_owed_unsent(registry, ledger, change, entry.effective if entry else today_nl())
    today = today_nl()
    todo = [n for n in plan_send(ledger, change, retry_failed).todo if n.customer_id not in skip]
    missing = missing_refusal(p.root, todo, "subprocessor")
    there = [n for n in todo if missing is None or n.customer_id not in missing.reasons]
    found = refusals(stale_refusal(todo, today, f"of {change}", f"assembler subprocessors build {change}"),
                     late_refusal(_plan(p, contract, registry, ledger, today, change)[0], there,
                                  p.root, change), missing,
                     changed_refusal(p.root, todo, "subprocessor"))
    if dry_run:
        echo_dry_run(ledger, change, settings, retry_failed, skip=skip, found=found)
        stop_if_refused(found)
        return
    echo_refused(found)
    stop_if_refused(found)
    echo_not_owed(skip)
    request = SendRequest(change, settings, retry_failed, skip=frozenset(skip))
    summary = send_notices(p.root, registry.path, ledger, request)
    for cid, code, reply in summary.failed:
        click.echo(f"{cid}: failed: {code} {reply}", err=True)
    click.echo(f"sent {len(summary.sent)} notice(s) of {change}, {len(summary.failed)} failed, "
               f"{summary.already_sent} already sent before")
    exit_while_undelivered(ledger.notices(change), [summary], settings,
                           f"subprocessors send {change}", skip)


@subprocessors.command("status", short_help="Export the evidence of CHANGE's notices.")
@click.argument("change")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "csv"]), default="text",
              show_default=True)
def status_cmd(change: str, fmt: str) -> None:
    """Export the evidence of CHANGE's notices: per customer what was sent, when, and what followed."""
    p, contract, _, ledger = _notice_context()
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
    _, _, registry, ledger = _notice_context()
    ev, new = record_outcome(registry, ledger, change, customer, outcome, on or today_nl())
    if new:
        click.echo(f"recorded: {customer} {change} {outcome} on {ev.on.isoformat()}")
    else:
        click.echo(f"already recorded: {customer} {change} {outcome} on {ev.on.isoformat()}; "
                   "not stored again")


def register(group: click.Group) -> None:
    """Add this module's commands to `group`."""
    group.add_command(subprocessors)
