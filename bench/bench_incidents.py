"""Data breaches: `incidents plan` (<= 2 s) and `incidents build` (>= 100 customers/s) for an
incident touching BENCH_INCIDENTS_CUSTOMERS (default 10,000) fictitious customers.

Both commands run as a user runs them (a fresh `python -m assembler` process) on a temporary copy
of the project, every customer using the affected service. Baselines, measured in the same run:

- plan: a fresh process that only opens the registry and reads every customer (what any
  command over the registry pays before it does anything);
- build: one customer's letter PDF and e-mail made in one process, one after the other, without
  pool, files or ledger (the median per customer, as customers/s).

Each figure is the median of BENCH_INCIDENTS_RUNS (default 3) runs; a build run rebuilds the
pending notices (nothing is sent), so every run does the whole work again.
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

from assembler.agreement.project import Project  # noqa: E402
from assembler.customers.registry import open_project_registry  # noqa: E402
from assembler.incidents.build import letter_data  # noqa: E402
from assembler.incidents.deadline import AMSTERDAM  # noqa: E402
from assembler.incidents.email import compose_breach_email  # noqa: E402
from assembler.incidents.letter import breach_parts  # noqa: E402
from assembler.incidents.record import Catalogue, read_incident  # noqa: E402
from assembler.model import Customer  # noqa: E402
from assembler.render.breach_pdf import render_breach_letter  # noqa: E402
from bench.common import fresh_repo, median_ms, report  # noqa: E402

N = int(os.environ.get("BENCH_INCIDENTS_CUSTOMERS", "10000"))
RUNS = int(os.environ.get("BENCH_INCIDENTS_RUNS", "3"))
RECORD = """\
id = "2027-001"
detected_at = 2027-03-27T10:00:00
nature = "Onbevoegde toegang tot opgeslagen gespreksopnamen via een gelekt beheerwachtwoord."
services = ["gespreksopname"]
subjects = { count = 1200, precision = "estimated" }
records = { count = 0, precision = "unknown" }
contact = "Functionaris gegevensbescherming, privacy@example.nl"
"""


def make_project(tmp: Path) -> Path:
    """Return a project with N customers using gespreksopname and the incident record."""
    root = fresh_repo(tmp / "project")
    customers = [Customer(
        customer_id=f"C-{i:05d}", company_name=f"Voorbeeldbedrijf {i} B.V.", kvk=f"{20000000 + i}",
        street=f"Voorbeeldlaan {i % 300 + 1}", postcode="1234 AB", city="Utrecht",
        contact_name=f"Contact {i}", contact_email=f"klant{i}@example.nl",
        signatory_name=f"Contact {i}", signatory_role="Directeur",
        services=("gespreksopname", "sip-trunk"), version="1.0", signed_on=dt.date(2020, 1, 1))
        for i in range(N)]
    with open_project_registry(root) as registry:
        registry.upsert_customers(customers)
    record = root / "var" / "incidents" / "2027-001.toml"
    record.parent.mkdir(parents=True, exist_ok=True)
    record.write_text(RECORD, encoding="utf-8")
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


def one_customer_ms(root: Path) -> float:
    """Return the median ms of one letter and e-mail made in this process, one after the other."""
    agreement = Project(root).resolve().agreement
    incident = read_incident(root / "var" / "incidents" / "2027-001.toml",
                             Catalogue({"gespreksopname"}, set(), set()))
    parts = breach_parts(agreement, incident, "initial",
                         dt.datetime(2027, 3, 27, 10, 30, tzinfo=AMSTERDAM), "privacy@example.nl")
    with open_project_registry(root) as registry:
        customers = [c for _, c in zip(range(50), registry.customers(), strict=False)]
    state = {"i": 0}

    def one() -> None:
        c = customers[state["i"] % len(customers)]
        state["i"] += 1
        shared, own = letter_data(parts, c)
        compose_breach_email(parts, c, render_breach_letter(shared, own, dt.date(2027, 3, 27)), [])

    return median_ms(one, runs=40, warmup=5)


def main() -> None:
    """Print the figures."""
    with tempfile.TemporaryDirectory() as tmp:
        root = make_project(Path(tmp))
        base_plan = statistics.median(registry_read(root) for _ in range(RUNS))
        plan = statistics.median(timed(root, "incidents", "plan", "2027-001") for _ in range(RUNS))
        print(f"{N} affected customers; medians of {RUNS} runs")
        report("baseline: fresh process reading every customer", base_plan, "s", "-", True)
        report("incidents plan (fresh process)", plan, "s", "<= 2 s", plan <= 2)
        per = one_customer_ms(root)
        report("baseline: letter + e-mail, one process, sequential", 1000 / per, "cust/s", "-",
               True)
        build = statistics.median(timed(root, "incidents", "build", "2027-001")
                                  for _ in range(RUNS))
        report("incidents build (fresh process, pool)", N / build, "cust/s", ">= 100",
               N / build >= 100)


if __name__ == "__main__":
    main()
