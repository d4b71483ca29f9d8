"""`incidents build`: a letter PDF and an .eml per affected customer, hashed into the notice ledger.

The notices go into the same ledger as the revision notices (`notices.ledger.Ledger`), filed
under ``breach/<id>/<phase>`` in place of a version (`plan.ledger_subject`), so that
`notices.send.send_notices` delivers them with the same crash-safe protocol and proof. Many
customers are built in the process pool (`assembler.pool`).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assembler.customers.email_address import valid_email
from assembler.dutch import load_locale
from assembler.errors import UsageError
from assembler.fsutil import atomic_write_bytes
from assembler.incidents.email import compose_breach_email
from assembler.incidents.evidence import basis_column
from assembler.incidents.letter import BreachParts, breach_texts, file_stem, reference
from assembler.incidents.plan import BreachPlan, ledger_subject
from assembler.model import PHASES, Customer, LedgerNotice, NoticeDocument, Phase
from assembler.model.notices import sha256
from assembler.notices.ledger import BuiltRecorder, Ledger, now_utc
from assembler.notices.message import message_id_of
from assembler.pool import PoolOptions, WorkerPool, WorkerState
from assembler.render.breach_pdf import render_breach_letter

POOL_THRESHOLD = 200
"""Below this many notices, build in this process: starting workers costs more than it saves."""


@dataclass(frozen=True)
class Job:
    """One customer's breach notice to build."""

    customer: Customer
    earlier: list[str]
    """Message-IDs of this customer's notices in earlier phases, oldest first."""
    ended: dt.date | None = None
    """The day their agreement ended, when they are told because we still held their data."""


@dataclass(frozen=True)
class Context:
    """What every worker needs besides the job; sent to each worker once."""

    parts: BreachParts
    out_dir: Path
    root: Path


@dataclass
class BreachBuildSummary:
    """What `build_breach_notices` did."""

    out_dir: Path
    built: list[str] = field(default_factory=list)
    """Customer ids whose notice was (re)built."""
    kept: list[str] = field(default_factory=list)
    """Customer ids whose notice of this phase is sent (or may be): left as recorded."""


def letter_data(parts: BreachParts, customer: Customer,
                ended: dt.date | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """Return the JSON of `breach_letter.typ`: (shared by every customer, this customer's).

    `ended`: the day their agreement ended, when they are told because we still held their data.
    """
    p = parts.processor
    shared = {"sender": {"name": p.name, "lines": [p.street, f"{p.postcode} {p.city}",
                                                   f"KvK {p.kvk}", p.email]},
              "footer": f"{p.name} · KvK {p.kvk} · {p.email}"}
    recipient = [customer.company_name]
    if customer.contact_name:
        recipient.append(f"t.a.v. {customer.contact_name}")
    recipient += [customer.street, f"{customer.postcode}  {customer.city}"]
    own = {**breach_texts(parts, customer, ended), "recipient": recipient,
           "customer_id": customer.customer_id}
    return shared, own


_STATE: WorkerState[Context] = WorkerState()


def _init(context: Context) -> None:
    _STATE.set(context)


def _build(job: Job) -> tuple[LedgerNotice, list[NoticeDocument]]:
    ctx = _STATE.get()
    parts, customer = ctx.parts, job.customer
    shared, own = letter_data(parts, customer, job.ended)
    letter = render_breach_letter(shared, own, parts.notice_at.date())
    eml = compose_breach_email(parts, customer, letter, job.earlier, job.ended)
    stem = file_stem(parts, customer)
    atomic_write_bytes(ctx.out_dir / f"{stem}.pdf", letter)
    eml_file = ctx.out_dir / f"{stem}.eml"
    atomic_write_bytes(eml_file, eml)
    eml_path = (eml_file.relative_to(ctx.root).as_posix() if eml_file.is_relative_to(ctx.root)
                else str(eml_file))
    docs = [NoticeDocument("letter", f"{stem}.pdf", sha256(letter), len(letter)),
            NoticeDocument("email", f"{stem}.eml", sha256(eml), len(eml))]
    i = parts.incident
    notice = LedgerNotice(
        version=ledger_subject(i.id, parts.phase), customer_id=customer.customer_id,
        from_version=basis_column(i, parts.phase), reference=reference(i.id, customer.customer_id),
        address=customer.contact_email,
        message_id=message_id_of(eml),
        eml_path=eml_path, eml_sha256=docs[1].sha256, state="pending", built_at=now_utc())
    return notice, docs


def _jobs(plan: BreachPlan, parts: BreachParts, customers: Sequence[Customer], ledger: Ledger,
          summary: BreachBuildSummary) -> list[Job]:
    """Return the notices still to build; put those sent (or possibly sent) in `summary.kept`."""
    i = plan.incident
    current = {n.customer_id: n for n in ledger.notices(ledger_subject(i.id, parts.phase))}
    before = [{n.customer_id: n.message_id for n in ledger.notices(ledger_subject(i.id, p))}
              for p in PHASES[:PHASES.index(parts.phase)]]
    by_id = {c.customer_id: c for c in customers}
    jobs = []
    for row in plan.rows:
        n = current.get(row.customer_id)
        if n and n.state in ("sent", "sending", "unknown"):
            summary.kept.append(row.customer_id)
            continue
        earlier = [ids[row.customer_id] for ids in before if row.customer_id in ids]
        jobs.append(Job(by_id[row.customer_id], earlier, row.agreement_ended))
    refuse_without_initial(i.id, parts.phase, [j.customer.customer_id for j in jobs], ledger)
    bad = [f"{j.customer.customer_id} ({j.customer.contact_email!r})" for j in jobs
           if not valid_email(j.customer.contact_email)]
    if bad:
        raise UsageError(f"{len(bad)} affected customer(s) have no valid contact_email in the "
                         f"registry: {', '.join(bad[:5])}{', …' if len(bad) > 5 else ''}; fix "
                         "them and build again")
    return jobs


def refuse_without_initial(incident_id: str, phase: Phase, customer_ids: Sequence[str],
                           ledger: Ledger) -> None:
    """Refuse an update or final notice to a customer whose initial notice was not accepted.

    Art. 7.1 requires a first notice within 48 hours; GDPR art. 33(4) then allows the
    information "in phases", each one adding to what the customer was already told: the update
    says "vullen wij onze eerdere melding aan", the final "ronden wij onze meldingen af". To a
    customer whose server has not accepted the initial notice (never built, not yet sent,
    failed, or newly found affected when the record was widened) there is nothing to add to,
    and the 48 hours run for them as for everyone: they get the initial notice first, with the
    full art. 7.3 content as now known (`incidents build --phase initial` builds exactly those
    customers), and the update once it is accepted. Per customer, so one missing initial
    notice names that customer and builds nothing of this phase.
    """
    if phase == "initial":
        return
    sent = {n.customer_id for n in ledger.notices(ledger_subject(incident_id, "initial"))
            if n.state == "sent"}
    missing = [c for c in customer_ids if c not in sent]
    if missing:
        raise UsageError(
            f"no {phase} notice of incident {incident_id} before the initial one: "
            f"{len(missing)} affected customer(s) have no initial notice accepted by their server "
            f"({', '.join(missing[:5])}{', …' if len(missing) > 5 else ''}); run `assembler "
            f"incidents build {incident_id}` and `incidents send {incident_id}` first")


def build_breach_notices(plan: BreachPlan, parts: BreachParts, customers: Sequence[Customer],
                         ledger: Ledger, out_dir: Path, root: Path, workers: int | None = None,
                         progress: Callable[[int, int], None] | None = None) -> BreachBuildSummary:
    """Build the notice of `parts.phase` for every affected customer not yet sent it.

    `progress(done, total)` is called after each notice is in place and recorded as built.
    """
    summary = BreachBuildSummary(out_dir)
    jobs = _jobs(plan, parts, customers, ledger, summary)
    context = Context(parts, out_dir.resolve(), root.resolve())
    replaceable = {j.customer.customer_id for j in jobs}
    options = PoolOptions(workers or min(os.cpu_count() or 1, 4), 32, POOL_THRESHOLD)
    load_locale()  # before the fork: the workers inherit the Dutch locale data
    with WorkerPool(options, len(jobs)) as pool:
        recorder = BuiltRecorder(ledger, replaceable)
        for result in pool.map(jobs, _build, init=_init, initargs=(context,), last=True):
            recorder.add(*result)
            summary.built.append(result[0].customer_id)
            if progress:
                progress(len(summary.built), len(jobs))
        recorder.flush()  # while the workers end
    return summary
