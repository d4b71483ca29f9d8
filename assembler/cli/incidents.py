"""Commands of data breaches: `assembler incidents new|check|plan|build|send|status` (art. 7)."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, cast

import click

from assembler.agreement.project import Project
from assembler.cli.context import contract_option, echo_csv, echo_json, project, shown_path, summary_format
from assembler.cli.context import registry as open_cli_registry
from assembler.cli.dry_run import DRY_RUN_HELP, echo_dry_run
from assembler.cli.progress import progress_bar
from assembler.cli.send_outcome import (
    echo_not_owed,
    echo_refused,
    exit_while_undelivered,
    not_owed_unsent,
    stop_if_refused,
)
from assembler.config import load_config
from assembler.customers.lifecycle import owed_customers
from assembler.customers.registry import Registry
from assembler.dutch import now_nl, today_nl
from assembler.errors import NoticesLateError, UsageError
from assembler.incidents.build import build_breach_notices
from assembler.incidents.deadline import hours_left
from assembler.incidents.evidence import refuse_changed_detection
from assembler.incidents.letter import breach_parts
from assembler.incidents.plan import (
    BreachPlan,
    breach_days,
    breach_ledger,
    ledger_subject,
    plan_incident,
)
from assembler.incidents.record import Catalogue, incident_path, new_incident, read_incident
from assembler.incidents.status import STATUS_FIELDS, status_rows
from assembler.model import PHASES, Agreement, Customer, Incident, Phase
from assembler.notices.dating import stale_refusal
from assembler.notices.ledger import Ledger
from assembler.notices.refusal import Refusal, refusals, refused
from assembler.notices.send import (
    SendRequest,
    changed_refusal,
    missing_refusal,
    plan_send,
    send_notices,
)
from assembler.notices.smtp import smtp_settings


@dataclass
class _Open:
    """What every incidents command opens: the project, its text, the registry and the record."""

    project: Project
    contract: str
    agreement: Agreement
    registry: Registry
    customers: list[Customer]
    incident: Incident

    @property
    def ledger(self) -> Ledger:
        return breach_ledger(self.registry.connection, self.contract)


def _open(incident_id: str, now: dt.datetime | None = None) -> _Open:
    """Open the project and read incident `incident_id`; with `now`, refuse moments after it.

    With `now` (the commands that check, plan and build from the record) a `detected_at` that
    differs from what a sent notice was built from is refused too (`refuse_changed_detection`).
    """
    p = project()
    contract = p.contract(contract_option())
    agreement = p.resolve(None, contract).agreement
    registry = open_cli_registry()
    customers = list(registry.customers())
    known = Catalogue(services={s.id for s in agreement.catalogue.services},
                      categories={c.id for c in agreement.catalogue.data_categories},
                      customers={c.customer_id for c in customers})
    incident = read_incident(incident_path(p.root, incident_id), known, now)
    opened = _Open(p, contract, agreement, registry, customers, incident)
    if now is not None:
        refuse_changed_detection(incident, opened.ledger)
    return opened


def _plan(o: _Open) -> BreachPlan:
    bound = owed_customers(o.registry, *breach_days(o.incident), customers=o.customers,
                           kind="breach")
    return plan_incident(o.incident, o.customers, o.agreement.catalogue, o.ledger, now_nl(),
                         bound)


def _overdue_error(plan: BreachPlan) -> NoticesLateError:
    late = plan.overdue
    return NoticesLateError(
        f"the art. 7.1 deadline of incident {plan.incident.id} passed at "
        f"{plan.deadline:%Y-%m-%d %H:%M %Z}; {len(late)} affected customer(s) not yet notified "
        f"({', '.join(r.customer_id for r in late[:5])}{', …' if len(late) > 5 else ''}): "
        f"build and send now")


@click.group(short_help="Data breaches (art. 7): record, plan, notify, prove.")
def incidents() -> None:
    """Data breaches under art. 7: record, plan, notify within 48 hours, and prove it."""


@incidents.command("new", short_help="Write an incident record to fill in, detected now.")
@click.argument("incident_id", metavar="ID")
def new_cmd(incident_id: str) -> None:
    """Write var/incidents/ID.toml to fill in, detected_at set to now (Europe/Amsterdam)."""
    p = project()
    processor = p.resolve(None, p.contract(contract_option())).agreement.meta.processor
    path = new_incident(p.root, incident_id, now_nl(), processor.email)
    click.echo(f"wrote {path.relative_to(p.root)}: fill it in, then run "
               f"`assembler incidents check {incident_id}`")


@incidents.command("check", short_help="Validate an incident record.")
@click.argument("incident_id", metavar="ID")
def check_cmd(incident_id: str) -> None:
    """Validate var/incidents/ID.toml; a problem is reported as path:line: message.

    A time in the future (detected_at, occurred_from, occurred_to) is refused, as by `plan` and
    `build`: the real clock, Europe/Amsterdam.
    """
    o = _open(incident_id, now_nl())
    i = o.incident
    click.echo(f"{i.path}: ok: detected {i.detected_at:%Y-%m-%d %H:%M %Z}, services "
               f"{list(i.services)}, categories {list(i.categories)}, customers {list(i.customers)}")


@incidents.command("plan", short_help="Show who is affected, the 48-hour deadline and the hours left.")
@click.argument("incident_id", metavar="ID")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
def plan_cmd(incident_id: str, fmt: str) -> None:
    """Show the affected customers, the 48-hour deadline and the hours left.

    Exits 1 once the deadline has passed for an affected customer not yet notified.
    """
    o = _open(incident_id, now_nl())
    plan = _plan(o)
    i = plan.incident
    if fmt == "json":
        echo_json({"incident": i.id, "detected_at": i.detected_at.isoformat(),
                   "deadline": plan.deadline.isoformat(),
                   "real_hours": hours_left(plan.deadline, i.detected_at),
                   "now": plan.now.isoformat(), "hours_left": round(plan.hours_left, 2),
                   "counts": plan.counts(), "customers": [r.__dict__ for r in plan.rows]})
    else:
        click.echo(f"incident {i.id} detected {i.detected_at:%Y-%m-%d %H:%M %Z}")
        real = hours_left(plan.deadline, i.detected_at)
        click.echo(f"deadline (art. 7.1: 48 h on the clock or elapsed, whichever ends first): "
                   f"{plan.deadline:%Y-%m-%d %H:%M %Z}, {real:g} real hours after detection; "
                   f"{plan.hours_left:.1f} h left")
        click.echo("")
        click.echo(f"{'customer':<10} {'status':<14} {'sent at':<21} reason")
        for r in plan.rows:
            click.echo(f"{r.customer_id:<10} {r.status:<14} {r.sent_at or '-':<21} {r.reason}")
        counts = ", ".join(f"{n} {s}" for s, n in plan.counts().items())
        click.echo(f"\n{len(plan.rows)} affected customer(s): {counts}")
    if plan.overdue:
        raise _overdue_error(plan)


def _sender(o: _Open) -> str:
    return smtp_settings(load_config(o.project.root)).sender or o.agreement.meta.processor.email


@incidents.command("build", short_help="Write each affected customer's letter and e-mail.")
@click.argument("incident_id", metavar="ID")
@click.option("--phase", type=click.Choice(PHASES), default="initial", show_default=True,
              help="initial, update (what is now known) or final.")
@click.option("-o", "--output", "out", type=click.Path(path_type=Path),
              help="Folder for the notices (default: build/incidents/ID/PHASE/).")
@summary_format
def build_cmd(incident_id: str, phase: str, out: Path | None, fmt: str) -> None:
    """Write each affected customer's letter PDF and e-mail and record their hashes."""
    o = _open(incident_id, now_nl())
    workers = load_config(o.project.root).whole_number("notices", "workers", 0, 0, 64) or None
    plan = _plan(o)
    parts = breach_parts(o.agreement, o.incident, cast(Phase, phase), now_nl(), _sender(o))
    out_dir = out or o.project.root / "build" / "incidents" / incident_id / phase
    start = time.perf_counter()
    with progress_bar(f"building {phase} notices") as bar:
        summary = build_breach_notices(plan, parts, o.customers, o.ledger, out_dir,
                                       o.project.root, workers, bar)
    took = time.perf_counter() - start
    overdue = phase == "initial" and bool(plan.overdue)
    if fmt == "json":
        echo_json({"incident": incident_id, "phase": phase,
                   "output": shown_path(out_dir, o.project.root), "built": len(summary.built),
                   "kept": len(summary.kept), "deadline": plan.deadline.isoformat(),
                   "overdue": overdue, "seconds": round(took, 3),
                   "per_second": round(len(summary.built) / took, 1) if took else 0.0})
    else:
        click.echo(f"built {len(summary.built)} {phase} notice(s) of incident {incident_id} in "
                   f"{shown_path(out_dir, o.project.root)}/ in {took:.1f} s; "
                   f"{len(summary.kept)} already sent (kept as recorded)")
    if overdue:
        click.echo(f"warning: {_overdue_error(plan).message}", err=True)


@incidents.command("send", short_help="Send the built notices over SMTP, phase by phase.")
@click.argument("incident_id", metavar="ID")
@click.option("--dry-run", is_flag=True, help=DRY_RUN_HELP)
@click.option("--retry-failed", is_flag=True,
              help="Also retry notices the server refused permanently (5xx).")
def send_cmd(incident_id: str, dry_run: bool, retry_failed: bool) -> None:
    """Send the built notices of incident ID, phase by phase, over SMTP ([smtp]).

    The same engine as `notices send`: notices already sent are skipped, an interrupted run's
    notice is sent again with the same Message-ID, one send at a time. A customer whose
    agreement ran on no day from the breach's start to its detection, and whose data were
    destroyed before it began, is skipped, and said so. Nothing is sent while a notice of any
    phase is refused (built on an earlier day, its file missing). Exits 1 while any notice of
    the incident is undelivered, an earlier run's too. With --dry-run, list per phase what the
    send would do with each notice, refusals included; nothing is sent and no ledger row changes.
    """
    o = _open(incident_id)
    settings = smtp_settings(load_config(o.project.root))
    if not settings.sender:
        settings = replace(settings, sender=o.agreement.meta.processor.email)
    phases = [p for p in PHASES if o.ledger.notices(ledger_subject(incident_id, p))]
    if not phases:
        raise UsageError(f"no notices of incident {incident_id} built yet: run "
                         f"`assembler incidents build {incident_id}`")
    skips = {phase: not_owed_unsent(o.registry, o.ledger, ledger_subject(incident_id, phase),
                                    *breach_days(o.incident)) for phase in phases}
    subjects = {phase: ledger_subject(incident_id, phase) for phase in phases}
    found = {phase: _refusals(o, subjects[phase], phase, skips[phase], retry_failed)
             for phase in phases}  # all phases checked before any goes out
    every = [r for phase in phases for r in found[phase]]  # the first phase's error first
    if dry_run:
        for phase in phases:
            echo_dry_run(o.ledger, subjects[phase], settings, retry_failed, label=f"{phase}: ",
                         skip=skips[phase], found=found[phase],
                         others=sum(len(refused(found[q])) for q in phases if q != phase))
        stop_if_refused(every)
        return
    for phase in phases:
        echo_refused(found[phase], label=f"{phase}: ")
    stop_if_refused(every)
    summaries = []
    for phase in phases:
        echo_not_owed(skips[phase], label=f"{phase}: ")
        with progress_bar(f"sending {phase} notices") as bar:
            request = SendRequest(subjects[phase], settings, retry_failed, progress=bar,
                                  skip=frozenset(skips[phase]))
            summary = send_notices(o.project.root, o.registry.path, o.ledger, request)
        for cid, code, reply in summary.failed:
            click.echo(f"{cid}: {phase}: failed: {code} {reply}", err=True)
        summaries.append(summary)
        click.echo(f"{phase}: sent {len(summary.sent)} notice(s), {len(summary.failed)} failed, "
                   f"{summary.already_sent} already sent before")
    undelivered = [n for phase in phases for n in o.ledger.notices(ledger_subject(incident_id, phase))
                   if n.customer_id not in skips[phase]]
    exit_while_undelivered(undelivered, summaries, settings, f"incidents send {incident_id}")


def _refusals(o: _Open, subject: str, phase: str, skip: Mapping[str, str],
              retry_failed: bool) -> list[Refusal]:
    """Return what the send's rules refuse of one phase's notices (its run and its dry run)."""
    todo = [n for n in plan_send(o.ledger, subject, retry_failed).todo if n.customer_id not in skip]
    return refusals(stale_refusal(todo, today_nl(), f"of incident {o.incident.id} ({phase})",
                                  f"assembler incidents build {o.incident.id} --phase {phase}"),
                    missing_refusal(o.project.root, todo, "breach"),
                    changed_refusal(o.project.root, todo, "breach"))


@incidents.command("status", short_help="Export the evidence of each notice: in time or late.")
@click.argument("incident_id", metavar="ID")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "csv"]), default="text",
              show_default=True)
def status_cmd(incident_id: str, fmt: str) -> None:
    """Export the evidence: per customer and phase when it was accepted, in time or not, hashes."""
    o = _open(incident_id)
    rows = status_rows(o.ledger, o.incident)
    if fmt == "json":
        plan = _plan(o)
        echo_json({"incident": incident_id, "detected_at": o.incident.detected_at.isoformat(),
                   "deadline": plan.deadline.isoformat(), "notices": rows})
    elif fmt == "csv":
        echo_csv(rows, STATUS_FIELDS)
    else:
        _status_text(rows)


def _status_text(rows: list[dict[str, Any]]) -> None:
    for r in rows:
        on_time = {True: "within 48 h", False: "LATE", None: "-"}[r["within_48h"]]
        click.echo(f"{r['customer_id']:<10} {r['phase']:<8} {r['state']:<8} "
                   f"{r['sent_at'] or '-':<21} {on_time:<12} {r['address']}  "
                   f"{r['reply_code'] or ''} {r['reply'] or ''}".rstrip())
    sent = sum(1 for r in rows if r["state"] == "sent")
    click.echo(f"\n{len(rows)} notice(s): {sent} sent, "
               f"{sum(1 for r in rows if r['within_48h'] is False)} late")


def register(group: click.Group) -> None:
    """Add this module's commands to `group`."""
    group.add_command(incidents)
