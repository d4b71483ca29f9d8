"""The dry run of every send command (`notices`, `subprocessors`, `incidents send --dry-run`).

It shows what a real run would do with each notice, to whom and why, through which server, and
sends nothing: it only reads the ledger (`notices.send.plan_send`), so no row changes, not even
the recovery of an interrupted run's notices. It is given what the real run decides, by the same
functions: the customers the run skips (no longer owed the notice, `notices.dating.not_owed`)
and the notices it refuses (`notices.refusal.Refusal`, each rule's reason per notice). While any
notice is refused the real run sends none, so the others are shown as held; the command then
stops with the real run's error (`send_outcome.stop_if_refused`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import click

from assembler.model import LedgerNotice
from assembler.notices.ledger import Ledger
from assembler.notices.refusal import Refusal, refused
from assembler.notices.send import plan_send, to_send
from assembler.notices.smtp import SmtpSettings

WHY = {"pending": "new", "sending": "outcome unknown: again, same Message-ID",
       "unknown": "outcome unknown: again, same Message-ID"}
"""Why a notice in each ledger state would be sent (a failed one: its last reply)."""

DRY_RUN_HELP = ("Show what the send would do with each notice (send, hold, skip or refuse, and why) and "
        "exit as it would; send nothing.")
"""The --dry-run option's help, the same for every send."""


def echo_dry_run(ledger: Ledger, subject: str, settings: SmtpSettings, retry_failed: bool,
                 label: str = "", skip: Mapping[str, str] | None = None,
                 found: Sequence[Refusal] = (), others: int = 0) -> int:
    """Print what a send of `subject`'s notices would do; return how many it would send.

    `label` goes before each line (e.g. the phase of a breach notice); `skip` holds the
    customers the send would skip, with why; `found` the refusals of the send's rules for these
    notices, `others` how many notices the same run refuses of other subjects (a breach's other
    phases): while any is refused, nothing is sent.
    """
    summary = plan_send(ledger, subject, retry_failed)
    skip = skip or {}
    reasons = refused(found)
    todo = [n for n in summary.todo if n.customer_id not in skip]
    stopped = len(reasons) + others
    for n in todo:
        to = f"{n.customer_id} to {n.address} {n.message_id}"
        if n.customer_id in reasons:
            click.echo(f"{label}would refuse {to}: {reasons[n.customer_id]}")
        elif stopped:
            click.echo(f"{label}would hold {to}: not sent while {stopped} notice(s) are refused")
        else:
            why = WHY.get(n.state) or f"retry after {n.reply_code} {n.reply}"
            click.echo(f"{label}would send {to} ({why})")
    for cid, why in skip.items():
        click.echo(f"{label}would skip {cid}: {why}; notice not sent")
    for n in _left_failed(ledger, subject, retry_failed, skip):
        click.echo(f"{label}would leave {n.customer_id} to {n.address}: refused permanently "
                   f"before ({n.reply_code} {n.reply}); not retried without --retry-failed")
    sending = 0 if stopped else len(todo)
    click.echo(f"{label}dry run: {sending} notice(s) would be sent via {settings.host}:"
               f"{settings.port}; " + (f"{len(reasons)} refused; " if reasons else "")
               + (f"{len(todo) - len(reasons)} held; " if stopped and len(todo) > len(reasons)
                  else "")
               + (f"{len(skip)} skipped; " if skip else "")
               + f"{summary.already_sent} already sent; nothing was sent")
    return sending


def _left_failed(ledger: Ledger, subject: str, retry_failed: bool,
                 skip: Mapping[str, str]) -> list[LedgerNotice]:
    """Return the notices a run leaves as they are: refused permanently before, not retried."""
    return [n for n in ledger.notices(subject) if n.state == "failed"
            and not to_send(n, retry_failed) and n.customer_id not in skip]
