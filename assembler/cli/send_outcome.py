"""What every send command (`notices`, `subprocessors`, `incidents send`) reports around a run.

The customers skipped because they are no longer owed the notice (`notices.dating.not_owed`),
the notices its rules refuse (`notices.refusal`), and the exit status: a send exits 1 while any
notice of its subject is still undelivered, whether this run or an earlier one left it so, so
that a script never takes a half-done announcement for a finished one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence

import click

from assembler.customers.registry import Registry
from assembler.model import LedgerNotice
from assembler.notices.dating import not_owed
from assembler.notices.ledger import Ledger
from assembler.notices.refusal import Refusal, refused
from assembler.notices.send import SendSummary
from assembler.notices.smtp import SmtpSettings


def not_owed_unsent(registry: Registry, ledger: Ledger, subject: str, first: dt.date,
                    last: dt.date | None = None) -> dict[str, str]:
    """Return, with why, the customers whose unsent notice of `subject` is no longer owed.

    The rule is that of the ledger's kind of notice (`notices.dating.not_owed`).

    Every notice not yet ``sent`` counts, a failed one not retried in this run too: it is not
    sent, so it is no longer "not delivered yet" either.
    """
    unsent = [n.customer_id for n in ledger.notices(subject) if n.state != "sent"]
    return not_owed(registry, unsent, first, last, ledger.kind) if unsent else {}


def echo_not_owed(skip: Mapping[str, str], label: str = "") -> None:
    """Say on stderr, per customer in `skip`, why their notice is not sent (`label` goes first)."""
    for cid, why in skip.items():
        click.echo(f"{label}{cid}: {why}; notice not sent", err=True)


def exit_while_undelivered(notices: Iterable[LedgerNotice], summaries: Iterable[SendSummary],
                           settings: SmtpSettings, command: str,
                           skip: Mapping[str, str] | None = None) -> None:
    """Exit 1, saying why, while any notice is failed or unknown, or the server was unreachable.

    `notices` are all the ledger holds of the subject sent (every run's, not only this one's),
    `summaries` what this run's sends did; `command` is the send command, named in the advice
    to retry the notices refused permanently. The notices of customers in `skip` (no longer
    owed) are not waited for.
    """
    unreachable = False
    for summary in summaries:
        if summary.unreachable:
            unreachable = True
            click.echo(f"assembler: error: stopped: cannot reach the SMTP server {settings.host}:"
                       f"{settings.port} ({summary.unreachable}); {summary.not_tried} notice(s) "
                       "not tried", err=True)
    open_ = [n for n in notices if n.state in ("failed", "unknown") and n.customer_id not in (skip or {})]
    if open_ or unreachable:
        permanent = sum(1 for n in open_ if n.state == "failed" and (n.reply_code or 0) >= 500)
        click.echo(f"assembler: error: {len(open_)} notice(s) not delivered yet "
                   f"({', '.join(n.customer_id for n in open_[:5])}{', …' if len(open_) > 5 else ''})"
                   + (f"; {permanent} refused permanently (5xx): fix the address, then "
                      f"`{command} --retry-failed`" if permanent else ""), err=True)
        raise SystemExit(1)


def echo_refused(found: Sequence[Refusal], label: str = "") -> None:
    """Say on stderr, per notice the send's rules refuse, why (`label` goes first)."""
    for cid, why in refused(found).items():
        click.echo(f"{label}{cid}: refused: {why}", err=True)


def stop_if_refused(found: Sequence[Refusal]) -> None:
    """Stop with the first rule's error while any notice is refused: the run then sends nothing.

    The send and its dry run both end here, so both stop with the same message and exit status.
    """
    if found:
        raise found[0].error
