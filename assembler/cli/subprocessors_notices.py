"""`subprocessors plan|build|send`: the notices of new sub-processors (art. 4.1), from plan to server."""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

import click

from assembler.agreement.project import Project
from assembler.cli.context import contract_option, echo_json, iso_date, project, shown_path, summary_format
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
from assembler.customers.lifecycle import histories, version_in_force
from assembler.customers.registry import Registry
from assembler.dutch import today_nl
from assembler.errors import NoticesLateError, UsageError
from assembler.model import Customer
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
from assembler.subprocessors.build import (
    SubprocessorBuildRequest,
    SubprocessorBuildSummary,
    build_subprocessor_notices,
)
from assembler.subprocessors.document import list_url
from assembler.subprocessors.lateness import late_refusal
from assembler.subprocessors.lint import late_objection_deadline, notice_days
from assembler.subprocessors.plan import (
    SubprocessorPlan,
    late_subprocessor_plan,
    plan_subprocessor_notices,
)
from assembler.subprocessors.register import read_current_register, read_register


def notice_context() -> tuple[Project, str, Registry, Ledger]:
    """Return the project, its contract, the registry and the sub-processor notices' ledger."""
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


@click.command("plan", short_help="Show which customers each pending change reaches.")
@click.argument("change", required=False)
@click.option("--today", callback=iso_date, metavar="YYYY-MM-DD", help="Plan as of this day (a what-if).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def plan_cmd(change: str | None, today: dt.date | None, fmt: str) -> None:
    """Show per pending change (or CHANGE) which customers it reaches and whether in time.

    Exits 1 when a notice can no longer go out [subprocessors] notice_days before `effective`.
    """
    p, contract, registry, ledger = notice_context()
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


@click.command("build", short_help="Write the notices of every pending change.")
@click.argument("change", required=False)
@click.option("-o", "--output", "out", type=click.Path(path_type=Path),
              help="Folder for the notices (default: build/notices/subverwerkers/).")
@click.option("--late", is_flag=True,
              help="Build notices that can no longer go out in time; each letter gives the "
                   "customer the full notice period to object, counted from today.")
@summary_format
def build_cmd(change: str | None, out: Path | None, late: bool, fmt: str) -> None:
    """Write the letter PDF and e-mail of every pending change (or CHANGE) still to announce.

    Dated today (Europe/Amsterdam); the hashes go into the notice ledger, kind `subprocessor`.
    A notice that can no longer go out [subprocessors] notice_days before `effective` is built
    only with --late.
    """
    p, contract, registry, ledger = notice_context()
    config = load_config(p.root)  # a bad setting is reported before the plan's lateness
    workers = config.whole_number("notices", "workers", 0, 0, 64)
    configured_sender = smtp_settings(config).sender
    today = today_nl()
    plan, customers = _plan(p, contract, registry, ledger, today, change)
    built_late = bool(plan.late)
    if built_late:
        if not late:
            raise _late_error(plan, "move `effective` later in the register, or build them with "
                                    "`subprocessors build --late` (their letters then give the "
                                    f"customer until {_late_day(plan)} to object)")
        plan = late_subprocessor_plan(plan)
        click.echo(f"late: the letters give until {_late_day(plan)} to object ({plan.notice_days} "
                   "days from today)", err=True)
    agreement = p.resolve(None, contract).agreement
    sender = configured_sender or agreement.meta.processor.email
    out_dir = out or p.root / "build" / "notices" / "subverwerkers"
    start = time.perf_counter()
    with progress_bar("building notices") as bar:
        request = SubprocessorBuildRequest(out_dir, today, sender, list_url(agreement.meta),
                                           read_current_register(p, contract),
                                           workers=workers or None,
                                           progress=bar, composed_at=composed_now(today))
        summary = build_subprocessor_notices(plan, customers, agreement.catalogue, agreement.meta,
                                             ledger, p.root, request)
    took = time.perf_counter() - start
    if fmt == "json":
        echo_json(_summary_json(plan, summary, shown_path(out_dir, p.root), took, built_late))
    else:
        click.echo(f"built {len(summary.built)} sub-processor notice(s) in "
                   f"{shown_path(out_dir, p.root)}/ in {took:.1f} s; {len(summary.kept)} already "
                   "sent (kept as recorded)")


def _summary_json(plan: SubprocessorPlan, summary: SubprocessorBuildSummary, output: str,
                  took: float, late: bool) -> dict[str, object]:
    """Return `subprocessors build --format json`: the counts in all and per change, and the speed.

    `late`: the notices could no longer go out in time and were built with --late.
    """
    built = Counter(change for change, _ in summary.built)
    kept = Counter(change for change, _ in summary.kept)
    return {"output": output, "built": len(summary.built), "kept": len(summary.kept),
            "changes": [{"id": c.entry.id, "built": built[c.entry.id], "kept": kept[c.entry.id],
                         "objection_deadline": c.objection_deadline.isoformat()}
                        for c in plan.changes],
            "seconds": round(took, 3),
            "per_second": round(len(summary.built) / took, 1) if took else 0.0,
            "late": late}


def _late_day(plan: SubprocessorPlan) -> str:
    """Return, as YYYY-MM-DD, the last day to object for a notice built late on the plan's day."""
    return late_objection_deadline(plan.today, plan.notice_days).isoformat()


@click.command("send", short_help="Send the built notices of CHANGE over SMTP.")
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
    p, contract, registry, ledger = notice_context()
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
    with progress_bar("sending notices") as bar:
        request = SendRequest(change, settings, retry_failed, progress=bar, skip=frozenset(skip))
        summary = send_notices(p.root, registry.path, ledger, request)
    for cid, code, reply in summary.failed:
        click.echo(f"{cid}: failed: {code} {reply}", err=True)
    click.echo(f"sent {len(summary.sent)} notice(s) of {change}, {len(summary.failed)} failed, "
               f"{summary.already_sent} already sent before")
    exit_while_undelivered(ledger.notices(change), [summary], settings,
                           f"subprocessors send {change}", skip)
