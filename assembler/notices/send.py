"""`notices send`: deliver built notices of any kind over SMTP, crash-safe and one run at a time.

The protocol, per notice:

1. commit state ``sending`` (and open a delivery record) in the ledger;
2. run the SMTP transaction (with retries on 4xx and connection errors);
3. commit ``sent`` or ``failed`` with the server's reply.

If the process dies between 1 and 3, the next run finds the notice in ``sending``: the server may
or may not have accepted it. It is marked ``unknown`` and sent again with the same Message-ID and
the same bytes. So delivery is **at least once**: a customer may get the notice twice, and the two
copies are identical and share one Message-ID, which mail clients use to show them as one. It is
never lost. Notices already ``sent`` are skipped, so running `send` again is harmless.

An accepted message whose reply was lost (the connection broke after the final dot) is
``unknown`` too, and treated the same way by the next run. Each SMTP transaction, every retry
included, is its own delivery record. When the server cannot be reached at all, the run stops
after the first notice (its retries) instead of waiting out the same timeouts for every other.

Before sending, the .eml is read back and its SHA-256 compared with the ledger: what is sent is
exactly what was built and hashed. Those bytes are kept in the customer's archive beside the
registry (`customers.archive.keep_sent`, once per content) before the transaction is recorded,
so a later rebuild of a bounced notice cannot take away the evidence of what went out.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from assembler.customers.archive import keep_sent
from assembler.errors import DeliveryError
from assembler.model import LedgerNotice, NoticeKind
from assembler.model.notices import sha256
from assembler.notices.ledger import Ledger, send_lock
from assembler.notices.refusal import Refusal
from assembler.notices.smtp import Delivery, SmtpSettings

if TYPE_CHECKING:
    from assembler.notices.smtp_client import Mailer


@dataclass
class SendSummary:
    """What `send_notices` did (or, in a dry run, would do)."""

    todo: list[LedgerNotice] = field(default_factory=list)
    """The notices this run sends (or would send)."""
    sent: list[str] = field(default_factory=list)
    failed: list[tuple[str, int, str]] = field(default_factory=list)
    """(customer id, reply code, reply) of each notice that failed, or whose outcome is unknown."""
    unreachable: str = ""
    """Why the server could not be reached, when the run stopped for it."""
    not_tried: int = 0
    """Notices left untried because the server could not be reached."""
    recovered: list[str] = field(default_factory=list)
    """Customer ids whose outcome was unknown (a run died mid-send): sent again, same Message-ID."""
    already_sent: int = 0
    permanent_failures: int = 0
    """Notices that failed with a 5xx before and are not retried without --retry-failed."""


def to_send(notice: LedgerNotice, retry_failed: bool) -> bool:
    """Return whether a run sends `notice`."""
    if notice.state in ("pending", "sending", "unknown"):
        return True
    return notice.state == "failed" and (retry_failed or (notice.reply_code or 0) < 500)


def eml_path(root: Path, notice: LedgerNotice) -> Path:
    """Return where the built .eml of `notice` is."""
    path = Path(notice.eml_path)
    return path if path.is_absolute() else root / path


REBUILD: dict[NoticeKind, str] = {"revision": "run `assembler notices build` again",
                                   "subprocessor": "run `assembler subprocessors build` again",
                                   "breach": "build the breach notices again"}
"""What to do when a built notice of each kind is missing or changed."""


def read_eml(root: Path, notice: LedgerNotice, kind: NoticeKind = "revision") -> bytes:
    """Return the built .eml of `notice` (of `kind`), checked against its hash in the ledger."""
    path, hint = eml_path(root, notice), REBUILD[kind]
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DeliveryError(f"{path}: cannot read the notice for {notice.customer_id}: "
                            f"{exc.strerror or exc}; {hint}") from exc
    if sha256(data) != notice.eml_sha256:
        raise DeliveryError(f"{path}: differs from what the ledger recorded at build time "
                            f"(sha256 {notice.eml_sha256[:12]}…); {hint}")
    return data


def _file_refusal(root: Path, todo: Sequence[LedgerNotice], reasons: dict[str, str],
                  kind: NoticeKind) -> Refusal | None:
    """Return the refusal of the files in `reasons`, with `read_eml`'s error for the first one.

    None when there are none, or when that first file now reads as built (it appeared, or was
    put back, meanwhile): the send reads each file then, checked against its hash.
    """
    first = next((n for n in todo if n.customer_id in reasons), None)
    if first is None:
        return None
    try:
        read_eml(root, first, kind)
    except DeliveryError as exc:
        return Refusal(reasons, exc)
    return None


def missing_refusal(root: Path, todo: Sequence[LedgerNotice],
                    kind: NoticeKind = "revision") -> Refusal | None:
    """Refuse the notices of `todo` whose built .eml is missing; None when every one is there.

    A run sends nothing while one is missing, so that it never stops halfway for want of a
    file; the error says which file and how to build it again (`read_eml`).
    """
    reasons = {n.customer_id: f"{n.eml_path} is missing; {REBUILD[kind]}" for n in todo
               if not eml_path(root, n).is_file()}
    return _file_refusal(root, todo, reasons, kind)


def changed_refusal(root: Path, todo: Sequence[LedgerNotice],
                    kind: NoticeKind = "revision") -> Refusal | None:
    """Refuse the notices of `todo` whose built .eml differs from the hash the ledger recorded.

    Every file is read and hashed before the first message goes out, so that a run never
    stops halfway, some customers told and others not, at a file edited since its build (or one
    that cannot be read; a missing one is `missing_refusal`'s). As each message goes out its
    file is checked once more (`read_eml`), for one changed in between.
    """
    reasons: dict[str, str] = {}
    for n in todo:
        path = eml_path(root, n)
        try:
            data = path.read_bytes()
        except OSError as exc:
            if path.is_file():
                reasons[n.customer_id] = (f"{n.eml_path} cannot be read: {exc.strerror or exc}; "
                                          f"{REBUILD[kind]}")
            continue
        if sha256(data) != n.eml_sha256:
            reasons[n.customer_id] = (f"{n.eml_path} differs from what the ledger recorded at "
                                      f"build time; {REBUILD[kind]}")
    return _file_refusal(root, todo, reasons, kind)


def plan_send(ledger: Ledger, version: str, retry_failed: bool = False) -> SendSummary:
    """Return what a run would send, without changing anything (the dry run)."""
    summary = SendSummary()
    for n in ledger.notices(version):
        if to_send(n, retry_failed):
            summary.todo.append(n)
        elif n.state == "sent":
            summary.already_sent += 1
        else:
            summary.permanent_failures += 1
    return summary


@dataclass(frozen=True)
class SendRequest:
    """Which notices `send_notices` sends, through which server."""

    version: str
    settings: SmtpSettings
    retry_failed: bool = False
    """Also send again the notices whose last attempt failed permanently."""
    progress: Callable[[int, int], None] | None = None
    """Called after each message: (notices tried so far, notices to send in this run)."""
    skip: frozenset[str] = frozenset()
    """Customer ids not to send to (they terminated after their notice was built)."""


def send_notices(root: Path, database: Path, ledger: Ledger, request: SendRequest) -> SendSummary:
    """Send every notice of the request's version still to send; see the module docstring.

    The notices are those of the ledger's kind (revision, sub-processor or breach), the request's
    version their subject. `database` is the registry file: its lock keeps a second send of any
    kind out.
    """
    version, settings, progress = request.version, request.settings, request.progress
    with send_lock(database):
        recovered = ledger.recover(version)
        summary = plan_send(ledger, version, request.retry_failed)
        summary.recovered = recovered
        summary.todo = [n for n in summary.todo if n.customer_id not in request.skip]
        missing = missing_refusal(root, summary.todo, ledger.kind)
        if missing:  # every file is there before the first message goes out
            raise missing.error
        from assembler.notices.smtp_client import Mailer  # smtplib only for a command that sends

        with Mailer(settings) as smtp:
            for number, n in enumerate(summary.todo):
                d = _send_one(root, database, ledger, smtp, settings.sender, n)
                if d.outcome == "sent":
                    summary.sent.append(n.customer_id)
                else:
                    summary.failed.append((n.customer_id, d.code, d.reply))
                if progress:
                    progress(number + 1, len(summary.todo))
                if d.unreachable:
                    summary.unreachable = d.reply
                    summary.not_tried = len(summary.todo) - number - 1
                    break
    return summary


def _send_one(root: Path, database: Path, ledger: Ledger, smtp: Mailer, sender: str,
              n: LedgerNotice) -> Delivery:
    """Send one notice, each SMTP transaction (retries too) its own committed delivery record."""
    data = read_eml(root, n, ledger.kind)
    keep_sent(database, n.customer_id, n.eml_sha256, data)
    delivery_id = [ledger.mark_sending(n)]

    def retry(failed: Delivery) -> None:
        delivery_id[0] = ledger.mark_retry(n, delivery_id[0], failed)

    d = smtp.send(sender, n.address, data, on_retry=retry)
    ledger.mark_done(n, delivery_id[0], d)
    return d
