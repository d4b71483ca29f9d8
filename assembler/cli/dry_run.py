"""The dry run of every send command (`notices`, `subprocessors`, `incidents send --dry-run`).

It shows what a real run would send, to whom and why, through which server, and sends nothing:
it only reads the ledger (`notices.send.plan_send`), so no row changes, not even the recovery of
an interrupted run's notices.
"""

from __future__ import annotations

import click

from assembler.notices.ledger import Ledger
from assembler.notices.send import plan_send
from assembler.notices.smtp import SmtpSettings

WHY = {"pending": "new", "sending": "outcome unknown: again, same Message-ID",
       "unknown": "outcome unknown: again, same Message-ID"}
"""Why a notice in each ledger state would be sent (a failed one: its last reply)."""


def echo_dry_run(ledger: Ledger, subject: str, settings: SmtpSettings, retry_failed: bool,
                 label: str = "") -> int:
    """Print what a send of `subject`'s notices would do; return how many it would send.

    `label` goes before each line (e.g. the phase of a breach notice).
    """
    summary = plan_send(ledger, subject, retry_failed)
    for n in summary.todo:
        why = WHY.get(n.state) or f"retry after {n.reply_code} {n.reply}"
        click.echo(f"{label}would send {n.customer_id} to {n.address} {n.message_id} ({why})")
    click.echo(f"{label}dry run: {len(summary.todo)} notice(s) would be sent via {settings.host}:"
               f"{settings.port}; {summary.already_sent} already sent; nothing was sent")
    return len(summary.todo)
