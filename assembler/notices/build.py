"""`notices build`: for each customer still to notify, a letter PDF and an .eml, hashed into the ledger.

The parts every customer shares (the explanations, the before/after table) are prepared once per
version change in `SharedParts`, and what depends on a customer's Bijlage 1 (its notes, its
before/after, the redline narrowed to it) once per set of services (`customer_changes`); the
letters and e-mails are then made per customer, in a process pool when there are many (Typst
renders one letter in a few ms, so the pool pays off from a few hundred customers on).
"""

from __future__ import annotations

import datetime as dt
import os
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from assembler.customers.email_address import valid_email
from assembler.errors import AssemblerError, CheckFailedError, UsageError
from assembler.fsutil import atomic_write_bytes, safe_name, staged_writes
from assembler.model import (
    TOELICHTING_TODO,
    ContractMeta,
    Customer,
    LedgerNotice,
    NoticeDocument,
    Redline,
    Version,
    version_key,
)
from assembler.model.notices import sha256
from assembler.notices import documents as notice_parts
from assembler.notices.customer_changes import ServiceSet, prepare_annexes, service_set
from assembler.notices.email import compose_email
from assembler.notices.ledger import BuiltRecorder, Ledger, now_utc
from assembler.notices.letter import ArticleNote, SharedParts, attachment_names, reference, render_letter
from assembler.notices.message import message_id_of
from assembler.notices.plan import NoticePlan, Texts
from assembler.pool import PoolOptions, WorkerPool, WorkerState
from assembler.redline.diff import changed_articles
from assembler.redline.queries import clause_changes

POOL_THRESHOLD = 200
"""Below this many notices, build in this process: starting workers costs more than it saves."""

ContractPdf = Callable[[Path, str, str, Customer], bytes]
"""(project root, contract id, version, customer) → that version's text with the customer's Bijlage 1."""
RedlinePdf = Callable[[Redline], bytes]


@dataclass(frozen=True)
class Job:
    """One customer's notice to build."""

    customer: Customer
    from_version: str
    annex_changes: bool
    services: ServiceSet
    """The customer's set of services (`service_set`), which jobs are sorted and grouped by."""


@dataclass(frozen=True)
class Context:
    """Everything a worker needs besides the job; sent to each worker once."""

    shared: dict[str, SharedParts]
    """By the version the customer is on."""
    out_dir: Path
    root: Path
    contract_pdf: ContractPdf


@dataclass(frozen=True)
class BuildRequest:
    """Where, dated when and from whom `build_notices` builds the notices."""

    out_dir: Path
    notice_date: dt.date
    sender: str
    """The sender's e-mail address (its domain ends each Message-ID)."""
    redline_pdf: RedlinePdf | None = None
    """Renders the before/after PDF (default: `notices.documents.redline_pdf`)."""
    contract_pdf: ContractPdf | None = None
    """Renders the customer's contract (default: `notices.documents.contract_pdf`)."""
    workers: int | None = None
    """Worker processes (default: the cores, at most 4)."""
    progress: Callable[[int, int], None] | None = None
    """Called with (done, total) as notices are finished."""
    composed_at: dt.datetime | None = None
    """When the notices are written: the real clock, read once by the command (`dutch.now_nl`)."""


@dataclass
class BuildSummary:
    """What `build_notices` did."""

    out_dir: Path
    built: list[str] = field(default_factory=list)
    """Customer ids whose notice was (re)built."""
    kept: list[str] = field(default_factory=list)
    """Customer ids whose notice is already sent (or may be): left as recorded."""
    not_affected: int = 0
    shared_files: list[Path] = field(default_factory=list)
    """The files shared by all notices (redline PDFs)."""
    failed: list[tuple[str, str]] = field(default_factory=list)
    """(customer id, why) of each notice that could not be built; the others were."""


def _by_version(key: str, steps: Sequence[Version]) -> tuple[tuple[str, str], ...]:
    """Return each version's own written toelichting on `key`, ``(version, text)``, in order."""
    notes = [(v.number, v.toelichting.get(key, "").strip()) for v in steps]
    return tuple((n, t) for n, t in notes if t and TOELICHTING_TODO not in t)


def _explain(key: str, steps: Sequence[Version]) -> str:
    """Return the toelichting on `key` over the versions in `steps`, labelled when several."""
    notes = _by_version(key, steps)
    if len(notes) == 1:
        return notes[0][1]
    return " ".join(f"In versie {n}: {t}" for n, t in notes)


def article_notes(redline: Redline, steps: Sequence[Version]) -> tuple[ArticleNote, ...]:
    """Return the changed articles with their explanation; raise when one has none.

    `steps` are the versions from the customer's (exclusive) to the announced one (inclusive): a
    customer two versions behind reads the explanations of both.
    """
    new = redline.new.agreement
    target = steps[-1]
    notes = []
    for number in changed_articles(redline):
        todo = [v for v in steps if TOELICHTING_TODO in v.toelichting.get(number, "")]
        text = _explain(number, steps)
        if todo or not text:
            where = (todo or [target])[0]
            raise CheckFailedError(
                f"{where.path}: article {number} changes in {where.number} but has no toelichting; "
                f"write it under [toelichting] (or `assembler release … --note {number}=…`)")
        article = new.article(number)
        heading = (f"Artikel {number}. {article.title}" if article
                   else f"Artikel {number} (vervalt)")
        notes.append(ArticleNote(number, heading, text, _by_version(number, steps)))
    return tuple(notes)


def shared_parts(texts: Texts, plan: NoticePlan, from_version: str, meta: ContractMeta,
                 request: BuildRequest, service_sets: Iterable[ServiceSet]) -> SharedParts:
    """Prepare what every notice from `from_version` to the plan's version shares, and per set of
    services in `service_sets` what those customers read about their Bijlage 1."""
    version = plan.version
    redline = texts.redline(from_version, version.number)
    new = redline.new.agreement
    steps = [v for v in texts.project.versions(version.contract) if v.status == "released"
             and version_key(from_version) < v.key <= version.key]
    name = f"wijzigingen-{from_version}-{version.number}.pdf"
    return SharedParts(
        meta=meta, title=new.title, version=version.number, from_version=from_version,
        effective=version.effective, sha256=new.sha256,
        articles=article_notes(redline, steps),
        changes=tuple(clause_changes(redline)),
        redline_name=name, notice_date=request.notice_date, sender=request.sender,
        composed_at=request.composed_at,
        by_services=prepare_annexes(redline, steps, texts.agreement, service_sets,
                                    request.redline_pdf or notice_parts.redline_pdf, name))


_STATE: WorkerState[Context] = WorkerState()


def _init(context: Context) -> None:
    _STATE.set(context)


def _warm(root: Path, contract: str, version: str, customer: Customer) -> None:
    """Render `customer`'s text of the new version in a worker before its first notice, and keep it.

    A worker's first PDF of a template costs ~5 times the next (Typst loads fonts and lays the
    template out afresh); the workers render this one while the command renders the shared
    redline, and the first customers share its services. A text that cannot be rendered is left
    for the notices that need it to report.
    """
    try:
        notice_parts.contract_pdf(root, contract, version, customer)
    except AssemblerError:
        pass


def _build(job: Job) -> tuple[LedgerNotice, list[NoticeDocument]]:
    ctx = _STATE.get()
    shared, customer = ctx.shared[job.from_version], job.customer
    names, annex = attachment_names(shared, customer), shared.annex(customer)
    letter = render_letter(shared, customer, job.annex_changes)
    contract = ctx.contract_pdf(ctx.root, shared.meta.id, shared.version, customer)
    eml = compose_email(shared, customer, job.annex_changes, letter, contract)
    folder = ctx.out_dir / safe_name(customer.customer_id)
    atomic_write_bytes(folder / names["letter"], letter)
    eml_file = folder / names["email"]
    atomic_write_bytes(eml_file, eml)
    eml_path = (eml_file.relative_to(ctx.root).as_posix() if eml_file.is_relative_to(ctx.root)
                else str(eml_file))
    docs = [NoticeDocument("letter", names["letter"], sha256(letter), len(letter)),
            NoticeDocument("email", names["email"], sha256(eml), len(eml)),
            NoticeDocument("redline", names["redline"], annex.redline_sha, len(annex.redline_pdf)),
            NoticeDocument("contract", names["contract"], sha256(contract), len(contract))]
    notice = LedgerNotice(
        version=shared.version, customer_id=customer.customer_id, from_version=job.from_version,
        reference=reference(shared.version, customer.customer_id), address=customer.contact_email,
        message_id=message_id_of(eml),
        eml_path=eml_path, eml_sha256=docs[1].sha256, state="pending", built_at=now_utc(),
        states_effective=shared.effective)
    return notice, docs


def _build_or_say_why(job: Job) -> tuple[LedgerNotice, list[NoticeDocument]] | tuple[str, str]:
    """Build one notice, or return (customer id, why not): one bad customer never stops the rest."""
    try:
        return _build(job)
    except AssemblerError as exc:
        return job.customer.customer_id, exc.message
    except Exception as exc:  # noqa: BLE001 - reported by customer id; the run goes on
        return job.customer.customer_id, f"{type(exc).__name__}: {exc}"


def largest_groups_first(jobs: Sequence[Job]) -> list[Job]:
    """Return `jobs` grouped by their text (version and set of services), the largest group first.

    Customers with the same services share their text of the new version, which a worker
    renders once per set of services: sorted, and kept together in a chunk (`group`), each set
    is rendered by one worker instead of by every worker. The largest sets come first, so that
    the run ends with customers who share their set with nobody, in chunks of one (`_chunks`
    cuts a large group at the end rather than leave one worker with all of it). Groups of equal
    size follow in the order of their keys; within a group the jobs keep their order. The
    summary still lists them in the plan's order.

    Each group gets its rank first and the jobs are sorted by it: comparing the (size, version,
    services) keys of 10,000 jobs themselves cost ~50 ms (measured) before the workers could start.
    """
    sizes = Counter((j.from_version, j.services) for j in jobs)
    rank = {g: i for i, g in enumerate(sorted(sizes, key=lambda g: (-sizes[g], g)))}
    return sorted(jobs, key=lambda j: rank[j.from_version, j.services])


def build_notices(texts: Texts, plan: NoticePlan, customers: Sequence[Customer], ledger: Ledger,
                  request: BuildRequest) -> BuildSummary:
    """Build the notice of every customer in `plan` who still has to be notified.

    Notices already sent (or possibly sent: ``sending``/``unknown``) are kept as recorded, unless
    they bounced.
    """
    progress = request.progress
    by_id = {c.customer_id: c for c in customers}
    summary = BuildSummary(request.out_dir)
    jobs: list[Job] = []
    for row in plan.rows:
        if not row.affected:
            summary.not_affected += 1
        elif row.ledger_state in ("sending", "unknown") or (
                row.ledger_state == "sent" and row.bounced_on is None):
            summary.kept.append(row.customer_id)
        else:
            customer = by_id[row.customer_id]
            jobs.append(Job(customer, row.current_version, row.annex_changes,
                            service_set(customer)))
    bad = [f"{j.customer.customer_id} ({j.customer.contact_email!r})" for j in jobs
           if not valid_email(j.customer.contact_email)]
    if bad:
        raise UsageError(f"{len(bad)} customer(s) have no valid contact_email in the registry: "
                         f"{', '.join(bad[:5])}{', …' if len(bad) > 5 else ''}; fix them and build again")
    order = {j.customer.customer_id: i for i, j in enumerate(jobs)}
    jobs = largest_groups_first(jobs)
    workers = request.workers or min(os.cpu_count() or 1, 4)
    # before the fork: the workers inherit the modules and the new version's text
    notice_parts.load_renderers()
    root = texts.project.root.resolve()
    notice_parts.keep_published(root, texts.resolved(plan.version.number))
    # The workers start now and warm up while this process renders the shared redline PDFs.
    contract = texts.agreement(plan.version.number).meta.id  # as `_build` asks for it
    warm = (root, contract, plan.version.number, jobs[0].customer) if jobs else None
    with WorkerPool(PoolOptions(workers, 32, POOL_THRESHOLD), len(jobs),
                    init=_warm if warm and not request.contract_pdf else None,
                    initargs=warm or ()) as pool:
        with staged_writes() as shared_files:
            context = _shared_context(texts, plan, jobs, request, summary)
        pool.commit_in_background(shared_files)  # in place before the first notice is recorded
        # only a bounced notice may replace one recorded as sent; never pass every job here
        replaceable = {row.customer_id for row in plan.rows if row.bounced_on is not None}
        notices = pool.map(jobs, _build_or_say_why, init=_init, initargs=(context,),
                           group=lambda job: job.services, last=True)
        _record(notices, ledger, summary, replaceable, _Progress(progress, len(jobs)))
    summary.built.sort(key=order.__getitem__)
    summary.failed.sort(key=lambda failure: order[failure[0]])
    return summary


def _shared_context(texts: Texts, plan: NoticePlan, jobs: Sequence[Job], request: BuildRequest,
                    summary: BuildSummary) -> Context:
    """Prepare and write the parts the notices share; return what every worker needs."""
    out_dir = request.out_dir
    meta = texts.agreement(plan.version.number).meta
    shared: dict[str, SharedParts] = {}
    for from_version in sorted({j.from_version for j in jobs}):
        sets = {j.services for j in jobs if j.from_version == from_version}
        shared[from_version] = parts = shared_parts(texts, plan, from_version, meta, request, sets)
        # one file per distinct redline: customers whose Bijlage 1 reads the same share it
        for file, pdf in sorted({(a.redline_file, a.redline_pdf) for a in parts.by_services.values()}):
            atomic_write_bytes(out_dir / file, pdf)
            summary.shared_files.append(out_dir / file)
    return Context(shared=shared,
                   out_dir=out_dir.resolve(),
                   root=texts.project.root.resolve(),
                   contract_pdf=request.contract_pdf or notice_parts.contract_pdf)


@dataclass(frozen=True)
class _Progress:
    """Where to report progress, and out of how many notices."""

    report: Callable[[int, int], None] | None
    total: int


def _record(results: Iterable[tuple[LedgerNotice, list[NoticeDocument]] | tuple[str, str]],
            ledger: Ledger, summary: BuildSummary, replaceable: set[str], progress: _Progress) -> None:
    """Record the built notices in the ledger as they come in (`BuiltRecorder`).

    A customer whose notice could not be built is kept in `summary.failed` with the reason; the
    others are built and recorded all the same.
    """
    recorder = BuiltRecorder(ledger, replaceable)
    for result in results:
        if isinstance(result[0], str):
            summary.failed.append(result)
            continue
        recorder.add(*result)
        summary.built.append(result[0].customer_id)
        if progress.report:
            progress.report(len(summary.built), progress.total)
    recorder.flush()
