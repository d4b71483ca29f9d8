"""Sub-processor notices: `subprocessors plan` and `build` for 10,000 customers (>= 100 customers/s).

Both commands run as a user runs them (a fresh `python -m assembler` process, the real clock) on a
temporary copy of the project with BENCH_SUBPROCESSORS_CUSTOMERS (default 10,000) generated,
fictitious customers who all take `gespreksopname`, so the pending change `voorbeeld-transcriptie`
reaches every one of them. The baseline, measured in the same run: one customer's letter PDF and
e-mail made in one process, one after the other, without pool, files or ledger (median over 30;
the attached list is rendered once per service set beforehand, as `build` does).
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
from assembler.dutch import today_nl  # noqa: E402
from assembler.model import Customer  # noqa: E402
from assembler.subprocessors.letter import ChangeParts, compose_email, render_letter  # noqa: E402
from assembler.subprocessors.list_cache import lists_by_services  # noqa: E402
from assembler.subprocessors.plan import pending_changes  # noqa: E402
from assembler.subprocessors.register import read_register  # noqa: E402
from bench.common import fresh_repo, median_ms, report  # noqa: E402

CONTRACT = "verwerkersovereenkomst"
CHANGE = "voorbeeld-transcriptie"
N = int(os.environ.get("BENCH_SUBPROCESSORS_CUSTOMERS", "10000"))


def customer(i: int) -> Customer:
    """Return fictitious customer `i`, who takes gespreksopname."""
    return Customer(
        customer_id=f"C-{i:05d}", company_name=f"Voorbeeldbedrijf {i} B.V.", kvk=f"{20000000 + i}",
        street=f"Voorbeeldlaan {i % 300 + 1}", postcode="1234 AB", city="Utrecht",
        contact_name=f"Sam de Vries {i}", contact_email=f"klant{i}@example.nl",
        signatory_name=f"Sam de Vries {i}", signatory_role="Directeur",
        services=("hosted-telefonie", "gespreksopname") if i % 2 else ("gespreksopname",),
        version="1.0", signed_on=dt.date(2020, 1, 1))


def run(args: list[str], root: Path) -> float:
    """Run `assembler ARGS` afresh in `root`; return its wall time in seconds."""
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "assembler", *args], cwd=root, text=True,
                            capture_output=True, env={**os.environ, "ASSEMBLER_ROOT": str(root)})
    took = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"assembler {' '.join(args)} failed: {result.stderr}")
    print(f"  $ assembler {' '.join(args)}\n  {result.stdout.strip().splitlines()[-1]}", flush=True)
    return took


def baseline_ms(root: Path) -> float:
    """Return the median time of one customer's letter and e-mail, made in this process."""
    project = Project(root)
    agreement = project.resolve(None, CONTRACT).agreement
    change = next(c for c in pending_changes(read_register(project, CONTRACT), today_nl(), 30)
                  if c.entry.id == CHANGE)
    parts = ChangeParts(change, agreement.meta, agreement.catalogue, today_nl(), "privacy@example.nl",
                        "https://www.voipexpress.example.nl/verwerkersovereenkomst/subverwerkers/")
    people = iter(customer(i) for i in range(10**6))
    register = read_register(project, CONTRACT)
    lists = lists_by_services(register, agreement.catalogue, agreement.meta,
                              [frozenset(customer(i).services) for i in range(2)], today_nl())

    def one() -> None:
        c = next(people)
        compose_email(parts, c, render_letter(parts, c), lists[frozenset(c.services)])

    return median_ms(one, runs=30)


def main() -> None:
    """Measure plan and build for N customers, and the baseline, in the same run."""
    with tempfile.TemporaryDirectory() as tmp:
        root = fresh_repo(Path(tmp) / "project")
        with open_project_registry(root) as registry:
            registry.upsert_customers([customer(i) for i in range(N)])
        plans = [run(["subprocessors", "plan", CHANGE], root) for _ in range(3)]
        build = run(["subprocessors", "build", CHANGE], root)
        base = baseline_ms(root)
    report(f"subprocessors plan, {N} customers (s, median of 3)", statistics.median(plans), "s",
           "-", True)
    report(f"subprocessors build, {N} customers (customers/s)", N / build, "/s", ">= 100",
           N / build >= 100)
    report("baseline: one letter + e-mail in one process (ms, median of 30)", base, "ms", "-", True)
    report("baseline as a rate, one process (customers/s)", 1000 / base, "/s", "-", True)


if __name__ == "__main__":
    main()
