"""Where a bulk run's wall time goes: the start before the workers' first customer, their busy share.

For `build --all`, `notices build`, `subprocessors build` and `incidents build` of BENCH_START_N
customers (default 200), each on its bench's project, in rounds
alternating ours with the baseline (BENCH_BULK_BASELINE, a checkout with its own .venv), each
run a fresh process through `start_up_probe.py`, which notes per process when its first customer
began and its last ended, and its CPU. Printed per code, medians of BENCH_START_ROUNDS (default
5): when the first customer began (everything before is the command alone: imports, plan,
shared parts, starting the workers), how long the workers then ran, how busy they were (their
CPU ÷ that time), and when the command's process ended. The CPU bound of bench_bulk counts the
start-up once at half its cost (it is spread over both cores), a pool run pays it whole: this is
what keeps a run of a few hundred customers under the bound.

So each round also runs the command in one process first, through the same probe: its CPU
before its first customer (the start S, on one core) and after it (the work W). A pool that does
that same work on all `cores` after the same start reaches at best (S + W) ÷ (cores × S + W) of
the bound (`ceiling`), which is printed beside the share the pool run reached (the one process's
CPU ÷ cores × the pool command's end).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import bench.bench_bulk as bulk  # noqa: E402
from bench.bench_incidents import INCIDENTS  # noqa: E402
from bench.bench_subprocessors import SUBPROCESSORS  # noqa: E402
from bench.common import in_turn  # noqa: E402

N = int(os.environ.get("BENCH_START_N", "200"))
ROUNDS = int(os.environ.get("BENCH_START_ROUNDS", "5"))
PROBE = Path(__file__).resolve().parent / "start_up_probe.py"
WORK = {"build": "assembler.customers.bulk:_build_one",
        "notices": "assembler.notices.build:_build_or_say_why",
        "subprocessors": "assembler.subprocessors.build:_build",
        "incidents": "assembler.incidents.build:_build"}
"""The function each kind calls once per customer."""


def _probed(code: Path, root: Path, kind: bulk.Kind, out: Path, log: Path,
            workers: int | None) -> list[dict[str, Any]]:
    """Run `kind` with `code` (and `workers`) through the probe; return its lines, one per process."""
    args, env = bulk.command(kind, out, workers)
    subprocess.run([str(bulk.python_of(code)), str(PROBE), str(log), WORK[kind.name],
                    *args], cwd=code, check=True, stdout=subprocess.DEVNULL,
                   env={**os.environ, **env, "ASSEMBLER_ROOT": str(bulk.project_for(code, root))})
    return [json.loads(line) for line in log.read_text().splitlines()]


def probe(code: Path, root: Path, kind: bulk.Kind, out: Path, log: Path) -> dict[str, float]:
    """Run `kind` with `code` through the probe; return its start, work, busy share and end."""
    lines = _probed(code, root, kind, out, log, None)
    workers = [p for p in lines if "end" not in p and p.get("calls")]
    parent = next(p for p in lines if "end" in p)
    first = min(w["first"] for w in workers)
    last = max(w["last"] for w in workers)
    busy = sum(w["cpu"] for w in workers) / (len(workers) * (last - first))
    return {"first": first, "work": last - first, "busy": busy, "end": parent["end"],
            "workers": len(workers), "parent_cpu": parent["cpu"]}


def one_process(code: Path, root: Path, kind: bulk.Kind, out: Path, log: Path) -> dict[str, float]:
    """Run `kind` with `code` in one process through the probe; return its start and work CPU."""
    only = next(p for p in _probed(code, root, kind, out, log, 1) if "end" in p)
    return {"start_cpu": only["cpu_before"], "work_cpu": only["cpu"] - only["cpu_before"]}


def ceiling(start_cpu: float, work_cpu: float, cores: int) -> float:
    """Return the best share of the bound a pool reaches after `start_cpu` seconds on one core."""
    return (start_cpu + work_cpu) / (cores * start_cpu + work_cpu)


def main() -> None:
    """Print each round and the medians per code and kind."""
    codes = [("ours", Path(__file__).resolve().parent.parent)]
    if bulk.BASELINE:
        codes.append(("baseline", Path(bulk.BASELINE)))
    with tempfile.TemporaryDirectory(prefix="bench-start-") as t:
        tmp = Path(t)
        for kind in (bulk.BUILD, bulk.NOTICES, SUBPROCESSORS, INCIDENTS):
            root = kind.make_project(tmp / f"p-{kind.name}", N)
            seen: dict[str, list[dict[str, float]]] = {label: [] for label, _ in codes}
            for r in range(ROUNDS):
                for label, code in in_turn(codes, r):
                    name = f"{kind.name}-{label}-{r}"
                    one = one_process(code, root, kind, tmp / f"o1-{name}", tmp / f"log1-{name}")
                    got = probe(code, root, kind, tmp / f"o-{name}", tmp / f"log-{name}")
                    got["ceiling"] = ceiling(one["start_cpu"], one["work_cpu"], bulk.CORES)
                    got["share"] = (one["start_cpu"] + one["work_cpu"]) / (bulk.CORES * got["end"])
                    seen[label].append({**got, **one})
                    print(f"{kind.name} round {r} {label}: first customer at {got['first']:.3f} s, "
                          f"workers ({got['workers']:.0f}) ran {got['work']:.3f} s, "
                          f"{got['busy']:.0%} busy, end {got['end']:.3f} s; one process: start "
                          f"{one['start_cpu']:.3f} + work {one['work_cpu']:.3f} CPU-s, ceiling "
                          f"{got['ceiling']:.1%}, share {got['share']:.1%}", flush=True)
            for label, runs in seen.items():
                med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
                print(f"{label}: {kind.label} {N}: first customer at {med['first']:.2f} s, workers "
                      f"ran {med['work']:.2f} s at {med['busy']:.0%} busy, command ended at "
                      f"{med['end']:.2f} s (the command's own CPU {med['parent_cpu']:.2f} s); in one "
                      f"process the start took {med['start_cpu']:.2f} CPU-s and the work "
                      f"{med['work_cpu']:.2f}: ceiling {med['ceiling']:.1%}, share {med['share']:.1%}")


if __name__ == "__main__":
    main()
