"""Bulk jobs in alternating rounds: the share of the CPU bound at one size, as robust as it gets here.

`bench_bulk.py` gives medians of three pool runs, each against a one-process run; on this shared
machine a single pair moves by ±10 %. Here each round runs, for each variant in turn, the command
in one process and then with its pool, for the same N customers, so that every share is of a pool
run and the one-process run just before it; the variants take turns going first (`in_turn`).
Variants: ours, ours with BENCH_ROUNDS_WORKERS workers (if set), and the baseline
(BENCH_BULK_BASELINE, a checkout with its own .venv). Prints each round and the medians with their
range, and the core-seconds the pool run left idle (cores × wall − its CPU): with the pool's CPU
about the one process's, the share is that CPU ÷ (that CPU + the idle), so the idle is what a run
loses; and how much of it the machine took (steal: the hypervisor ran something else) or the disk
held up (I/O wait), from /proc/stat. And how busy the pool run kept the cores (its CPU ÷ cores ×
wall): the share with the pool run's own CPU in place of the one process's, which leaves out the
minute-to-minute change of the machine's speed (the same work's CPU differs by up to a fifth from
one run to the next, with no steal counted). And the pool run's CPU ÷ the one process's: the share
is that busy share divided by this ratio.

BENCH_ROUNDS_KIND (build, notices, subprocessors or incidents; default build), BENCH_ROUNDS_N
(default 200), BENCH_ROUNDS (default 5), BENCH_ROUNDS_WORKERS, BENCH_BULK_BASELINE.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import bench.bench_bulk as bulk  # noqa: E402
from bench.bench_incidents import INCIDENTS  # noqa: E402
from bench.bench_subprocessors import SUBPROCESSORS  # noqa: E402
from bench.common import in_turn  # noqa: E402

KIND = {k.name: k for k in (bulk.BUILD, bulk.NOTICES, SUBPROCESSORS, INCIDENTS)}[
    os.environ.get("BENCH_ROUNDS_KIND", "build")]
N = int(os.environ.get("BENCH_ROUNDS_N", "200"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
WORKERS = os.environ.get("BENCH_ROUNDS_WORKERS")


def main() -> None:
    """Run the rounds and print each pool run's share of the bound, then the medians."""
    here = Path(__file__).resolve().parent.parent
    variants: list[tuple[str, Path, int | None]] = [("ours", here, None)]
    if WORKERS:
        variants.append((f"ours, {WORKERS} workers", here, int(WORKERS)))
    if bulk.BASELINE:
        variants.append(("baseline", Path(bulk.BASELINE), None))
    shares: dict[str, list[float]] = {label: [] for label, _, _ in variants}
    rates: dict[str, list[float]] = {label: [] for label, _, _ in variants}
    idle: dict[str, list[float]] = {label: [] for label, _, _ in variants}
    busy: dict[str, list[float]] = {label: [] for label, _, _ in variants}
    extra: dict[str, list[float]] = {label: [] for label, _, _ in variants}
    with tempfile.TemporaryDirectory(prefix="bench-rounds-") as t:
        tmp = Path(t)
        root = KIND.make_project(tmp / "p", N)
        for r in range(ROUNDS):
            for i, (label, code, workers) in in_turn(list(enumerate(variants)), r):
                one = bulk.run(code, root, KIND, tmp / f"one-{i}-{r}", 1)
                before = bulk.stolen_and_waiting()
                wall, cpu, _, first = bulk.run(code, root, KIND, tmp / f"pool-{i}-{r}", workers)
                steal, wait = (b - a for a, b in zip(before, bulk.stolen_and_waiting(), strict=True))
                share = one[1] / (bulk.CORES * wall)  # (N / wall) ÷ (cores ÷ (one-process CPU / N))
                shares[label].append(share)
                lost = bulk.CORES * wall - cpu
                idle[label].append(lost)
                busy[label].append(cpu / (bulk.CORES * wall))
                extra[label].append(cpu / one[1])
                rates[label].append(N / wall)
                print(f"round {r} {label}: {N / wall:.1f}/s, {100 * share:.1f} % of the bound "
                      f"(one process {one[1]:.2f} CPU-s, pool {cpu:.2f} CPU-s, "
                      f"{lost:.2f} core-s idle, of which steal {steal:.2f} and "
                      f"I/O wait {wait:.2f}, first document "
                      f"{first if first is None else round(first, 2)} s)", flush=True)
    for label, _, _ in variants:
        s = shares[label]
        print(f"{label}: {KIND.label} {N}: {statistics.median(rates[label]):.1f}/s, share median "
              f"{100 * statistics.median(s):.1f} % ({100 * min(s):.1f}–{100 * max(s):.1f}), "
              f"idle {statistics.median(idle[label]):.2f} core-s, cores busy "
              f"{100 * statistics.median(busy[label]):.1f} % ({100 * min(busy[label]):.1f}–"
              f"{100 * max(busy[label]):.1f}), the pool's CPU "
              f"{statistics.median(extra[label]):.2f} times the one process's "
              f"({min(extra[label]):.2f}–{max(extra[label]):.2f})")


if __name__ == "__main__":
    main()
