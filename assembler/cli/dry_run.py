"""The dry run of every send command (`notices`, `subprocessors`, `incidents send --dry-run`).

It shows what a real run would send, to whom and why, through which server, and sends nothing:
it only reads the ledger (`notices.send.plan_send`), so no row changes, not even the recovery of
an interrupted run's notices. The customers the real run skips (no longer owed the notice,
`notices.dating.not_owed`) are listed as skipped, not as sent.
"""

from __future__ import annotations

from collections.abc import Mapping

import click

from assembler.notices.ledger import Ledger
from assembler.notices.send import plan_send
from assembler.notices.smtp import SmtpSettings

WHY = {"pending": "new", "sending": "outcome unknown: again, same Message-ID",
       "unknown": "outcome unknown: again, same Message-ID"}
"""Why a notice in each ledger state would be sent (a failed one: its last reply)."""


def echo_dry_run(ledger: Ledger, subject: str, settings: SmtpSettings, retry_failed: bool,
                 label: str = "", skip: Mapping[str, str] | None = None) -> int:
    """Print what a send of `subject`'s notices would do; return how many it would send.

    `label` goes before each line (e.g. the phase of a breach notice); `skip` holds the
    customers the send would skip, with why.
    """
    summary = plan_send(ledger, subject, retry_failed)
    skip = skip or {}
    todo = [n for n in summary.todo if n.customer_id not in skip]
    for n in todo:
        why = WHY.get(n.state) or f"retry after {n.reply_code} {n.reply}"
        click.echo(f"{label}would send {n.customer_id} to {n.address} {n.message_id} ({why})")
    for cid, why in skip.items():
        click.echo(f"{label}would skip {cid}: {why}; notice not sent")
    click.echo(f"{label}dry run: {len(todo)} notice(s) would be sent via {settings.host}:"
               f"{settings.port}; " + (f"{len(skip)} skipped; " if skip else "")
               + f"{summary.already_sent} already sent; nothing was sent")
    return len(todo)
