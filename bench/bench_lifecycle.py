"""Bench: `customers list` and `notices plan` for 10,000 customers with three versions of history.

Each customer signed 1.0 and received the notices of 1.1 and 1.2 (one accepted delivery each),
so the version in force is derived from three versions of evidence. Each command runs as a fresh
process; the figure is the median of RUNS runs. The baseline is the same commands run by the code
of another checkout (``BENCH_BASELINE``, e.g. ``git worktree add --detach /tmp/base main``), in
the same run, on a copy of the registry's data in the schema the baseline's own code creates (it
refuses a schema newer than it knows).

    BENCH_BASELINE=/tmp/base .venv/bin/python bench/run.py lifecycle
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assembler.agreement.project import Project  # noqa: E402
from assembler.customers.registry import open_project_registry  # noqa: E402
from assembler.model import Customer  # noqa: E402
from assembler.workflow.release import release_version  # noqa: E402
from bench.common import compiled, fresh_repo, git, report  # noqa: E402

N = int(os.environ.get("BENCH_LIFECYCLE_CUSTOMERS", "10000"))
RUNS = int(os.environ.get("BENCH_RUNS", "3"))
CONTRACT = "verwerkersovereenkomst"
E11, E12 = dt.date(2027, 2, 1), dt.date(2027, 5, 1)
PLAN_DAY = "2027-03-01"


def _release(root: Path, number: str, old: str, new: str, file: str, effective: dt.date,
             note: tuple[str, str]) -> None:
    path = root / "contracts" / CONTRACT / file
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    release_version(Project(root), CONTRACT, number, effective, today=dt.date(2026, 11, 28),
                    toelichting={note[0]: note[1]})
    git(root, "add", "-A")
    git(root, "commit", "-qm", number)


def make_project(tmp: Path) -> Path:
    """Return a project with 1.1 and 1.2 released and N customers with three versions of history."""
    root = fresh_repo(tmp / "project")
    _release(root, "1.1", "achtenveertig (48)", "vierentwintig (24)", "07-datalekken.md", E11,
             ("7", "Wij melden een datalek voortaan binnen 24 uur."))
    _release(root, "1.2", "Deze audit mag", "Een audit mag", "09-audit.md", E12,
             ("9", "Wij verduidelijken wie een audit mag uitvoeren."))
    customers = [Customer(
        customer_id=f"C-{i:05d}", company_name=f"Voorbeeldbedrijf {i} B.V.", kvk=f"{20000000 + i}",
        street=f"Voorbeeldlaan {i % 300 + 1}", postcode="1234 AB", city="Utrecht",
        contact_name=f"Sam de Vries {i}", contact_email=f"klant{i}@example.nl",
        signatory_name=f"Sam de Vries {i}", signatory_role="Directeur", services=("sip-trunk",),
        version="1.0", signed_on=dt.date(2020, 1, 1)) for i in range(N)]
    with open_project_registry(root) as registry:
        registry.upsert_customers(customers)
        with registry.transaction() as c:
            for number, effective, sent in (("1.1", E11, "2026-12-01T10:00:00Z"),
                                            ("1.2", E12, "2027-03-01T10:00:00Z")):
                c.execute("INSERT INTO announced_versions VALUES (?,?,?,?)",
                          (CONTRACT, number, effective.isoformat(), sent))
                c.executemany(
                    "INSERT INTO notices (contract, subject, customer_id, from_version, reference, "
                    "address, message_id, eml_path, eml_sha256, state, built_at, sent_at, "
                    "reply_code, reply) VALUES (?,?,?,?,?,?,?,?,?,'sent',?,?,250,'OK')",
                    [(CONTRACT, number, cu.customer_id, "1.0" if number == "1.1" else "1.1",
                      f"VWO-{number}-{cu.customer_id}", cu.contact_email,
                      f"<{number}.{cu.customer_id}@example.nl>", "x.eml", "0" * 64, sent, sent)
                     for cu in customers])
                c.executemany(
                    "INSERT INTO notice_deliveries (contract, subject, customer_id, message_id, "
                    "address, started_at, finished_at, outcome, reply_code, reply, attempts) "
                    "VALUES (?,?,?,?,?,?,?,'sent',250,'OK',1)",
                    [(CONTRACT, number, cu.customer_id, f"<{number}.{cu.customer_id}@example.nl>",
                      cu.contact_email, sent, sent) for cu in customers])
    return root


def baseline_registry(root: Path, base: Path) -> Path:
    """Return a copy of the registry's data in the schema the baseline's own code creates."""
    src = root / "var" / "registry.sqlite3"
    dest = root / "var" / "baseline.sqlite3"
    subprocess.run([sys.executable, "-c", "import sys; from pathlib import Path; from "
                    "assembler.customers.registry import open_registry; "
                    "open_registry(Path(sys.argv[1])).close()", str(dest)],
                   env={**os.environ, "PYTHONPATH": str(base)}, cwd=root, check=True)
    notice = ("contract, {v}, customer_id, from_version, reference, address, message_id, eml_path, "
              "eml_sha256, state, built_at, sent_at, reply_code, reply")
    delivery = ("contract, {v}, customer_id, message_id, address, started_at, finished_at, outcome, "
                "reply_code, reply, attempts")
    with sqlite3.connect(dest) as conn:
        conn.execute("ATTACH DATABASE ? AS ours", (str(src),))
        conn.execute("INSERT INTO customers SELECT * FROM ours.customers")
        for table, columns in (("notices", notice), ("notice_deliveries", delivery)):
            # a baseline from before the one ledger for every kind calls the subject "version"
            theirs = {row[1] for row in conn.execute(f"PRAGMA main.table_info({table})")}
            name = "subject" if "subject" in theirs else "version"
            conn.execute(f"INSERT INTO {table} ({columns.format(v=name)}) "
                         f"SELECT {columns.format(v='subject')} FROM ours.{table}")
        if {"announced_versions"} <= {r[0] for r in conn.execute(
                "SELECT name FROM main.sqlite_master WHERE type = 'table'")}:
            conn.execute("INSERT INTO announced_versions SELECT * FROM ours.announced_versions")
    return dest


def median_s(args: list[str], root: Path, code: Path, registry: Path) -> float:
    """Return the median wall time of `python -m assembler ARGS` with the code at `code`."""
    env = {**os.environ, "PYTHONPATH": str(compiled(code)), "ASSEMBLER_ROOT": str(root),
           "ASSEMBLER_REGISTRY": str(registry)}
    samples = []
    for _ in range(RUNS):
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "assembler", *args], cwd=root, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        samples.append(time.perf_counter() - start)
        if proc.returncode not in (0, 1):  # plan exits 1 when some customer is late
            raise SystemExit(f"{args} with {code}: exit {proc.returncode}: {proc.stderr[-500:]}")
    return statistics.median(samples)


def main() -> None:
    """Measure and print the figures, with the baseline's beside them when it is given."""
    here = Path(__file__).resolve().parent.parent
    base = os.environ.get("BENCH_BASELINE")
    with tempfile.TemporaryDirectory() as tmp:
        root = make_project(Path(tmp))
        ours = root / "var" / "registry.sqlite3"
        old = baseline_registry(root, Path(base)) if base else None
        for name, args in (("customers list", ["customers", "list"]),
                           ("notices plan 1.2", ["notices", "plan", "1.2", "--today", PLAN_DAY])):
            took = median_s(args, root, here, ours)
            report(f"{name}, {N} customers x 3 versions (s, median of {RUNS})", took, "s",
                   "<= 2", took <= 2)
            if base and old is not None:
                was = median_s(args, root, Path(base), old)
                report(f"  baseline {name} (code at {base})", was, "s", "-", True)


if __name__ == "__main__":
    main()
