"""Commands of the notices: `assembler notices plan|build|send|record|status` (art. 11.2 notices)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import click

from assembler.cli.context import contract_option, echo_json, iso_date, project
from assembler.cli.context import registry as open_cli_registry
from assembler.config import load_config
from assembler.dutch import format_date_nl
from assembler.errors import NoticesLateError, UsageError
from assembler.model import LedgerNotice
from assembler.notices.build import BuildRequest, build_notices
from assembler.notices.deadline import latest_send_day
from assembler.notices.ledger import EVENTS, Ledger, ledger_lock
from assembler.notices.plan import (
    NoticePlan,
    PlanRequest,
    Texts,
    counts_as_given,
    email_buffer_days,
    notice_version,
    plan_notices,
)
from assembler.notices.send import SendRequest, SendSummary, plan_send, send_notices
from assembler.notices.smtp import Delivery, SmtpSettings, smtp_settings


@contextmanager
def _progress(label: str) -> Iterator[Callable[[int, int], None]]:
    """Yield a callback(done, total) drawing a rich progress bar on stderr when it is a terminal."""
    if not sys.stderr.isatty():
        yield lambda done, total: None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    with Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  TextColumn("ETA"), TimeRemainingColumn(), console=Console(stderr=True),
                  transient=False) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


def _context() -> tuple[Any, str, Any]:
    p = project()
    contract = p.contract(contract_option())
    return p, contract, load_config(p.root)


def _plan(version: str, today: dt.date | None) -> tuple[Any, NoticePlan, Any, Any]:
    p, contract, config = _context()
    registry = open_cli_registry()
    ledger = Ledger(registry.connection, contract)
    customers = list(registry.customers())
    request = PlanRequest(contract, version, today or dt.date.today(), email_buffer_days(config))
    plan = plan_notices(p, request, customers, ledger)
    return p, plan, ledger, customers


def _late_error(plan: NoticePlan) -> NoticesLateError:
    late = plan.late
    v = plan.version
    return NoticesLateError(
        f"{len(late)} customer(s) can no longer be notified in time for version {v.number} "
        f"effective {v.effective.isoformat()}: the latest send day was "
        f"{plan.latest_send.isoformat()} ({', '.join(r.customer_id for r in late[:5])}"
        f"{', …' if len(late) > 5 else ''}); the earliest possible effective date for notices "
        f"sent on {plan.today.isoformat()} is {plan.earliest_effective.isoformat()}")


@click.group()
def notices() -> None:
    """Revision notices under art. 11.2: plan, build, send, record and prove them."""


@notices.command("plan")
@click.argument("version")
@click.option("--today", callback=iso_date, metavar="YYYY-MM-DD", help="Plan as of this day.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
def plan_cmd(version: str, today: dt.date | None, fmt: str) -> None:
    """Show per customer whether the notice of VERSION can still go out in time.

    Exits 1, with the earliest possible effective date, when some customer can no longer be
    notified in time.
    """
    _, plan, _, _ = _plan(version, today)
    v = plan.version
    if fmt == "json":
        echo_json({"contract": v.contract, "version": v.number, "previous": plan.previous,
                   "effective": v.effective.isoformat(), "today": plan.today.isoformat(),
                   "buffer_days": plan.buffer_days, "latest_send": plan.latest_send.isoformat(),
                   "warning": plan.warning or None, "counts": plan.counts(),
                   "earliest_effective_if_sent_today": plan.earliest_effective.isoformat(),
                   "customers": [{**r.__dict__, "latest_send": r.latest_send.isoformat()}
                                 for r in plan.rows]})
    else:
        click.echo(f"{v.contract} {v.number} takes effect on {v.effective.isoformat()} "
                   f"({format_date_nl(v.effective)}); customers move from {plan.previous}")
        click.echo(f"latest send day by e-mail ({plan.buffer_days} day(s) delivery buffer): "
                   f"{plan.latest_send.isoformat()}; today is {plan.today.isoformat()}")
        if plan.warning:
            click.echo(f"warning: {plan.warning}")
        click.echo("")
        click.echo(f"{'customer':<10} {'on':<5} {'affected':<9} {'latest send':<12} "
                   f"{'status':<13} reason")
        for r in plan.rows:
            note = f" ({r.note})" if r.note else ""
            click.echo(f"{r.customer_id:<10} {r.current_version:<5} "
                       f"{'yes' if r.affected else 'no':<9} {r.latest_send.isoformat():<12} "
                       f"{r.status:<13} {r.reason}{note}")
        counts = ", ".join(f"{n} {s}" for s, n in plan.counts().items())
        click.echo(f"\n{len(plan.rows)} customer(s): {counts}")
    if plan.late:
        raise _late_error(plan)


@notices.command("build")
@click.argument("version")
@click.option("-o", "--output", "out", type=click.Path(path_type=Path),
              help="Folder for the notices (default: build/notices/VERSION/).")
@click.option("--today", callback=iso_date, metavar="YYYY-MM-DD",
              help="The letters' date (default: today).")
def build_cmd(version: str, out: Path | None, today: dt.date | None) -> None:
    """Write each customer's letter PDF and e-mail (.eml) and record their hashes in the ledger.

    Notices already sent (or being sent) are kept as recorded; a build never runs while
    `notices send` does (they share one lock).
    """
    with open_cli_registry() as registry:  # first: it creates the registry's private folder
        database = registry.path
    with ledger_lock(database, "notices build"):
        _build_locked(version, out, today)


def _build_locked(version: str, out: Path | None, today: dt.date | None) -> None:
    p, plan, ledger, customers = _plan(version, today)
    config = load_config(p.root)
    sender = smtp_settings(config).sender or _processor_email(p, plan.version.contract, version)
    out_dir = out or p.root / "build" / "notices" / version
    workers = config.whole_number("notices", "workers", 0, 0, 64)
    start = time.perf_counter()
    with _progress("building notices") as bar:
        request = BuildRequest(out_dir, plan.today, sender, workers=workers or None,
                               progress=bar)
        summary = build_notices(Texts(p, plan.version.contract), plan, customers, ledger, request)
    took = time.perf_counter() - start
    for path in summary.shared_files:
        click.echo(f"shared: {_rel(path, p.root)}")
    click.echo(f"built {len(summary.built)} notice(s) in {_rel(out_dir, p.root)}/ in {took:.1f} s; "
               f"{len(summary.kept)} already sent (kept as recorded), "
               f"{summary.not_affected} customer(s) not affected")
    if plan.late:
        click.echo(f"warning: {_late_error(plan).message}", err=True)
    for cid, why in summary.failed:
        click.echo(f"assembler: error: {cid}: notice not built: {why}", err=True)
    if summary.failed:
        raise SystemExit(1)


def _rel(path: Path, root: Path) -> str:
    path = path.resolve()
    return path.relative_to(root.resolve()).as_posix() if path.is_relative_to(root.resolve()) \
        else str(path)


@notices.command("send")
@click.argument("version")
@click.option("--dry-run", is_flag=True, help="Show what would be sent; send nothing.")
@click.option("--retry-failed", is_flag=True,
              help="Also retry notices the server refused permanently (5xx).")
def send_cmd(version: str, dry_run: bool, retry_failed: bool) -> None:
    """Send the built notices of VERSION over SMTP ([smtp] in assembler.toml).

    Notices already sent are skipped; a notice whose outcome a crashed run left unknown is sent
    again with the same Message-ID (at least once). Only one send runs at a time.
    """
    p, contract, config = _context()
    target = notice_version(p, contract, version)[0]
    number = target.number
    settings = smtp_settings(config)
    registry = open_cli_registry()
    ledger = Ledger(registry.connection, contract)
    if not settings.sender:
        settings = replace(settings, sender=_processor_email(p, contract, number))
    if not ledger.notices(number):
        raise UsageError(f"no notices of {number} built yet: run `assembler notices build {number}`")
    if dry_run:
        summary = plan_send(ledger, number, retry_failed)
        for n in summary.todo:
            why = {"pending": "new", "failed": f"retry after {n.reply_code} {n.reply}",
                   "sending": "outcome unknown: again, same Message-ID",
                   "unknown": "outcome unknown: again, same Message-ID"}[n.state]
            click.echo(f"would send {n.customer_id} to {n.address} {n.message_id} ({why})")
        click.echo(f"dry run: {len(summary.todo)} notice(s) would be sent via {settings.host}:"
                   f"{settings.port}; {summary.already_sent} already sent; nothing was sent")
        return
    total = len(plan_send(ledger, number, retry_failed).todo)
    latest = latest_send_day(target.effective, email_buffer_days(config))
    if total and dt.date.today() > latest:
        click.echo(f"warning: the latest send day for {number} (effective "
                   f"{target.effective.isoformat()}) was {latest.isoformat()}: these notices are "
                   "late under art. 11.2", err=True)
    start = time.perf_counter()
    with _progress("sending notices") as bar:
        done = [0]

        def step(n: LedgerNotice, d: Delivery) -> None:
            done[0] += 1
            bar(done[0], total)

        request = SendRequest(number, settings, retry_failed=retry_failed, progress=step)
        summary = send_notices(p.root, registry.path, ledger, request)
    took = time.perf_counter() - start
    for cid in summary.recovered:
        click.echo(f"{cid}: outcome of an interrupted run unknown; sent again with the same "
                   "Message-ID")
    for cid, code, reply in summary.failed:
        click.echo(f"{cid}: failed: {code} {reply}", err=True)
    click.echo(f"sent {len(summary.sent)} notice(s) in {took:.1f} s, {len(summary.failed)} failed, "
               f"{summary.already_sent} already sent before")
    _exit_while_undelivered(ledger.notices(number), summary, settings)


def _exit_while_undelivered(notices: list[LedgerNotice], summary: SendSummary,
                            settings: SmtpSettings) -> None:
    """Exit 1, saying why, while any notice is still failed or unknown, or the server was unreachable."""
    if summary.unreachable:
        click.echo(f"assembler: error: stopped: cannot reach the SMTP server {settings.host}:"
                   f"{settings.port} ({summary.unreachable}); {summary.not_tried} notice(s) not "
                   "tried", err=True)
    open_ = [n for n in notices if n.state in ("failed", "unknown")]
    if open_ or summary.unreachable:
        permanent = sum(1 for n in open_ if n.state == "failed" and (n.reply_code or 0) >= 500)
        click.echo(f"assembler: error: {len(open_)} notice(s) not delivered yet "
                   f"({', '.join(n.customer_id for n in open_[:5])}{', …' if len(open_) > 5 else ''})"
                   + (f"; {permanent} refused permanently (5xx): fix the address, then "
                      "`notices send --retry-failed`" if permanent else ""), err=True)
        raise SystemExit(1)


def _processor_email(p: Any, contract: str, number: str) -> str:
    """Return the processor's address: the From address when [smtp] sender is not set."""
    return str(p.resolve(number, contract).agreement.meta.processor.email)


@notices.command("record")
@click.argument("customer")
@click.argument("version")
@click.option("--bounced", "event", flag_value="bounced", help="The notice bounced (not given).")
@click.option("--objected", "event", flag_value="objected", help="The customer objected.")
@click.option("--terminated", "event", flag_value="terminated", help="The customer terminated.")
@click.option("--on", "on", callback=iso_date, metavar="YYYY-MM-DD", help="When (default: today).")
def record_cmd(customer: str, version: str, event: str | None, on: dt.date | None) -> None:
    """Record what happened after a notice: it bounced, or the customer objected or terminated."""
    if event not in EVENTS:
        raise UsageError("say what happened: --bounced, --objected or --terminated")
    p, contract, _ = _context()
    number = notice_version(p, contract, version)[0].number
    ledger = Ledger(open_cli_registry().connection, contract)
    notice = ledger.notice(number, customer)
    if notice is None:
        raise UsageError(f"no notice of {number} for customer {customer!r} in the ledger")
    if event == "bounced" and notice.state != "sent":
        raise UsageError(f"the notice of {number} for {customer} was not sent ({notice.state}); "
                         "it cannot have bounced")
    ev = ledger.record_event(number, customer, event, on or dt.date.today())
    click.echo(f"recorded: {customer} {number} {event} on {ev.on.isoformat()}")


STATUS_FIELDS = ["customer_id", "address", "from_version", "state", "given", "sent_at", "reply_code",
                 "reply", "message_id", "reference", "attempts", "events", "sha256_letter",
                 "sha256_email", "sha256_redline", "sha256_contract"]


def _status_rows(ledger: Ledger, number: str) -> list[dict[str, Any]]:
    events = ledger.events(number)
    rows = []
    for n in ledger.notices(number):
        evs = events.get(n.customer_id, [])
        docs = {d.kind: d.sha256 for d in ledger.documents(number, n.customer_id)}
        rows.append({
            "customer_id": n.customer_id, "address": n.address, "from_version": n.from_version,
            "state": n.state,
            "given": counts_as_given(n, evs),
            "sent_at": n.sent_at, "reply_code": n.reply_code, "reply": n.reply,
            "message_id": n.message_id, "reference": n.reference,
            "attempts": len(ledger.deliveries(number, n.customer_id)),
            "events": "; ".join(f"{e.event} {e.on.isoformat()}" for e in evs),
            **{f"sha256_{k}": docs.get(k, "") for k in ("letter", "email", "redline", "contract")},
        })
    return rows


@notices.command("status")
@click.argument("version")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "csv"]), default="text",
              show_default=True)
def status_cmd(version: str, fmt: str) -> None:
    """Export the evidence: per customer what was sent, where, when, the reply and the hashes."""
    p, contract, _ = _context()
    number = notice_version(p, contract, version)[0].number
    ledger = Ledger(open_cli_registry().connection, contract)
    rows = _status_rows(ledger, number)
    if fmt == "json":
        echo_json({"contract": contract, "version": number, "notices": [
            {**r, "deliveries": ledger.deliveries(number, r["customer_id"])} for r in rows]})
        return
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=STATUS_FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        click.echo(buf.getvalue(), nl=False)
        return
    for r in rows:
        given = "given" if r["given"] else "NOT given"
        click.echo(f"{r['customer_id']:<10} {r['state']:<8} {given:<9} {r['sent_at'] or '-':<20} "
                   f"{r['address']}  {r['reply_code'] or ''} {r['reply'] or ''}"
                   f"{'  [' + r['events'] + ']' if r['events'] else ''}")
    states: dict[str, int] = {}
    for r in rows:
        states[r["state"]] = states.get(r["state"], 0) + 1
    click.echo(f"\n{len(rows)} notice(s) of {number}: "
               + (", ".join(f"{n} {s}" for s, n in sorted(states.items())) or "none built yet")
               + f"; {sum(r['given'] for r in rows)} given")


def register(group: click.Group) -> None:
    """Add this module's commands to `group`."""
    group.add_command(notices)
