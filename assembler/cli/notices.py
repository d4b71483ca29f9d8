"""Commands of the notices: `assembler notices plan|build|send|record|status` (art. 11.2 notices)."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import replace
from pathlib import Path
from typing import Any, NamedTuple

import click

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
from assembler.config import Config, load_config
from assembler.customers.lifecycle import record_announcement, stated_effective
from assembler.customers.registry import Registry
from assembler.dutch import format_date_nl, today_nl
from assembler.errors import NoticesLateError, UsageError
from assembler.model import Customer
from assembler.notices.build import BuildRequest, build_notices
from assembler.notices.dating import (
    builds_late,
    composed_now,
    late_plan,
    late_refusal,
    stale_refusal,
)
from assembler.notices.ledger import Ledger, ledger_lock
from assembler.notices.plan import (
    NoticePlan,
    PlanRequest,
    Texts,
    customers_to_notify,
    email_buffer_days,
    notice_version,
    plan_notices,
)
from assembler.notices.refusal import refusals
from assembler.notices.send import (
    SendRequest,
    changed_refusal,
    missing_refusal,
    plan_send,
    send_notices,
)
from assembler.notices.smtp import smtp_settings


def notice_context() -> tuple[Any, str, Any]:
    p = project()
    contract = p.contract(contract_option())
    return p, contract, load_config(p.root)


class _Planned(NamedTuple):
    project: Any
    plan: NoticePlan
    ledger: Ledger
    customers: list[Customer]
    registry: Registry
    texts: Texts
    """The version texts and redlines the plan read: the build reuses them."""
    config: Config


def _plan(version: str, today: dt.date | None) -> _Planned:
    """Plan `version`'s notices as of `today` (a what-if; the real Dutch day when None)."""
    p, contract, config = notice_context()
    registry = open_cli_registry()
    ledger = Ledger(registry.connection, contract)
    day = today or today_nl()
    target = notice_version(p, contract, version)[0]
    buffer = email_buffer_days(config)
    customers, left_out = customers_to_notify(registry, target.number, target.effective, day, buffer)
    request = PlanRequest(contract, version, day, buffer)
    texts = Texts(p, contract)
    plan = replace(plan_notices(p, request, customers, ledger, texts), left_out=left_out)
    return _Planned(p, plan, ledger, customers, registry, texts, config)


def _late_error(plan: NoticePlan) -> NoticesLateError:
    late = plan.late
    v = plan.version
    return NoticesLateError(
        f"{len(late)} customer(s) can no longer be notified in time for version {v.number} "
        f"effective {v.effective.isoformat()}: the latest send day was "
        f"{plan.latest_send.isoformat()} ({', '.join(r.customer_id for r in late[:5])}"
        f"{', …' if len(late) > 5 else ''}); the earliest possible effective date for notices "
        f"sent on {plan.today.isoformat()} is {plan.earliest_effective.isoformat()}")


@click.group(short_help="Revision notices (art. 11.2): plan, build, send, prove.")
def notices() -> None:
    """Revision notices under art. 11.2: plan, build, send, record and prove them."""


@notices.command("plan", short_help="Show per customer whether the notice can go out in time.")
@click.argument("version")
@click.option("--today", callback=iso_date, metavar="YYYY-MM-DD", help="Plan as of this day.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
def plan_cmd(version: str, today: dt.date | None, fmt: str) -> None:
    """Show per customer whether the notice of VERSION can still go out in time.

    Exits 1, with the earliest possible effective date, when some customer can no longer be
    notified in time.
    """
    plan = _plan(version, today).plan
    v = plan.version
    if fmt == "json":
        echo_json({"contract": v.contract, "version": v.number, "previous": plan.previous,
                   "effective": v.effective.isoformat(), "today": plan.today.isoformat(),
                   "buffer_days": plan.buffer_days, "latest_send": plan.latest_send.isoformat(),
                   "warning": plan.warning or None, "counts": plan.counts(),
                   "earliest_effective_if_sent_today": plan.earliest_effective.isoformat(),
                   "left_out_terminated": plan.left_out,
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
        if plan.left_out:
            click.echo(f"{plan.left_out} customer(s) left out: terminated, or bound by no "
                       f"version on {v.effective.isoformat()}")
    if plan.late:
        raise _late_error(plan)


@notices.command("build", short_help="Write each customer's letter and e-mail of VERSION.")
@click.argument("version")
@click.option("-o", "--output", "out", type=click.Path(path_type=Path),
              help="Folder for the notices (default: build/notices/VERSION/).")
@click.option("--late", is_flag=True,
              help="Build notices that can no longer be on time; each letter states the date "
                   "from which that customer's own notice binds them.")
@summary_format
def build_cmd(version: str, out: Path | None, late: bool, fmt: str) -> None:
    """Write each customer's letter PDF and e-mail (.eml) and record their hashes in the ledger.

    The letters are dated today (Europe/Amsterdam), the day they must also be sent: a notice is
    never backdated. Notices already sent (or being sent) are kept as recorded; a build never
    runs while `notices send` does (they share one lock).
    """
    with open_cli_registry() as registry:  # first: a missing registry is refused before the lock
        database = registry.path
    with ledger_lock(database, "notices build"):
        _build_locked(version, out, late, fmt)


def _build_locked(version: str, out: Path | None, late: bool, fmt: str) -> None:
    p, plan, ledger, customers, registry, texts, config = _plan(version, None)
    # The settings first: a bad one is reported before the plan's lateness, and before the
    # announcement is recorded.
    sender = smtp_settings(config).sender or _processor_email(p, plan.version.contract, version)
    workers = config.whole_number("notices", "workers", 0, 0, 64)
    late_warning = _late_error(plan).message if plan.late else ""  # about E, before --late moves it
    record_announcement(registry, plan.version.contract, plan.version.number,
                        plan.version.effective)
    if builds_late(plan):
        if not late:
            raise _late_error(plan)
        plan = late_plan(plan)
        click.echo(f"late: the letters state {plan.version.effective.isoformat()}, the first day "
                   f"a notice sent today binds the customer ({plan.buffer_days} day(s) allowed "
                   "for delivery)", err=True)
    out_dir = out or p.root / "build" / "notices" / version
    start = time.perf_counter()
    with progress_bar("building notices") as bar:
        request = BuildRequest(out_dir, plan.today, sender, workers=workers or None,
                               progress=bar, composed_at=composed_now(plan.today))
        summary = build_notices(texts, plan, customers, ledger, request)
    took = time.perf_counter() - start
    if fmt == "json":
        echo_json({"version": version, "output": shown_path(out_dir, p.root),
                   "built": len(summary.built), "kept": len(summary.kept),
                   "not_affected": summary.not_affected,
                   "shared_files": [shown_path(f, p.root) for f in summary.shared_files],
                   "seconds": round(took, 3),
                   "per_second": round(len(summary.built) / took, 1) if took else 0.0,
                   "late": bool(plan.late)})
    else:
        for path in summary.shared_files:
            click.echo(f"shared: {shown_path(path, p.root)}")
        click.echo(f"built {len(summary.built)} notice(s) in {shown_path(out_dir, p.root)}/ in "
                   f"{took:.1f} s; {len(summary.kept)} already sent (kept as recorded), "
                   f"{summary.not_affected} customer(s) not affected")
    if late_warning:
        click.echo(f"warning: {late_warning}", err=True)
    for cid, why in summary.failed:
        click.echo(f"assembler: error: {cid}: notice not built: {why}", err=True)
    if summary.failed:
        raise SystemExit(1)


@notices.command("send", short_help="Send the built notices of VERSION over SMTP.")
@click.argument("version")
@click.option("--dry-run", is_flag=True, help=DRY_RUN_HELP)
@click.option("--retry-failed", is_flag=True,
              help="Also retry notices the server refused permanently (5xx).")
@click.option("--late", is_flag=True,
              help="Send notices that can no longer be on time (built with `build --late`).")
def send_cmd(version: str, dry_run: bool, retry_failed: bool, late: bool) -> None:
    """Send the built notices of VERSION over SMTP ([smtp] in assembler.toml).

    Notices already sent are skipped; a notice whose outcome a crashed run left unknown is sent
    again with the same Message-ID (at least once). Only one send runs at a time. Nothing is
    sent while any notice is refused (built on an earlier day, late without --late, its file
    missing); each is named with why, and --dry-run names the same ones.
    """
    p, contract, config = notice_context()
    target = notice_version(p, contract, version)[0]
    number, settings, registry = target.number, smtp_settings(config), open_cli_registry()
    ledger = Ledger(registry.connection, contract)
    if not settings.sender:
        settings = replace(settings, sender=_processor_email(p, contract, number))
    if not ledger.notices(number):
        raise UsageError(f"no notices of {number} built yet: run `assembler notices build {number}`")
    today, buffer = today_nl(), email_buffer_days(config)
    skip = not_owed_unsent(registry, ledger, number, stated_effective(today, target.effective, buffer))
    todo = [n for n in plan_send(ledger, number, retry_failed).todo if n.customer_id not in skip]
    found = refusals(stale_refusal(todo, today, f"of {number}", f"assembler notices build {number}"),
                     late_refusal(todo, number, target.effective, buffer, late),
                     missing_refusal(p.root, todo), changed_refusal(p.root, todo))
    if dry_run:
        echo_dry_run(ledger, number, settings, retry_failed, skip=skip, found=found)
        stop_if_refused(found)
        return
    echo_refused(found)
    stop_if_refused(found)
    record_announcement(registry, contract, number, target.effective)
    echo_not_owed(skip)
    start = time.perf_counter()
    with progress_bar("sending notices") as bar:
        request = SendRequest(number, settings, retry_failed=retry_failed, progress=bar,
                              skip=frozenset(skip))
        summary = send_notices(p.root, registry.path, ledger, request)
    took = time.perf_counter() - start
    for cid in summary.recovered:
        click.echo(f"{cid}: outcome of an interrupted run unknown; sent again with the same "
                   "Message-ID")
    for cid, code, reply in summary.failed:
        click.echo(f"{cid}: failed: {code} {reply}", err=True)
    click.echo(f"sent {len(summary.sent)} notice(s) in {took:.1f} s, {len(summary.failed)} failed, "
               f"{summary.already_sent} already sent before")
    exit_while_undelivered(ledger.notices(number), [summary], settings, "notices send", skip)


def _processor_email(p: Any, contract: str, number: str) -> str:
    """Return the processor's address: the From address when [smtp] sender is not set."""
    return str(p.resolve(number, contract).agreement.meta.processor.email)


def register(group: click.Group) -> None:
    """Add this module's commands to `group`."""
    from assembler.cli import notices_evidence

    notices.add_command(notices_evidence.record_cmd)
    notices.add_command(notices_evidence.status_cmd)
    group.add_command(notices)
