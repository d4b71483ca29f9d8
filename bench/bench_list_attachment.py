"""The list each sub-processor notice attaches: once per service set against once per customer.

For BENCH_LIST_CUSTOMERS (default 200) fictitious customers with the sub-processor bench's mix of
services (two distinct sets), the time to have every customer's "Lijst van sub-verwerkers" ready:
`list_cache.lists_by_services` in one process (what `subprocessors build` does, in its pool for a
large run) against the baseline, measured in the same run, of rendering each customer's own list
(`document.list_pdf`, one Typst compile per customer). Medians of 3 runs, each on fresh
customers and a different day, so Typst's own cache of identical input flatters neither side.
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assembler.agreement.project import Project  # noqa: E402
from assembler.dutch import today_nl  # noqa: E402
from assembler.pool import PoolOptions, WorkerPool  # noqa: E402
from assembler.subprocessors.document import list_pdf  # noqa: E402
from assembler.subprocessors.list_cache import lists_by_services  # noqa: E402
from assembler.subprocessors.register import read_register  # noqa: E402
from bench.bench_subprocessors import customer  # noqa: E402
from bench.common import ROOT, report  # noqa: E402

CONTRACT = "verwerkersovereenkomst"
N = int(os.environ.get("BENCH_LIST_CUSTOMERS", "200"))


def median_s(fn: Callable[[int], object], runs: int = 3) -> float:
    """Return the median wall time of `fn(run)` in seconds."""
    samples = []
    for run in range(runs):
        start = time.perf_counter()
        fn(run)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    """Measure both ways for N customers in the same run."""
    project = Project(ROOT)
    agreement = project.resolve(None, CONTRACT).agreement
    register = read_register(project, CONTRACT)
    day = today_nl()
    list_pdf(register, agreement.catalogue, agreement.meta, customer(0), day)  # warm Typst up

    def cached(run: int) -> None:
        people = [customer(run * N + i) for i in range(N)]
        with WorkerPool(PoolOptions(1)) as pool:  # one worker: in this process
            lists = lists_by_services(register, agreement.catalogue, agreement.meta,
                                      (frozenset(c.services) for c in people),
                                      day + dt.timedelta(days=run), pool)
        assert len(lists) == 2

    def per_customer(run: int) -> None:
        for i in range(N):
            list_pdf(register, agreement.catalogue, agreement.meta, customer(10**6 + run * N + i),
                     day + dt.timedelta(days=run))

    fast, slow = median_s(cached), median_s(per_customer)
    report(f"list PDFs for {N} customers, once per service set (s)", fast, "s", "-", True)
    report(f"baseline: one list PDF per customer, {N} customers (s)", slow, "s", "-", True)
    report("per customer, once per service set (ms)", fast / N * 1000, "ms", "-", True)
    report("per customer, baseline (ms)", slow / N * 1000, "ms", "-", True)


if __name__ == "__main__":
    main()
