"""`notices record` and `notices status`: what happened after a notice, and the evidence export."""


from __future__ import annotations

import datetime as dt
from typing import Any

import click

from assembler.cli.context import echo_csv, echo_json, iso_date, one_event
from assembler.cli.context import registry as open_cli_registry
from assembler.cli.notices import notice_context
from assembler.customers.lifecycle import record_termination
from assembler.dutch import day_nl, today_nl
from assembler.errors import UsageError
from assembler.notices.dating import check_event_day
from assembler.notices.ledger import Ledger
from assembler.notices.plan import (
    counts_as_given,
    notice_version,
)


@click.command("record", short_help="Record a bounce, an objection or a termination.")
@click.argument("customer")
@click.argument("version")
@click.option("--bounced", is_flag=True, help="The notice bounced (not given).")
@click.option("--objected", is_flag=True, help="The customer objected.")
@click.option("--terminated", is_flag=True,
              help="The customer terminated (as `customers terminate --received`).")
@click.option("--on", "on", callback=iso_date, metavar="YYYY-MM-DD", help="When (default: today).")
def record_cmd(customer: str, version: str, bounced: bool, objected: bool, terminated: bool,
               on: dt.date | None) -> None:
    """Record what happened after a notice: it bounced, or the customer objected or terminated.

    One event at a time, on a day neither in the future nor before the notice was sent.
    --terminated needs no sent notice: it records the termination as `customers terminate`
    does (received on --on, ending the next day).
    """
    event = one_event({"bounced": bounced, "objected": objected, "terminated": terminated})
    day = on or today_nl()
    p, contract, _ = notice_context()
    number = notice_version(p, contract, version)[0].number
    registry = open_cli_registry()
    ledger = Ledger(registry.connection, contract)
    notice = ledger.notice(number, customer)
    sent = notice is not None and notice.state == "sent" and notice.sent_at is not None
    if event == "terminated":
        # A customer may terminate at any time (art. 11.2 "dagelijks opzeggen"), whether or not a
        # notice reached them: the same path as `customers terminate --received DAY`.
        if sent and notice is not None and notice.sent_at is not None:
            check_event_day(day, day_nl(notice.sent_at), f"the notice of {number} for {customer}")
        why = (f"after the notice of {number}" if sent
               else f"with reference to version {number}; no notice of it was sent to them")
        ev = record_termination(registry, customer, received=day, reason=why)
        click.echo(f"recorded: {customer} {number} terminated on {ev.on.isoformat()}; nothing binds "
                   f"from {ev.effective.isoformat() if ev.effective else '-'}")
        return
    if notice is None:
        raise UsageError(f"no notice of {number} for customer {customer!r} in the ledger")
    if not sent or notice.sent_at is None:
        raise UsageError(f"the notice of {number} for {customer} was not sent ({notice.state}); "
                         f"nothing can have followed it")
    check_event_day(day, day_nl(notice.sent_at), f"the notice of {number} for {customer}")
    if any(e.event == event and e.on == day for e in ledger.events(number).get(customer, [])):
        click.echo(f"already recorded: {customer} {number} {event} on {day.isoformat()}; "
                   "not stored again")
        return
    recorded = ledger.record_event(number, customer, event, day)
    click.echo(f"recorded: {customer} {number} {event} on {recorded.on.isoformat()}")


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


@click.command("status", short_help="Export the evidence of what was sent, where and when.")
@click.argument("version")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "csv"]), default="text",
              show_default=True)
def status_cmd(version: str, fmt: str) -> None:
    """Export the evidence: per customer what was sent, where, when, the reply and the hashes."""
    p, contract, _ = notice_context()
    number = notice_version(p, contract, version)[0].number
    ledger = Ledger(open_cli_registry().connection, contract)
    rows = _status_rows(ledger, number)
    if fmt == "json":
        echo_json({"contract": contract, "version": number, "notices": [
            {**r, "deliveries": ledger.deliveries(number, r["customer_id"])} for r in rows]})
        return
    if fmt == "csv":
        echo_csv(rows, STATUS_FIELDS)
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
