"""`subprocessors build`: per customer and pending change, a letter PDF and an .eml in the ledger.

The notices go into the same ledger as the revision notices (kind ``subprocessor``, subject the
change id) and are sent by the same loop (`notices.send`). Letters are rendered in a process pool
when there are many, as the revision notices are; the list each e-mail attaches is rendered once
per distinct set of services, by the pool's workers before their first letter (`list_cache`).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from assembler.customers.email_address import valid_email
from assembler.dutch import load_locale
from assembler.errors import UsageError
from assembler.fsutil import atomic_write_bytes, safe_name
from assembler.model import (
    Catalogue,
    ContractMeta,
    Customer,
    LedgerNotice,
    NoticeDocument,
    Register,
)
from assembler.model.notices import sha256
from assembler.notices.ledger import BuiltRecorder, Ledger, now_utc
from assembler.notices.message import message_id_of
from assembler.pool import PoolOptions, WorkerPool, WorkerState
from assembler.subprocessors.letter import (
    ChangeParts,
    compose_email,
    file_names,
    reference,
    render_letter,
)
from assembler.subprocessors.list_cache import ServiceSet, list_attachment_name, lists_by_services
from assembler.subprocessors.plan import SubprocessorPlan

POOL_THRESHOLD = 200
"""Below this many notices, build in this process: starting workers costs more than it saves."""


@dataclass(frozen=True)
class SubprocessorBuildRequest:
    """Where, dated when and from whom the notices are built."""

    out_dir: Path
    notice_date: dt.date
    """Today (Europe/Amsterdam): a notice is never dated otherwise."""
    sender: str
    list_url: str
    """The published list the notices link to."""
    register: Register
    """The register whose list (on `notice_date`) each e-mail attaches."""
    workers: int | None = None
    progress: Callable[[int, int], None] | None = None
    composed_at: dt.datetime | None = None
    """When the notices are written: the real clock, read once by the command (`dutch.now_nl`)."""


@dataclass
class SubprocessorBuildSummary:
    """What `build_subprocessor_notices` did."""

    built: list[tuple[str, str]] = field(default_factory=list)
    """(change id, customer id) of each notice (re)built."""
    kept: list[tuple[str, str]] = field(default_factory=list)
    """Notices already sent (or possibly sent): left as recorded."""


@dataclass(frozen=True)
class _Context:
    parts: dict[str, ChangeParts]
    lists: dict[ServiceSet, bytes]
    out_dir: Path
    root: Path


_STATE: WorkerState[_Context] = WorkerState()


def _init(context: _Context) -> None:
    _STATE.set(context)


def _build(job: tuple[str, Customer]) -> tuple[LedgerNotice, list[NoticeDocument]]:
    ctx = _STATE.get()
    change_id, customer = job
    parts = ctx.parts[change_id]
    letter = render_letter(parts, customer)
    listing = ctx.lists[frozenset(customer.services)]
    eml = compose_email(parts, customer, letter, listing)
    names = file_names(change_id, customer.customer_id)
    folder = ctx.out_dir / safe_name(change_id) / safe_name(customer.customer_id)
    atomic_write_bytes(folder / names["letter"], letter)
    atomic_write_bytes(folder / names["email"], eml)
    eml_file = folder / names["email"]
    path = eml_file.relative_to(ctx.root).as_posix() if eml_file.is_relative_to(ctx.root) else str(eml_file)
    email = NoticeDocument("email", names["email"], sha256(eml), len(eml))
    docs = [NoticeDocument("letter", names["letter"], sha256(letter), len(letter)),
            NoticeDocument("list", list_attachment_name(parts.notice_date), sha256(listing),
                           len(listing)), email]
    notice = LedgerNotice(
        version=change_id, customer_id=customer.customer_id, from_version="",
        reference=reference(change_id, customer.customer_id), address=customer.contact_email,
        message_id=message_id_of(eml),
        eml_path=path, eml_sha256=email.sha256, state="pending", built_at=now_utc())
    return notice, docs


def build_subprocessor_notices(plan: SubprocessorPlan, customers: Sequence[Customer],
                               catalogue: Catalogue, meta: ContractMeta, ledger: Ledger,
                               root: Path, request: SubprocessorBuildRequest
                               ) -> SubprocessorBuildSummary:
    """Build the notice of every row of `plan` still to send (a bounced one is built again)."""
    by_id = {c.customer_id: c for c in customers}
    summary = SubprocessorBuildSummary()
    jobs: list[tuple[str, Customer]] = []
    for row in plan.rows:
        bounced = bool(row.events) and row.events[-1] == "bounced"
        if row.ledger_state in ("sending", "unknown") or (row.ledger_state == "sent" and not bounced):
            summary.kept.append((row.change_id, row.customer_id))
        else:
            jobs.append((row.change_id, by_id[row.customer_id]))
    bad = sorted({f"{c.customer_id} ({c.contact_email!r})" for _, c in jobs
                  if not valid_email(c.contact_email)})
    if bad:
        raise UsageError(f"{len(bad)} customer(s) have no valid contact_email in the registry: "
                         f"{', '.join(bad[:5])}{', …' if len(bad) > 5 else ''}; fix them and build again")
    parts = {c.entry.id: ChangeParts(c, meta, catalogue, request.notice_date, request.sender,
                                     request.list_url, request.composed_at) for c in plan.changes}
    replaceable = {c.customer_id for _, c in jobs}
    workers = request.workers or min(os.cpu_count() or 1, 4)
    # The pool is entered before anything is rendered: rendering starts Typst's threads, and a
    # process running those can no longer fork (`pool.processes.fork_is_safe`), so a pool
    # entered after it would start a forkserver whose workers import everything again (~0.4 s
    # each). Its workers then render the lists (`list_cache`).
    load_locale()  # before the fork: the workers inherit the Dutch locale data
    with WorkerPool(PoolOptions(workers, 32, POOL_THRESHOLD), len(jobs)) as pool:
        lists = lists_by_services(request.register, catalogue, meta,
                                  (frozenset(c.services) for _, c in jobs), request.notice_date,
                                  pool)
        context = _Context(parts, lists, request.out_dir.resolve(), root.resolve())
        recorder = BuiltRecorder(ledger, replaceable)
        for result in pool.map(jobs, _build, init=_init, initargs=(context,), last=True):
            recorder.add(*result)
            summary.built.append((result[0].version, result[0].customer_id))
            if request.progress:
                request.progress(len(summary.built), len(jobs))
        recorder.flush()  # while the workers end
    return summary
