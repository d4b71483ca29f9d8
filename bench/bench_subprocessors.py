"""Sub-processor notices: `subprocessors plan` and `build` for 200, 1,000 and 10,000 customers.

`subprocessors build` is measured as `bench_bulk.py` measures the bulk jobs (its `bench`): a fresh
`python -m assembler` process per run on a temporary copy of the project with generated, fictitious
customers who all take `gespreksopname`, so the pending change `voorbeeld-transcriptie` reaches
every one of them; per size customers/s, the share of the CPU bound (cores ÷ the CPU one customer
costs in one process, measured in the same run), the CPU per customer, the first document and the
peak memory; with BENCH_BULK_BASELINE (a checkout of the code before, with its own .venv) the same
for that code in the same run. Target: >= 100 customers/s for 10,000. `subprocessors plan` for the
largest size is timed as a fresh process too (median of BENCH_BULK_RUNS).

Variables: BENCH_BULK_SIZES, BENCH_BULK_RUNS, BENCH_BULK_ONE_MAX, BENCH_BULK_BASELINE (see bench_bulk).
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assembler.customers.registry import open_project_registry  # noqa: E402
from assembler.model import Customer  # noqa: E402
from bench.bench_bulk import RUNS, SIZES, Kind, bench  # noqa: E402
from bench.common import fresh_repo, report  # noqa: E402

CHANGE = "voorbeeld-transcriptie"


def customer(i: int) -> Customer:
    """Return fictitious customer `i`, who takes gespreksopname."""
    return Customer(
        customer_id=f"C-{i:05d}", company_name=f"Voorbeeldbedrijf {i} B.V.", kvk=f"{20000000 + i}",
        street=f"Voorbeeldlaan {i % 300 + 1}", postcode="1234 AB", city="Utrecht",
        contact_name=f"Sam de Vries {i}", contact_email=f"klant{i}@example.nl",
        signatory_name=f"Sam de Vries {i}", signatory_role="Directeur",
        services=("hosted-telefonie", "gespreksopname") if i % 2 else ("gespreksopname",),
        version="1.0", signed_on=dt.date(2020, 1, 1))


def make_project(tmp: Path, n: int) -> Path:
    """Return a copy of the project with `n` customers who take gespreksopname."""
    root = fresh_repo(tmp / "project")
    with open_project_registry(root) as registry:
        registry.upsert_customers([customer(i) for i in range(n)])
    return root


SUBPROCESSORS = Kind("subprocessors", "`subprocessors build`",
                     lambda out: ["subprocessors", "build", CHANGE, "-o", str(out)], make_project,
                     {10000: 100})


def plan_s(root: Path) -> float:
    """Return the wall time of one fresh `subprocessors plan` in `root`."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "assembler", "subprocessors", "plan", CHANGE], cwd=root,
                   check=True, stdout=subprocess.DEVNULL, env={**os.environ, "ASSEMBLER_ROOT": str(root)})
    return time.perf_counter() - start


def main() -> None:
    """Measure plan for the largest size, then build as bench_bulk measures the bulk jobs."""
    n = max(SIZES)
    with tempfile.TemporaryDirectory() as tmp:
        root = make_project(Path(tmp), n)
        plan = statistics.median(plan_s(root) for _ in range(RUNS))
    report(f"subprocessors plan, {n} customers (fresh process)", plan, "s", "-", True)
    bench([SUBPROCESSORS])


if __name__ == "__main__":
    main()
