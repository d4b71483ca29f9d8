"""Build contracts for many customers: stream them from the registry to a pool of processes.

Each worker process keeps its own project, Typst compiler and DOCX renderer for the whole run (the
expensive parts load once); the parent reads customers in id order and hands them out in chunks
through `assembler.pool`, so memory stays flat however many customers there are. Every file is
written atomically by the worker that rendered it.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterable, Sequence, Sized
from dataclasses import dataclass, field
from pathlib import Path

from assembler.agreement.project import Project
from assembler.customers.document import BuiltContract, ContractBuilder
from assembler.dutch import today_nl
from assembler.errors import AssemblerError
from assembler.fsutil import atomic_write_bytes, inside
from assembler.model import Customer
from assembler.pool import PoolOptions, WorkerPool, WorkerState

CHUNK = 20
"""Customers per task handed to a worker."""


@dataclass(frozen=True)
class BatchOptions:
    """What to build for each customer of a batch, and where to."""

    out_dir: Path
    version_ref: str | None = None
    """Version, git ref or worktree; None: each customer's own version."""
    formats: tuple[str, ...] = ("pdf", "docx")
    contract: str | None = None
    keep_paths: bool = False
    """Keep the path of every file written (a 10,000-customer run keeps counts)."""


@dataclass
class BatchResult:
    """What a batch build did."""

    built: int = 0
    """Customers whose files were all written."""
    files: list[Path] = field(default_factory=list)
    """Files written (only kept when asked for; a 10,000-customer run keeps counts)."""
    file_count: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)
    """(customer id, message) for each customer that could not be built."""
    seconds: float = 0.0


def output_paths(built: BuiltContract, out_dir: Path, formats: Sequence[str]) -> list[tuple[Path, bytes]]:
    """Return the files of a built contract: ``<customer_id>-<contract>-<version>.<format>``."""
    out = []
    for fmt in formats:
        data = built.pdf if fmt == "pdf" else built.docx
        assert data is not None
        out.append((inside(out_dir, f"{built.stem}.{fmt}"), data))
    return out


def write_contract(built: BuiltContract, out_dir: Path, formats: Sequence[str]) -> list[Path]:
    """Write a built contract's files atomically; return their paths."""
    written = []
    for path, data in output_paths(built, out_dir, formats):
        atomic_write_bytes(path, data)
        written.append(path)
    return written


# --- worker side ------------------------------------------------------------------------------

_STATE: WorkerState[tuple[ContractBuilder, BatchOptions]] = WorkerState()


def _init_worker(root: str, options: BatchOptions, today: dt.date) -> None:
    """Load what every customer of the batch needs, once per worker, before its first customer.

    Besides the builder: the text most customers are built from (the version asked for, or the
    newest in effect on `today`) is parsed, and the DOCX renderer is imported, so that a pool's
    workers do this while the parent still reads the registry. A text that cannot be read is left
    for the customers that need it to report.
    """
    builder = ContractBuilder(Project(Path(root)), options.contract)
    _STATE.set((builder, options))
    if "docx" in options.formats:
        import assembler.render.contract_docx  # noqa: F401
    in_effect = [v for v in builder.project.versions(builder.contract) if v.effective <= today]
    ref = options.version_ref or (in_effect[-1].number if in_effect else None)
    if ref is not None:
        try:
            builder.resolve(ref)
        except AssemblerError:
            pass


def _build_one(customer: Customer) -> tuple[str, list[str], str | None]:
    """Build and write one customer's files: (customer id, paths written, error message or None)."""
    builder, options = _STATE.get()
    try:
        contract = builder.build(customer, options.version_ref, options.formats, boxes=False)
        written = write_contract(contract, options.out_dir, options.formats)
    except AssemblerError as exc:
        return customer.customer_id, [], exc.message
    return customer.customer_id, [str(p) for p in written], None


# --- parent side ------------------------------------------------------------------------------


def batch_pool(root: Path, options: BatchOptions, workers: int, total: int | None = None) -> WorkerPool:
    """Return the pool for a batch of `total` customers, its workers loading their parts at once.

    Entered before the customers are read, so the workers come up and load the text meanwhile.
    """
    return WorkerPool(PoolOptions(workers, chunk=CHUNK), total, init=_init_worker,
                      initargs=_initargs(root, options))


def _initargs(root: Path, options: BatchOptions) -> tuple[object, ...]:
    # Today's date only chooses which text to load first, not which text binds a customer.
    return (str(root), options, today_nl())


def build_many(root: Path, customers: Iterable[Customer], options: BatchOptions, *,
               workers: int = 2, progress: Callable[[int], None] | None = None,
               pool: WorkerPool | None = None) -> BatchResult:
    """Build and write the contracts of `customers` with `workers` processes (1: in this process).

    With `pool` (from `batch_pool`, entered), its workers build them and `workers` is not used.
    """
    if pool is None:
        total = len(customers) if isinstance(customers, Sized) else None
        with batch_pool(root, options, workers, total) as own:
            return build_many(root, customers, options, progress=progress, pool=own)
    result = BatchResult()
    start = time.perf_counter()
    for customer_id, paths, error in pool.map(customers, _build_one, init=_init_worker,
                                              initargs=_initargs(root, options), last=True):
        if error is not None:
            result.failures.append((customer_id, error))
        else:
            result.built += 1
            result.file_count += len(paths)
            if options.keep_paths:
                result.files += [Path(p) for p in paths]
        if progress:
            progress(result.built + len(result.failures))
    result.seconds = time.perf_counter() - start
    return result
