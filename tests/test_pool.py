"""The process pool every bulk job uses: results in order, and no process outlives its job.

The lifetime tests run the pool in a fresh Python process in its own session (so its process
group holds only what it started) and look in /proc for anything left of that group.
"""

from __future__ import annotations

import operator
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from assembler.fsutil import atomic_write_bytes, staged_writes
from assembler.pool import PoolOptions, WorkerPool, chunk_size

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")

ROOT = Path(__file__).resolve().parent.parent


def group_members(pgid: int) -> list[int]:
    """Return the pids of the processes in process group `pgid` (zombies left out)."""
    members = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            members.append(int(entry))
    return members


def wait_for_empty_group(pgid: int, seconds: float = 10.0) -> list[int]:
    """Return the group's members once it is empty, or what is left after `seconds`."""
    deadline = time.monotonic() + seconds
    while (left := group_members(pgid)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return left


def run_script(body: str) -> subprocess.Popen[str]:
    """Start `body` as a fresh Python process in its own session, stdout piped."""
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(body)], cwd=ROOT, text=True,
                            stdout=subprocess.PIPE, start_new_session=True)


def test_results_come_back_in_order_in_process_and_in_workers() -> None:
    jobs = list(range(100))
    expected = [-j for j in jobs]
    with WorkerPool(PoolOptions(2, chunk=7)) as pool:
        assert pool.method in ("fork", "forkserver")
        assert list(pool.map(jobs, operator.neg, init=int, initargs=())) == expected
        # A second map in the same pool runs its own init and keeps the order too.
        assert list(pool.map(iter(jobs), abs, init=int, initargs=("5",))) == jobs
        assert list(pool.map(jobs, operator.neg)) == expected  # a map that needs no init
    small = WorkerPool(PoolOptions(2, chunk=7, in_process_below=200), total=len(jobs))
    assert small.method == "in-process"
    with small:
        assert list(small.map(jobs, operator.neg, init=int, initargs=())) == expected
        assert list(small.map(jobs, operator.neg)) == expected


_INITS: list[str] = []
"""What `_note_init` was called with, in this process (each worker has its own copy)."""


def _note_init(tag: str, folder: str) -> None:
    _INITS.append(tag)
    (Path(folder) / f"{tag}-{os.getpid()}").touch()


def _inits_so_far(_: object) -> list[str]:
    return list(_INITS)


def test_an_init_given_to_the_pool_runs_in_each_worker_at_start_and_not_again(tmp_path: Path) -> None:
    early = ("early", str(tmp_path))
    with WorkerPool(PoolOptions(2, chunk=1), init=_note_init, initargs=early) as pool:
        deadline = time.monotonic() + 30
        while len(list(tmp_path.glob("early-*"))) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert len(list(tmp_path.glob("early-*"))) == 2  # both workers, before any job was sent
        seen = list(pool.map(range(20), _inits_so_far, init=_note_init, initargs=early))
        assert all(inits == ["early"] for inits in seen)  # the same init does not run again
        # Another init is another map's: it runs, after the early one.
        later = list(pool.map(range(4), _inits_so_far, init=_note_init, initargs=("later", str(tmp_path))))
        assert all(inits == ["early", "later"] for inits in later)
    assert _INITS == []  # none of it ran in this process


def _write_letter(job: tuple[str, int]) -> str:
    folder, i = job
    path = Path(folder) / f"C-{i}" / "brief.txt"
    atomic_write_bytes(path, f"brief {i}".encode())
    return str(path)


@pytest.mark.parametrize("workers", [1, 2])
def test_each_result_comes_once_its_file_is_in_place(tmp_path: Path, workers: int) -> None:
    jobs = [(str(tmp_path), i) for i in range(40)]
    with WorkerPool(PoolOptions(workers, chunk=3)) as pool:
        for i, written in enumerate(pool.map(jobs, _write_letter, init=int, initargs=())):
            # the caller records a result as written: the file must be there, whole, by then
            assert Path(written).read_text() == f"brief {i}"
    assert not list(tmp_path.glob("*/.*.tmp"))


@pytest.mark.parametrize("workers", [1, 2])
def test_shared_files_committed_in_the_background_are_in_place_before_the_first_result(
        tmp_path: Path, workers: int) -> None:
    shared = tmp_path / "wijzigingen.pdf"
    with WorkerPool(PoolOptions(workers, chunk=3)) as pool:
        with staged_writes() as staged:
            atomic_write_bytes(shared, b"%PDF gedeeld")
        pool.commit_in_background(staged)
        for _ in pool.map([(str(tmp_path), i) for i in range(6)], _write_letter, init=int, initargs=()):
            assert shared.read_bytes() == b"%PDF gedeeld"
    # and a run that maps nothing has them in place when the pool is left
    with WorkerPool(PoolOptions(workers)) as pool:
        with staged_writes() as staged:
            atomic_write_bytes(tmp_path / "alleen.pdf", b"%PDF")
        pool.commit_in_background(staged)
    assert (tmp_path / "alleen.pdf").read_bytes() == b"%PDF"
    assert not list(tmp_path.glob(".*.tmp"))


def test_a_worker_error_reaches_the_caller() -> None:
    with pytest.raises(ZeroDivisionError), WorkerPool(PoolOptions(2), 3) as pool:
        list(pool.map([1, 0, 2], _invert, init=int, initargs=(), last=True))


def _invert(x: int) -> float:
    return 1 / x


FORK_SCRIPT = """
    import operator, threading, time
    from assembler.pool import PoolOptions, WorkerPool
    {before}
    with WorkerPool(PoolOptions(2, chunk=1)) as pool:
        print(pool.method, flush=True)
        for _ in pool.map([{seconds}] * 8, time.sleep, init=int, initargs=()):
            print("done", flush=True)
"""


@linux_only
@pytest.mark.parametrize("before, method", [
    ("", "fork"),
    # A running thread makes a fork unsafe: the pool must use the forkserver instead.
    ("threading.Thread(target=time.sleep, args=(60,), daemon=True).start()", "forkserver")])
def test_nothing_survives_a_finished_job(before: str, method: str) -> None:
    proc = run_script(FORK_SCRIPT.format(before=before, seconds=0.01))
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0
    assert out.splitlines() == [method] + ["done"] * 8
    assert wait_for_empty_group(proc.pid, seconds=2.0) == []


@linux_only
@pytest.mark.parametrize("before", ["", "threading.Thread(target=time.sleep, args=(60,), daemon=True).start()"])
def test_workers_end_when_the_parent_is_killed(before: str) -> None:
    proc = run_script(FORK_SCRIPT.format(before=before, seconds=30))
    assert proc.stdout is not None
    proc.stdout.readline()  # the pool is up
    time.sleep(1.0)  # the workers are inside their 30-second jobs
    assert len(group_members(proc.pid)) >= 3  # the parent and its two workers at least
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    assert wait_for_empty_group(proc.pid) == []


UNSENDABLE_SCRIPT = """
    from assembler.pool import PoolOptions, WorkerPool
    def local(x):
        return x
    local.__qualname__ = "nowhere.local"  # the pool sends work by name: this name finds nothing
    try:
        with WorkerPool(PoolOptions(2, chunk=1), 10, init=int, initargs=()) as pool:
            list(pool.map(range(10), local, init=int, initargs=()))
    except Exception as exc:
        print(type(exc).__name__, flush=True)
"""


@linux_only
def test_a_job_that_cannot_be_sent_fails_the_run_and_ends_every_worker() -> None:
    # A job the pool cannot pickle breaks the executor in its feeder thread; without ending the
    # workers itself the pool then waited for ever, about every other time: so five runs.
    for _ in range(5):
        proc = run_script(UNSENDABLE_SCRIPT)
        out, _ = proc.communicate(timeout=30)
        assert out.split() == ["PicklingError"] and proc.returncode == 0
        assert wait_for_empty_group(proc.pid, seconds=2.0) == []


def _note_big_init(tag: str, folder: str, shared: bytes) -> None:
    _note_init(tag, folder)


def test_a_maps_init_arguments_go_with_its_chunks_only_until_every_worker_has_them(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shared = bytes(200_000)  # larger than a pipe's buffer, as the notices' shared parts are
    with WorkerPool(PoolOptions(2, chunk=1)) as pool:
        executor = pool._executor  # noqa: SLF001
        assert executor is not None
        sent: list[int | None] = []
        submit = executor.submit

        def spy(fn: object, *args: object) -> object:
            setup = args[3]
            sent.append(None if setup is None else len(setup))  # type: ignore[arg-type]
            return submit(fn, *args)  # type: ignore[arg-type]

        monkeypatch.setattr(executor, "submit", spy)
        seen = list(pool.map(range(40), _inits_so_far, init=_note_big_init,
                             initargs=("groot", str(tmp_path), shared)))
    assert all(inits == ["groot"] for inits in seen)  # every job ran after its worker's init
    assert len(list(tmp_path.glob("groot-*"))) == 2  # once in each worker
    assert sent[0] is not None and sent[0] > len(shared)  # the first chunks carry the arguments
    assert sent[-20:] == [None] * 20  # and, once both workers have them, the chunks do not


def test_a_workers_init_runs_again_when_a_map_returns_to_it_without_its_arguments(
        tmp_path: Path) -> None:
    early = ("early", str(tmp_path))
    later = ("later", str(tmp_path))
    with WorkerPool(PoolOptions(2, chunk=1), init=_note_init, initargs=early) as pool:
        assert all(i == ["early"] for i in pool.map(range(8), _inits_so_far, init=_note_init,
                                                    initargs=early))
        assert all(i[-1] == "later" for i in pool.map(range(8), _inits_so_far, init=_note_init,
                                                      initargs=later))
        # The early init's chunks now go without its arguments (each worker has had them), and
        # each worker, whose state is the later map's, loads the early one's again.
        again = list(pool.map(range(8), _inits_so_far, init=_note_init, initargs=early))
    assert all(inits[-1] == "early" and "later" in inits for inits in again)


def test_a_workers_state_is_what_init_set_and_refused_before_it() -> None:
    from assembler.pool import WorkerState

    state: WorkerState[str] = WorkerState()
    with pytest.raises(RuntimeError, match="before its init"):
        state.get()
    state.set("gedeelde delen")
    assert state.get() == "gedeelde delen"


def chunks_of(jobs: int | None, options: PoolOptions, listed: int = 1000) -> list[int]:
    """Return the sizes of the chunks a run of `jobs` jobs (None: a stream of `listed`) is cut in."""
    from assembler.pool import _chunks

    return [len(c) for c in _chunks(range(jobs if jobs is not None else listed), options, jobs)]


def test_a_run_ends_in_single_jobs_so_no_worker_idles_long_at_its_end() -> None:
    options = PoolOptions(2, chunk=32)
    assert chunk_size(options, 200) == 13  # an 8th of a worker's share: 200 / 2 / 8, rounded up
    assert chunk_size(options, 10000) == 32
    assert chunk_size(options, 3) == 1
    short = chunks_of(200, options)
    assert sum(short) == 200 and short[8] == 11  # 13 for the 170 left after the first rounds
    assert short[8:] == sorted(short[8:], reverse=True)
    assert short[-15:] == [1] * 15  # the last jobs go one at a time to whichever worker is free
    long = chunks_of(10000, options)
    assert sum(long) == 10000 and long[10:250] == [32] * 240 and long[-1] == 1
    assert chunks_of(None, options) == RAMP + [32] * 29 + [10]  # a stream of unknown length
    assert chunks_of(3, options) == [1, 1, 1]


RAMP = [1, 1, 2, 2, 4, 4, 8, 8, 16, 16]
"""The first chunks of a run with 2 workers and chunks of 32: a round of each size, doubling."""


def test_each_worker_starts_on_a_single_job_so_the_first_documents_are_in_place_at_once() -> None:
    # a chunk's files are put in place when its last job is done: a first chunk of 32 contracts
    # would keep every document back for ~0.6 s
    assert chunks_of(10000, PoolOptions(2, chunk=32))[:10] == RAMP
    assert chunks_of(200, PoolOptions(2, chunk=32))[:8] == RAMP[:8]  # then 11: the run's end nears
    assert chunks_of(10000, PoolOptions(4, chunk=8))[:12] == [1] * 4 + [2] * 4 + [4] * 4
    assert chunks_of(10000, PoolOptions(4, chunk=8))[12:20] == [8] * 8


def test_a_chunk_takes_in_the_rest_of_its_group_up_to_its_size_again() -> None:
    from assembler.pool import _chunks

    options = PoolOptions(2, chunk=4)
    letters = list("uvwxyz" "aaabbbbbccddddddddde")  # the first rounds' 6 jobs; groups of 3, 5, 2, 9, 1
    chunks = ["".join(c) for c in _chunks(letters, options, None, group=str)]
    assert "".join(chunks) == "".join(letters)  # every job, in order, once
    # 4 jobs, then the rest of b's group; 4, then up to 4 more of d's 9; the rest
    assert chunks[4:] == ["aaabbbbb", "ccdddddd", "ddde"]
    assert ["".join(c) for c in _chunks(letters, options, None)][4:] == [
        "aaab", "bbbb", "ccdd", "dddd", "ddde"]  # without `group`: cut every 4


def test_the_last_chunks_stay_small_however_large_the_groups() -> None:
    from assembler.pool import _chunks

    # 200 customers, 8 to each set of services: taking in a whole group at the end of the run
    # would leave one worker with 8 notices to make while the other waits
    jobs = [i // 8 for i in range(200)]
    chunks = list(_chunks(jobs, PoolOptions(2, chunk=32), len(jobs), group=int))
    assert [j for c in chunks for j in c] == jobs
    assert all(len(c) <= 2 for c in chunks[-8:]), [len(c) for c in chunks]
    assert [len(c) for c in chunks[:2]] == [2, 2]  # one job, and one more of its group
    assert len(chunks[8]) == 16  # past the first rounds: 11 jobs, and the rest of their last group


def _worker_and_group(job: tuple[str, int]) -> tuple[str, int]:
    return job[0], os.getpid()


def test_jobs_of_a_group_go_to_one_worker() -> None:
    # e.g. customers with the same services, whose text of the new version a worker renders once
    jobs = [(f"set-{i // 2}", i) for i in range(60)]  # 30 groups of 2: no chunk cuts one
    with WorkerPool(PoolOptions(2, chunk=2), total=len(jobs)) as pool:
        assert pool.method in ("fork", "forkserver")
        seen = list(pool.map(jobs, _worker_and_group, init=int, initargs=(), group=operator.itemgetter(0)))
    workers_of: dict[str, set[int]] = {}
    for group, pid in seen:
        workers_of.setdefault(group, set()).add(pid)
    assert [g for g, _ in seen] == [g for g, _ in jobs]
    assert all(len(pids) == 1 for pids in workers_of.values()), workers_of


def _pid(_: int) -> int:
    return os.getpid()


def _runs(pid: int) -> bool:
    """Return whether process `pid` runs (a zombie, or one gone while looked at, has ended)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _still_running(pids: set[int], seconds: float) -> set[int]:
    """Return which of `pids` still run after waiting up to `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        left = {pid for pid in pids if _runs(pid)}
        if not left or time.monotonic() >= deadline:
            return left
        time.sleep(0.02)


@linux_only
@pytest.mark.parametrize("last", [True, False])
def test_the_last_map_lets_its_workers_end_while_the_results_are_recorded(last: bool) -> None:
    # a bulk job records the last results in its ledger: the workers need not wait for that
    with WorkerPool(PoolOptions(2, chunk=1), total=20) as pool:
        workers = set(pool.map(range(20), _pid, init=int, initargs=(), last=last))
        assert len(workers) == 2 and os.getpid() not in workers
        left = _still_running(workers, 5.0 if last else 0.5)
        assert left == (set() if last else workers)
    assert _still_running(workers, 0.0) == set()  # and every worker has ended on leaving
