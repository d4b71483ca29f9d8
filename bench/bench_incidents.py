"""Data breaches: `incidents plan` (<= 2 s) and `incidents build` (>= 100 customers/s) for an
incident touching 200, 1,000 and 10,000 fictitious customers.

Both commands run as a user runs them (a fresh `python -m assembler` process) on a temporary copy
of the project, every customer using the affected service.

- plan, for the largest size: against a fresh process that only opens the registry and reads
  every customer (what any command over the registry pays before it does anything), medians of
  BENCH_BULK_RUNS;
- build: as `bench_bulk.py` measures the bulk jobs (its `bench`): per size customers/s, the
  share of the CPU bound (cores ÷ the CPU one customer costs in one process, measured in the
  same run), CPU per customer, first document, peak memory; with BENCH_BULK_BASELINE the same
  for the code before, in the same run. A build run rebuilds the pending notices (nothing is
  sent), so every run does the whole work again.

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
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assembler.customers.registry import open_project_registry  # noqa: E402
from assembler.model import Customer  # noqa: E402
from bench.bench_bulk import RUNS, SIZES, Kind, bench  # noqa: E402
from bench.common import fresh_repo, report  # noqa: E402

RECORD = """\
id = "2027-001"
detected_at = {detected_at}
nature = "Onbevoegde toegang tot opgeslagen gespreksopnamen via een gelekt beheerwachtwoord."
services = ["gespreksopname"]
subjects = { count = 1200, precision = "estimated" }
records = { count = 0, precision = "unknown" }
contact = "Functionaris gegevensbescherming, privacy@example.nl"
"""


def make_project(tmp: Path, n: int) -> Path:
    """Return a project with `n` customers using gespreksopname and the incident record."""
    root = fresh_repo(tmp / "project")
    customers = [Customer(
        customer_id=f"C-{i:05d}", company_name=f"Voorbeeldbedrijf {i} B.V.", kvk=f"{20000000 + i}",
        street=f"Voorbeeldlaan {i % 300 + 1}", postcode="1234 AB", city="Utrecht",
        contact_name=f"Contact {i}", contact_email=f"klant{i}@example.nl",
        signatory_name=f"Contact {i}", signatory_role="Directeur",
        services=("gespreksopname", "sip-trunk"), version="1.0", signed_on=dt.date(2020, 1, 1))
        for i in range(n)]
    with open_project_registry(root) as registry:
        registry.upsert_customers(customers)
    record = root / "var" / "incidents" / "2027-001.toml"
    record.parent.mkdir(parents=True, exist_ok=True)
    # an hour ago on the Amsterdam clock: a breach detected in the future is refused
    detected = dt.datetime.now(ZoneInfo("Europe/Amsterdam")) - dt.timedelta(hours=1)
    record.write_text(RECORD.replace("{detected_at}", detected.strftime("%Y-%m-%dT%H:%M:00")),
                      encoding="utf-8")
    return root


def timed(root: Path, *args: str) -> float:
    """Return the wall time of one fresh `python -m assembler ARGS` in `root`."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "assembler", *args], cwd=root, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   env={**os.environ, "ASSEMBLER_ROOT": str(root)})
    return time.perf_counter() - start


def registry_read(root: Path) -> float:
    """Return the wall time of a fresh process that reads every customer of the registry."""
    code = ("from assembler.customers.registry import open_project_registry as o; "
            f"r = o(__import__('pathlib').Path({str(root)!r})); list(r.customers())")
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True)
    return time.perf_counter() - start


INCIDENTS = Kind("incidents", "`incidents build`",
                 lambda out: ["incidents", "build", "2027-001", "-o", str(out)], make_project,
                 {10000: 100})


def main() -> None:
    """Print the plan figures for the largest size, then the build figures per size."""
    n = max(SIZES)
    with tempfile.TemporaryDirectory() as tmp:
        root = make_project(Path(tmp), n)
        base_plan = statistics.median(registry_read(root) for _ in range(RUNS))
        plan = statistics.median(timed(root, "incidents", "plan", "2027-001") for _ in range(RUNS))
    print(f"{n} affected customers; medians of {RUNS} runs")
    report("baseline: fresh process reading every customer", base_plan, "s", "-", True)
    report("incidents plan (fresh process)", plan, "s", "<= 2 s", plan <= 2)
    bench([INCIDENTS])


if __name__ == "__main__":
    main()
