"""Run one function over many jobs in a pool of worker processes: the one pool every bulk job uses.

A `WorkerPool` starts its workers as soon as it is entered, so they come up while the caller
prepares the parts every job shares (a redline PDF, the version texts), and can load their own
parts meanwhile (an `init` given to the pool). `WorkerPool.map` then sends `init(*initargs)`
along with the jobs, until every worker has had it: each worker runs it once per map (to load its
expensive parts: a project, a Typst compiler, a DOCX renderer) and then `work(job)` for each job
it is handed. Jobs travel in chunks, with only a few chunks in flight, so the jobs may be a stream
of any length and memory stays flat. Results come back in the order of the jobs, a chunk at a time,
after the files it wrote are durable. A worker does not wait for the disk: it writes a chunk's
files under temporary names, hands them on with the results and starts its next chunk, while
this process (otherwise idle) makes them durable and puts them in place (`fsutil.staged_writes`,
`fsutil.commit_staged`) before it yields those results. Small runs are done in this process, in
the same chunks (`fsutil.write_batch`): starting workers costs more than it saves.

How workers start, and how none outlives the command: `assembler.pool.processes`.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import pickle
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sized
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass
from types import TracebackType
from typing import Generic, Literal, TypeVar

from assembler.fsutil import Staged, commit_staged, discard_staged, staged_writes, write_batch
from assembler.pool.processes import fork_is_safe, start_worker, stop_forkserver

J = TypeVar("J")
R = TypeVar("R")

StartMethod = Literal["in-process", "fork", "forkserver"]

IN_FLIGHT = 3
"""Chunks queued per worker: enough to keep every worker busy, few enough to keep memory flat."""
CHUNKS_PER_WORKER = 8
"""A run of known length is cut in at least this many chunks per worker (down to one job each)."""


@dataclass(frozen=True)
class PoolOptions:
    """How many workers, how many jobs per task, and below how many jobs to stay in this process."""

    workers: int
    """Worker processes; 1 or fewer: run in this process."""
    chunk: int = 1
    """Jobs sent to a worker per task, at most (smaller towards the end of a run: `chunk_size`)."""
    in_process_below: int = 0
    """Fewer jobs than this (when their number is known) run in this process."""


# --- worker side ------------------------------------------------------------------------------

_setup_done: str | None = None
"""The key of the map whose `init` this worker has run."""
_setups: dict[str, bytes] = {}
"""The pickled init arguments of each map this worker has been sent, by the map's key."""


def _nothing(*_: object) -> None:
    """Do nothing: the init of a pool that has none to run early, or of a map that needs none."""


def _work_chunk(work: Callable[[J], R], init: Callable[..., None], key: str, setup: bytes | None,
                chunk: list[J]) -> tuple[list[R], Staged, int]:
    """Return `work(job)` for each job of `chunk` in a worker, the files they wrote, staged, and
    this worker's pid: the pool then knows that this worker has the map's `setup`, and sends the
    next chunks without it (None: see `WorkerPool.map`).
    """
    global _setup_done
    if setup is not None:
        _setups[key] = setup
    if _setup_done != key:
        if key not in _setups:  # the pool sends None only to a worker that has had the setup
            raise RuntimeError("a worker was handed a chunk of a map whose init it was never sent")
        init(*pickle.loads(_setups[key]))
        _setup_done = key
    with staged_writes() as staged:
        return [work(job) for job in chunk], staged, os.getpid()


def _run_chunk(work: Callable[[J], R], chunk: list[J]) -> list[R]:
    """Return `work(job)` for each job of `chunk` in this process, once every file it wrote is durable.

    The chunk's files are made durable together at its end (`fsutil.write_batch`); the results,
    which the caller records as written, are returned only after that.
    """
    with write_batch():
        return [work(job) for job in chunk]


def _chunks(jobs: Iterable[J], options: PoolOptions, total: int | None,
            group: Callable[[J], object] | None = None) -> Iterator[list[J]]:
    """Cut `jobs` in chunks of `chunk_size` for what is left of a run of `total` jobs, the first
    ones smaller (`first_chunks_cap`).

    With `group`, a chunk that would end inside a group (consecutive jobs with equal `group(job)`)
    takes in the rest of it, up to as many jobs again as it has: jobs of a group share a part
    their worker renders once, which a cut would have two workers render. A longer group is cut,
    so that the chunks still shrink towards the end of the run (a cut costs one more render, a
    large last chunk keeps the other workers waiting).
    """
    it = iter(jobs)
    left = total
    ahead: list[J] = []  # a job read to find a group's end, for the next chunk
    for index in itertools.count():
        size = min(chunk_size(options, left), first_chunks_cap(options, index))
        chunk, ahead = ahead + list(itertools.islice(it, size - len(ahead))), []
        if not chunk:
            return
        if group is not None:
            last = group(chunk[-1])
            for job in itertools.islice(it, size):
                if group(job) != last:
                    ahead = [job]
                    break
                chunk.append(job)
        yield chunk
        if left is not None:
            left = max(left - len(chunk), 1)


# --- parent side ------------------------------------------------------------------------------


def first_chunks_cap(options: PoolOptions, index: int) -> int:
    """Return the most jobs the `index`-th chunk of a run may have: 1, doubling each round of workers.

    A chunk's files are put in place, and its results recorded, when its last job is done: a
    first chunk of 32 contracts (~0.6 s of work) keeps every document of the run back that long,
    and the progress shown at nought. So each worker's first chunk is one job, its second two,
    and so on up to the full chunk (`chunk_size`) after a few rounds: the first documents are in
    place one job after the workers begin, for about ten more chunks a run.
    """
    return 1 << min(index // max(options.workers, 1), 16)


def chunk_size(options: PoolOptions, left: int | None) -> int:
    """Return the jobs of the next task: `options.chunk`, smaller as the `left` jobs run out.

    The last chunks decide when a run ends: while one worker finishes a chunk of 32 customers
    (~0.5 s) the other cores idle. So each chunk is at most the `CHUNKS_PER_WORKER`-th part of a
    worker's share of the jobs left: a run starts in chunks of up to `options.chunk` (handing
    them out stays cheap) and ends in chunks of one job, so that the workers finish within about
    one job of each other. A stream of unknown length keeps `options.chunk`.
    """
    if left is None:
        return options.chunk
    return max(1, min(options.chunk, -(-left // (max(options.workers, 1) * CHUNKS_PER_WORKER))))


def _commit_chunk(done: Future[tuple[list[R], Staged, int]], out: Future[list[R]],
                  abort: threading.Event) -> None:
    """Make a finished chunk's files durable and in place, then give `out` its results.

    A chunk that arrives after the run has failed is not wanted: its files are removed.
    """
    if done.cancelled():
        out.cancel()
        return
    failure = done.exception()
    if failure is not None:
        out.set_exception(failure)
        return
    results, staged, _ = done.result()
    if abort.is_set():
        discard_staged(staged)
        out.cancel()
        return
    try:
        commit_staged(staged)
    except BaseException as exc:  # noqa: BLE001 (handed to the caller through `out`)
        out.set_exception(exc)
        return
    out.set_result(results)


_maps = itertools.count()


def _map_key() -> str:
    """Return a key no other map of this process has: a worker runs each key's init once."""
    return f"{os.getpid()}-{next(_maps)}"


class WorkerPool:
    """Worker processes that start on entering and have all ended on leaving the `with` block.

    `total` is the number of jobs when known: with fewer than `options.in_process_below`, or one
    worker, no process is started and `map` works in this process. An `init` given here runs in
    each worker as soon as it starts, while this process goes on preparing the jobs; a `map` with
    the same init and arguments then finds it done.
    """

    def __init__(self, options: PoolOptions, total: int | None = None, *,
                 init: Callable[..., None] | None = None, initargs: tuple[object, ...] = ()) -> None:
        self.options = options
        small = total is not None and total < options.in_process_below
        self.method: StartMethod = ("in-process" if options.workers <= 1 or small
                                    else "fork" if fork_is_safe() else "forkserver")
        self._executor: ProcessPoolExecutor | None = None
        self._committer: ThreadPoolExecutor | None = None
        """Threads of this process that make the workers' files durable (`_commit_chunk`)."""
        self._abort = threading.Event()
        self._before_results: list[Future[None]] = []
        """Commits of files written by this process (`commit_in_background`) not yet waited for."""
        self._starting: list[Future[tuple[list[None], Staged, int]]] = []
        self._total = total
        self._early: tuple[Callable[..., None], tuple[object, ...], str] | None = (
            (init, initargs, _map_key()) if init is not None else None)
        """The `init` the workers run as soon as they start, and its key (see `map`)."""

    def __enter__(self) -> WorkerPool:
        if self.method != "in-process":
            # The parent of a forkserver's workers is the forkserver, not this process.
            self._executor = ProcessPoolExecutor(
                self.options.workers, mp_context=multiprocessing.get_context(self.method),
                initializer=start_worker, initargs=(os.getpid(), self.method == "fork"))
            # A task per worker makes them all start now, not when the first chunk is ready; with
            # an early `init`, it is that init, so they load their parts while this process
            # prepares the jobs.
            init, initargs, key = self._early or (_nothing, (), "")
            setup = pickle.dumps(initargs)
            self._starting = [self._executor.submit(_work_chunk, _nothing, init, key, setup, [])
                              for _ in range(self.options.workers)]
            self._committer = ThreadPoolExecutor(self.options.workers,
                                                 thread_name_prefix="assembler-commit")
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._executor is not None:
            executor, self._executor = self._executor, None
            if kind is not None:
                # The run failed, so what the workers still do is not wanted. And a failure in
                # the executor's own threads (a job that cannot be pickled) can leave it without
                # the thread that tells its workers to stop: shutdown would then wait for ever
                # (measured: every other such run). So they are ended here.
                for process in list(executor._processes.values()):  # noqa: SLF001
                    process.kill()
            # Chunks still arriving were not yielded, so their files are not wanted.
            self._abort.set()
            executor.shutdown(wait=True, cancel_futures=True)
        if self._committer is not None:
            self._committer.shutdown(wait=True)
            self._committer = None
        try:
            if kind is None:
                self._wait_for_commits()  # a run without a map has its files in place all the same
        finally:
            if self.method == "forkserver":
                stop_forkserver()

    @staticmethod
    def _end_intake(executor: ProcessPoolExecutor) -> None:
        """Tell the workers to exit once the chunks handed out are done; `__exit__` joins them.

        This is the first half of ``executor.shutdown(wait=False)``: that call would also drop
        the executor's thread, queues and processes, which leaving the pool then could no longer
        join and close (measured: semaphores left behind).
        """
        lock = getattr(executor, "_shutdown_lock", None)
        if lock is None:  # another Python's executor: its workers end on leaving the pool
            return
        with lock:
            executor._shutdown_thread = True  # noqa: SLF001
            wakeup = getattr(executor, "_executor_manager_thread_wakeup", None)
            if wakeup is not None:
                wakeup.wakeup()

    def commit_in_background(self, staged: Staged) -> None:
        """Make files this process wrote staged durable and in place while the workers work.

        For the parts every job shares, written before the jobs are sent: the workers need not
        wait for the disk first. The next `map` yields no result before they are in place.
        """
        if self._committer is None:
            commit_staged(staged)
        else:
            self._before_results.append(self._committer.submit(commit_staged, staged))

    def _wait_for_commits(self) -> None:
        """Wait for every `commit_in_background`; raise the first failure (OutputError)."""
        commits, self._before_results = self._before_results, []
        for commit in commits:
            commit.result()

    def map(self, jobs: Iterable[J], work: Callable[[J], R], *,
            init: Callable[..., None] = _nothing, initargs: tuple[object, ...] = (),
            group: Callable[[J], object] | None = None, last: bool = False) -> Iterator[R]:
        """Yield `work(job)` for each of `jobs`, in order, after `init(*initargs)` in each worker.

        `work` and `init` must be module-level functions (they are sent to the workers by name);
        a map without `init` needs nothing loaded before its jobs.
        `group`: consecutive jobs with the same `group(job)` go to one worker where the chunk
        allows (see `_chunks`); it runs in this process only. `last`: no map follows on this
        pool, so once the last chunk is handed out the workers are told to exit when their work
        is done: they end while this process still records the last results, not after it.
        """
        total = len(jobs) if isinstance(jobs, Sized) else self._total
        if self._executor is None:
            init(*initargs)
            for part in _chunks(jobs, self.options, total, group):
                yield from _run_chunk(work, part)
            return
        early = self._early
        # The pool's early init counts as this map's when it is the same: a worker that ran it
        # does not run it again (one that did not get to it runs it with its first chunk).
        same = early is not None and early[:2] == (init, initargs)
        key = early[2] if early and same else _map_key()
        ready: set[int] = set()
        """The workers that have this map's init arguments (their pids, as their chunks report them)."""
        for started in self._starting:
            # a worker that could not start (or load its parts) says why here
            pid = started.result()[2]
            if same:
                ready.add(pid)
        setup = pickle.dumps(initargs)
        limit = self.options.workers * IN_FLIGHT
        pending: deque[Future[list[R]]] = deque()
        for part in _chunks(jobs, self.options, total, group):
            if len(pending) >= limit:
                self._wait_for_commits()
                yield from pending.popleft().result()
            # The init's arguments go with each chunk until every worker has had them: then
            # none. They are the parts every job shares (~80 kB for the sub-processor notices),
            # and a chunk larger than the pipe's buffer (64 kB) has its worker wait, mid-read,
            # for this process's thread that writes the pipe: 1-5 ms before each chunk.
            sent = None if len(ready) >= self.options.workers else setup
            pending.append(self._committed(
                self._executor.submit(_work_chunk, work, init, key, sent, part), ready))
        if last:
            self._end_intake(self._executor)
        self._wait_for_commits()
        while pending:
            yield from pending.popleft().result()

    def _committed(self, done: Future[tuple[list[R], Staged, int]], ready: set[int]
                   ) -> Future[list[R]]:
        """Return a future of `done`'s results that is set once its files are durable and in place.

        The pid of the worker that did the chunk goes into `ready` as soon as it arrives.
        """
        out: Future[list[R]] = Future()
        committer = self._committer
        assert committer is not None

        def arrived(chunk: Future[tuple[list[R], Staged, int]]) -> None:
            if not chunk.cancelled() and chunk.exception() is None:
                ready.add(chunk.result()[2])
            try:
                committer.submit(_commit_chunk, chunk, out, self._abort)
            except RuntimeError:  # the pool is being left: nobody waits for these results
                if not chunk.cancelled() and chunk.exception() is None:
                    discard_staged(chunk.result()[1])

        done.add_done_callback(arrived)
        return out


S = TypeVar("S")


class WorkerState(Generic[S]):
    """What each worker of a bulk job keeps between jobs: set by the job's `init`, read by `work`.

    One module-level instance per kind of job; its `init` calls `set` once per map, in this process
    for a small run or in each worker for a large one.
    """

    def __init__(self) -> None:
        self._value: S | None = None

    def set(self, value: S) -> None:
        """Keep `value` for the jobs this process will run."""
        self._value = value

    def get(self) -> S:
        """Return the value `init` set."""
        if self._value is None:
            raise RuntimeError("a bulk job's work ran before its init")
        return self._value
