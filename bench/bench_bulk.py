"""Bulk jobs at the machine's limit: `build --all` and `notices build` for 200, 1,000 and 10,000.

Each command runs as a user runs it (a fresh `python -m assembler` process) on a temporary copy of
the project with 1.1 released and the customers on 1.0 (bench_notices.make_project). Per size it
prints the wall time (start-up included), customers/s, the CPU bound and the share of it reached,
the peak memory of the whole process tree, and the time before the first customer's document
was in place (`first_document_s`).

The CPU bound, as the issue defines it: cores ÷ the CPU-seconds per customer in one process, that
is the command run with one worker (in its own process) for the same number of customers, its CPU
divided by them: a parallel run cannot beat it unless it also shares the start-up. Each pool run is
preceded by such a one-process run, so that the machine's drift weighs on both alike; above
BENCH_BULK_ONE_MAX customers (default 1,000) the one-process figures are carried over from the
largest smaller size (its start-up once, then its CPU per further customer). The same share with
the start-up left out (the one-process CPU minus a one-customer run's, per further customer) is
printed too: the stricter figure, which no run of a few hundred customers can reach, since it pays
the start-up at least once. Baselines in the same run: BENCH_BULK_BASELINE names a checkout of the
code this work started from (with its own .venv); the same commands run there, and its shares are
of its own bound. The docxtpl + LibreOffice baseline is bench_contracts.py's.

BENCH_BULK_SIZES (default 200,1000,10000), BENCH_BULK_RUNS (default 3; runs of 10,000 once),
BENCH_BULK_ONE_MAX, BENCH_BULK_BIG_BASELINE=1 (the baseline at 10,000 too). bench_subprocessors.py
and bench_incidents.py run their commands through `bench` here, with the same variables.
"""

from __future__ import annotations

import os
import re
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import bench.bench_notices as notices_bench  # noqa: E402
from bench.common import compiled, report, wait_sampling  # noqa: E402

SIZES = [int(n) for n in os.environ.get("BENCH_BULK_SIZES", "200,1000,10000").split(",")]
RUNS = int(os.environ.get("BENCH_BULK_RUNS", "3"))
BASELINE = os.environ.get("BENCH_BULK_BASELINE")
BIG_BASELINE = os.environ.get("BENCH_BULK_BIG_BASELINE") == "1"
"""Run the baseline at 10,000 customers too (else ours only: it takes minutes)."""
CORES = os.cpu_count() or 1


@dataclass(frozen=True)
class Kind:
    """One bulk command as the benches run it."""

    name: str
    label: str
    """How the figures name it: ``"`notices build`"``."""
    args: Callable[[Path], list[str]]
    """The command's arguments, writing into the given folder."""
    make_project: Callable[[Path, int], Path]
    """A temporary project with that many customers for the command."""
    targets: dict[int, int] = field(default_factory=dict)
    """customers/s to reach, by number of customers."""
    jobs_option: bool = False
    """Workers set with ``-j N`` (else with ASSEMBLER_NOTICES_WORKERS)."""


BUILD = Kind("build", "`build --all` (pdf,docx)",
             lambda out: ["build", "--all", "--format", "pdf,docx", "-o", str(out)],
             lambda tmp, n: notices_bench.make_project(tmp, n), {200: 60, 10000: 80}, True)
NOTICES = Kind("notices", "`notices build`", lambda out: ["notices", "build", "1.1", "-o", str(out)],
               lambda tmp, n: notices_bench.make_project(tmp, n), {200: 60, 10000: 100})


def command(kind: Kind, out: Path, workers: int | None) -> tuple[list[str], dict[str, str]]:
    """Return the arguments and extra environment of one run of `kind` into `out`."""
    if kind.jobs_option:
        return [*kind.args(out), *(["-j", str(workers)] if workers else [])], {}
    return kind.args(out), {"ASSEMBLER_NOTICES_WORKERS": str(workers)} if workers else {}


CUSTOMER_FILE = re.compile(r"C-\d{5}")
"""A customer id of the benches' projects, which every kind's files of a customer carry in their names."""


def first_file_s(out: Path, start: float, seen: float | None) -> float | None:
    """Return when the first entry of any kind appeared in `out` (seconds after `start`), once known.

    Any kind: a file every notice shares (the redline PDF of `notices build`) or a customer's
    file still being written under a temporary name; the looser measure `first_document_s` is
    compared with (`bench_first_document.py` prints both).
    """
    if seen is not None:
        return seen
    try:
        if any(out.iterdir()):
            return time.perf_counter() - start
    except OSError:
        pass
    return None


def first_document_s(out: Path, start: float, seen: float | None) -> float | None:
    """Return when the first customer's document was in place in `out` (seconds after `start`).

    In place: under its own name, not as the temporary file it is written to (``.NAME.….tmp``),
    which the command renames once the document is durable; a customer's: its name holds a
    customer id, unlike the files every notice shares. What a user sees first in the folder.
    """
    if seen is not None:
        return seen
    for _, _, files in os.walk(out):
        if any(CUSTOMER_FILE.search(f) and not f.startswith(".") for f in files):
            return time.perf_counter() - start
    return None


def stolen_and_waiting() -> tuple[float, float]:
    """Return the machine's core-seconds so far of steal (a hypervisor ran something else on a
    core this machine wanted) and of I/O wait (a core idle while a disk request was pending).

    Differences across a run tell how much of the cores a run could not have, or did not, use:
    both count in its idle core-seconds (cores × wall − its CPU), neither in its CPU.
    """
    with open("/proc/stat", encoding="ascii") as f:
        fields = f.readline().split()  # cpu user nice system idle iowait irq softirq steal …
    tick = os.sysconf("SC_CLK_TCK")
    return int(fields[8]) / tick, int(fields[5]) / tick


def python_of(code: Path) -> Path:
    """Return the python of `code`'s .venv, once `code`'s modules have their bytecode on disk."""
    python = code / ".venv" / "bin" / "python"
    compiled(code, str(python))
    return python


def project_for(code: Path, root: Path) -> Path:
    """Return `root` as `code` can read it: a copy whose registry names only `code`'s migrations.

    The benches make their projects with this checkout's code, whose registry may carry migrations
    an older baseline does not know (it refuses such a registry). They only add columns and tables
    the older code does not read, so the copy forgets their names.
    """
    known = {f.stem for f in (code / "assembler" / "sql").glob("*.sql")}
    registry = root / "var" / "registry.sqlite3"
    if not registry.exists():
        return root
    with sqlite3.connect(registry) as conn:
        names = {name for (name,) in conn.execute("SELECT name FROM schema_migrations")}
    if names <= known:
        return root
    copy = root.parent / f"{root.name}-for-{code.name}"
    if not copy.exists():
        shutil.copytree(root, copy, symlinks=True)
        with sqlite3.connect(copy / "var" / "registry.sqlite3") as conn:
            conn.executemany("DELETE FROM schema_migrations WHERE name = ?",
                             [(n,) for n in sorted(names - known)])
    return copy


def run(code: Path, root: Path, kind: Kind, out: Path, workers: int | None = None
        ) -> tuple[float, float, int, float | None]:
    """Run one command with `code`'s python; return (wall s, CPU s, peak tree RSS bytes, first s)."""
    args, env = command(kind, out, workers)
    root = project_for(code, root)
    python = python_of(code)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    peak, first = 0, None

    def sample() -> float:
        nonlocal peak, first
        peak = max(peak, notices_bench.tree_rss(proc.pid))
        first = first_document_s(out, start, first)
        return 0.05

    with tempfile.TemporaryFile("w+") as err:  # a pipe nobody reads could fill and stall the run
        start = time.perf_counter()
        proc = subprocess.Popen([str(python), "-m", "assembler", *args], cwd=code,
                                env={**os.environ, "ASSEMBLER_ROOT": str(root), **env},
                                stdout=subprocess.DEVNULL, stderr=err, text=True)
        wall = wait_sampling(proc, start, sample)
        if proc.returncode != 0:
            err.seek(0)
            raise SystemExit(f"{code}: assembler {' '.join(args)} failed: {err.read()}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, peak, first


ONE_MAX = int(os.environ.get("BENCH_BULK_ONE_MAX", "1000"))
"""Largest size also run in one process; a larger one takes the CPU per customer of this one."""


@dataclass(frozen=True)
class OneProcess:
    """The CPU-seconds of the command run in one process, for one size."""

    n: int
    cpu: float
    """Median CPU-seconds of the whole one-process run (start-up included)."""
    start: float
    """Median CPU-seconds of a one-process run for one customer: the start-up."""

    @property
    def per_customer(self) -> float:
        """CPU-seconds per customer in one process: the run's CPU ÷ its customers (the issue's)."""
        return self.cpu / self.n

    @property
    def marginal(self) -> float:
        """CPU-seconds per customer with the start-up left out: (CPU − one customer's) ÷ (n − 1)."""
        return (self.cpu - self.start) / (self.n - 1)

    def scaled(self, n: int) -> OneProcess:
        """Return this run's figures carried over to `n` customers (start-up once, then each)."""
        return OneProcess(n, self.start + (n - 1) * self.marginal, self.start)


def start_cpu(code: Path, tmp: Path, kind: Kind, label: str) -> float:
    """Return the median CPU-seconds of the command in one process for one customer."""
    small = tmp / f"cpu1-{kind.name}" / "project"
    small = small if small.exists() else kind.make_project(small.parent, 1)
    return statistics.median(run(code, small, kind, tmp / f"o1-{label}-{kind.name}-{i}", 1)[1]
                             for i in range(RUNS))


def measure(label: str, code: Path, root: Path, kind: Kind, n: int, tmp: Path, start: float,
            carried: OneProcess | None) -> OneProcess:
    """Run `kind` for `n` customers with `code`, alternating with one-process runs; print medians.

    The one-process run of the same size goes right before each pool run, so that the machine's
    drift (its speed varies by a fifth within minutes) weighs on both alike. Above ONE_MAX
    customers the one-process figures are `carried` over from the largest smaller size.
    """
    runs = 1 if n >= 10000 else RUNS
    one_cpus, samples = [], []
    for i in range(runs):
        if n <= ONE_MAX:
            one_cpus.append(run(code, root, kind, tmp / f"one-{label}-{kind.name}-{n}-{i}", 1)[1])
        samples.append(run(code, root, kind, tmp / f"{label}-{kind.name}-{n}-{i}"))
    if one_cpus:
        one, how = OneProcess(n, statistics.median(one_cpus), start), ""
    else:
        assert carried is not None, "the smallest size must be run in one process"
        one, how = carried.scaled(n), f", one-process figures from {carried.n}"
    wall = statistics.median(s[0] for s in samples)
    rate = n / wall
    # the targets are ours to meet: the baseline's lines show none
    target = kind.targets.get(n) if label == "ours" else None
    report(f"{label}: {kind.label} {n}: customers/s", rate, "/s", f">= {target}" if target else "-",
           target is None or rate >= target)
    incl = CORES / one.per_customer
    report(f"  {label}: share of the bound {incl:.0f}/s (cores ÷ CPU/customer in one process{how})",
           100 * rate / incl, "%", ">= 85" if label == "ours" else "-",
           rate / incl >= 0.85 or label != "ours")
    excl = CORES / one.marginal
    report(f"  {label}: share of {excl:.0f}/s (the same, start-up left out)", 100 * rate / excl, "%",
           "-", True)
    cpu = statistics.median(s[1] for s in samples) / n
    report(f"  {label}: CPU per customer, this run / one process (start-up included)", cpu * 1000,
           "ms", f"{one.per_customer * 1000:.1f} ms", True)
    firsts = [s[3] for s in samples if s[3] is not None]
    if firsts:
        report(f"  {label}: first document after (fresh process)", statistics.median(firsts), "s",
               "-", True)
    peak = max(s[2] for s in samples) / 2**20
    report(f"  {label}: peak memory (process tree)", peak, "MiB", "<= 1024", peak <= 1024)
    return one


def bench(kinds: Sequence[Kind]) -> None:
    """Print, per kind and size, our figures and (with BENCH_BULK_BASELINE) the baseline's.

    Each code's share is of its own bound, from its own one-process runs in the same run: how near
    the machine's limit each gets. customers/s compares the two.
    """
    here = Path(__file__).resolve().parent.parent
    codes = [("ours", here)] + ([("baseline", Path(BASELINE))] if BASELINE else [])
    print(f"load before: {os.getloadavg()}, cores {CORES}", flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-bulk-") as t:
        tmp = Path(t)
        for kind in kinds:
            starts = {label: start_cpu(code, tmp, kind, label) for label, code in codes}
            for label, cpu in starts.items():
                report(f"{label}: {kind.name}: CPU of one customer in one process (start-up)",
                       cpu * 1000, "ms", "-", True)
            carried: dict[str, OneProcess | None] = {label: None for label, _ in codes}
            if min(SIZES) > ONE_MAX:  # only large sizes: the one-process figures of ONE_MAX first
                root = kind.make_project(tmp / f"p-{kind.name}-{ONE_MAX}", ONE_MAX)
                for label, code in codes:
                    cpu = statistics.median(
                        run(code, root, kind, tmp / f"one-{label}-{kind.name}-{ONE_MAX}-{i}", 1)[1]
                        for i in range(RUNS))
                    carried[label] = OneProcess(ONE_MAX, cpu, starts[label])
            for n in sorted(SIZES):
                root = kind.make_project(tmp / f"p-{kind.name}-{n}", n)
                for label, code in codes:
                    if n >= 10000 and label != "ours" and not BIG_BASELINE:
                        continue
                    carried[label] = measure(label, code, root, kind, n, tmp, starts[label],
                                             carried[label])
                print(f"  load: {os.getloadavg()}", flush=True)


def main() -> None:
    bench([BUILD, NOTICES])


if __name__ == "__main__":
    main()
