"""Build contracts for many customers: stream them from the registry to a pool of processes.

Each worker process keeps its own project, Typst compiler and DOCX renderer for the whole run (the
expensive parts load once); the parent reads customers in id order and hands them out in chunks,
with only a few chunks in flight, so memory stays flat however many customers there are. Every
file is written atomically by the worker that rendered it.
"""

from __future__ import annotations

import itertools
import multiprocessing
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

from assembler.agreement.project import Project
from assembler.customers.document import BuiltContract, ContractBuilder
from assembler.errors import AssemblerError
from assembler.fsutil import atomic_write_bytes
from assembler.model import Customer

CHUNK = 20
"""Customers per task handed to a worker."""


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
        out.append((out_dir / f"{built.stem}.{fmt}", data))
    return out


def write_contract(built: BuiltContract, out_dir: Path, formats: Sequence[str]) -> list[Path]:
    """Write a built contract's files atomically; return their paths."""
    written = []
    for path, data in output_paths(built, out_dir, formats):
        atomic_write_bytes(path, data)
        written.append(path)
    return written


# --- worker side ------------------------------------------------------------------------------

_builder: ContractBuilder | None = None


def _init_worker(root: str, contract: str | None) -> None:
    global _builder
    _builder = ContractBuilder(Project(Path(root)), contract)


def _build_chunk(customers: list[Customer], version_ref: str | None, formats: tuple[str, ...],
                 out_dir: str, keep_paths: bool) -> tuple[int, list[str], int, list[tuple[str, str]]]:
    assert _builder is not None
    built = files = 0
    paths: list[str] = []
    failures: list[tuple[str, str]] = []
    for customer in customers:
        try:
            contract = _builder.build(customer, version_ref, formats, boxes=False)
            written = write_contract(contract, Path(out_dir), formats)
        except AssemblerError as exc:
            failures.append((customer.customer_id, exc.message))
            continue
        built += 1
        files += len(written)
        if keep_paths:
            paths += [str(p) for p in written]
    return built, paths, files, failures


# --- parent side ------------------------------------------------------------------------------


def _chunks(customers: Iterable[Customer], size: int) -> Iterator[list[Customer]]:
    it = iter(customers)
    while chunk := list(itertools.islice(it, size)):
        yield chunk


def build_many(root: Path, customers: Iterable[Customer], out_dir: Path, *,
               version_ref: str | None = None, formats: Sequence[str] = ("pdf", "docx"),
               contract: str | None = None, workers: int = 2, keep_paths: bool = False,
               progress: Callable[[int], None] | None = None) -> BatchResult:
    """Build and write the contracts of `customers` with `workers` processes (1: in this process)."""
    result = BatchResult()
    start = time.perf_counter()
    fmts = tuple(formats)

    def collect(part: tuple[int, list[str], int, list[tuple[str, str]]]) -> None:
        built, paths, files, failures = part
        result.built += built
        result.file_count += files
        result.files += [Path(p) for p in paths]
        result.failures += failures
        if progress:
            progress(result.built + len(result.failures))

    if workers <= 1:
        _init_worker(str(root), contract)
        for chunk in _chunks(customers, CHUNK):
            collect(_build_chunk(chunk, version_ref, fmts, str(out_dir), keep_paths))
    else:
        # spawn, not fork: the parent may already hold a Typst compiler with its own threads.
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(workers, mp_context=context, initializer=_init_worker,
                                 initargs=(str(root), contract)) as pool:
            pending: set[Future[tuple[int, list[str], int, list[tuple[str, str]]]]] = set()
            for chunk in _chunks(customers, CHUNK):
                if len(pending) >= workers * 3:
                    done, pending = wait(pending, return_when=FIRST_COMPLETED)
                    for future in done:
                        collect(future.result())
                pending.add(pool.submit(_build_chunk, chunk, version_ref, fmts, str(out_dir),
                                        keep_paths))
            for future in pending:
                collect(future.result())
    result.seconds = time.perf_counter() - start
    return result
