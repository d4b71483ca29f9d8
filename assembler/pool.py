"""Run one function over many jobs in a pool of worker processes: the one pool every bulk job uses.

Each worker calls `init(*initargs)` once (to load its expensive parts: a project, a Typst compiler,
a DOCX renderer) and then `work(job)` for each job it is handed. Jobs travel in chunks, with only a
few chunks in flight, so the jobs may be a stream of any length and memory stays flat. Results come
back in the order of the jobs. Small runs are done in this process: starting workers costs more
than it saves.
"""

from __future__ import annotations

import itertools
import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sized
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from typing import TypeVar

J = TypeVar("J")
R = TypeVar("R")

IN_FLIGHT = 3
"""Chunks queued per worker: enough to keep every worker busy, few enough to keep memory flat."""


@dataclass(frozen=True)
class PoolOptions:
    """How many workers, how many jobs per task, and below how many jobs to stay in this process."""

    workers: int
    """Worker processes; 1 or fewer: run in this process."""
    chunk: int = 1
    """Jobs sent to a worker per task."""
    in_process_below: int = 0
    """Fewer jobs than this (when their number is known) run in this process."""


def _work_chunk(work: Callable[[J], R], chunk: list[J]) -> list[R]:
    return [work(job) for job in chunk]


def _chunks(jobs: Iterable[J], size: int) -> Iterator[list[J]]:
    it = iter(jobs)
    while chunk := list(itertools.islice(it, size)):
        yield chunk


def run_in_pool(jobs: Iterable[J], work: Callable[[J], R], *, init: Callable[..., None],
                initargs: tuple[object, ...], options: PoolOptions) -> Iterator[R]:
    """Yield `work(job)` for each of `jobs`, in order, computed by `options.workers` processes.

    `work` and `init` must be module-level functions (they are sent to the workers by name). With
    one worker, or fewer than `options.in_process_below` jobs (when their number is known),
    everything runs in this process after one `init(*initargs)`.
    """
    workers = options.workers
    small = isinstance(jobs, Sized) and len(jobs) < options.in_process_below
    if workers <= 1 or small:
        init(*initargs)
        yield from map(work, jobs)
        return
    # forkserver, not fork: a worker must never inherit a Typst compiler (or its threads) from
    # this process; forked from a clean server it also starts faster than a spawned interpreter.
    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(workers, mp_context=context, initializer=init,
                             initargs=initargs) as pool:
        pending: deque[Future[list[R]]] = deque()
        for part in _chunks(jobs, options.chunk):
            if len(pending) >= workers * IN_FLIGHT:
                yield from pending.popleft().result()
            pending.append(pool.submit(_work_chunk, work, part))
        while pending:
            yield from pending.popleft().result()
