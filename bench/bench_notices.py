"""Notices: `notices build` for 10,000 customers (>= 100 customers/s), `notices send` to a local
SMTP server (>= 200 messages/s), the whole process tree's memory <= 1 GB throughout.

Both commands run as a user runs them (a fresh `python -m assembler` process) on a temporary copy
of the project with version 1.1 released and BENCH_NOTICES_CUSTOMERS (default 10,000) generated,
fictitious customers. Baselines, measured in the same run:

- build: the three documents of one customer made in one process, one after the other (letter,
  the customer's contract PDF, the e-mail), without pool, files or ledger; each
  component's median is printed too;
- send: plain smtplib on one connection to the same server, the same messages, without ledger,
  lock or hash checks.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import multiprocessing
import os
import smtplib
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aiosmtpd.controller import Controller  # noqa: E402

from assembler.agreement.project import Project  # noqa: E402
from assembler.customers.registry import open_project_registry  # noqa: E402
from assembler.model import Customer  # noqa: E402
from assembler.workflow.release import release_version  # noqa: E402
from bench.common import ROOT, compiled, fresh_repo, git, report, wait_sampling  # noqa: E402

CONTRACT = "verwerkersovereenkomst"
N = int(os.environ.get("BENCH_NOTICES_CUSTOMERS", "10000"))
SERVICES = ["hosted-telefonie", "sip-trunk", "mobiel", "gespreksopname", "fax2mail", "callcenter",
            "nummerportering"]



def make_project(tmp: Path, n: int = N) -> Path:
    """Return a project with 1.1 released (clause 7.1 changed) and `n` customers on 1.0."""
    root = fresh_repo(tmp / "project")
    path = root / "contracts" / CONTRACT / "07-datalekken.md"
    path.write_text(path.read_text().replace("achtenveertig (48)", "vierentwintig (24)"))
    release_version(Project(root), CONTRACT, "1.1", dt.date(2027, 2, 1), today=dt.date(2026, 11, 28),
                    toelichting={"7": "Wij melden een datalek voortaan binnen 24 uur."})
    git(root, "add", "-A")
    git(root, "commit", "-qm", "1.1")
    customers = [Customer(
        customer_id=f"C-{i:05d}", company_name=f"Voorbeeldbedrijf {i} B.V.", kvk=f"{20000000 + i}",
        street=f"Voorbeeldlaan {i % 300 + 1}", postcode="1234 AB", city="Utrecht",
        contact_name=f"Sam de Vries {i}", contact_email=f"klant{i}@example.nl",
        signatory_name=f"Sam de Vries {i}", signatory_role="Directeur",
        services=tuple(SERVICES[j] for j in range(len(SERVICES)) if (i >> j) & 1) or ("sip-trunk",),
        version="1.0", signed_on=dt.date(2020, 1, 1)) for i in range(n)]
    with open_project_registry(root) as registry:
        registry.upsert_customers(customers)
    return root


PAGE = os.sysconf("SC_PAGE_SIZE")


def tree_rss(pid: int) -> int:
    """Return the resident memory (bytes) of process `pid` and all its descendants.

    Polled every 50 ms while a bulk run uses every core, so it reads only the tree itself
    (each thread's ``children`` list: ~10 files, ~0.1 ms) rather than every process on the
    machine (~1 ms, a share the run then lacks); a kernel without those lists gets the full scan.
    """
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/statm") as f:
                total += int(f.read().split()[1]) * PAGE
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    todo += [int(c) for c in f.read().split()]
        except FileNotFoundError:
            if p == pid and not os.path.exists(f"/proc/{p}/task/{p}/children"):
                return _tree_rss_by_scan(pid)
        except (OSError, ValueError):
            continue
    return total


def _tree_rss_by_scan(pid: int) -> int:
    """`tree_rss` by reading every process's parent: for a kernel without ``children`` lists."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(entry))
            rss[int(entry)] = int(fields[21]) * PAGE
        except (OSError, IndexError, ValueError):
            continue
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        total += rss.get(p, 0)
        todo += children.get(p, [])
    return total


def run_measured(args: list[str], root: Path, env: dict[str, str]) -> tuple[float, int]:
    """Run `assembler ARGS` afresh; return (seconds, peak memory of its process tree in bytes)."""
    peak = 0

    def sample() -> float:
        nonlocal peak
        peak = max(peak, tree_rss(proc.pid))
        return 0.2

    compiled(ROOT)
    # files, not pipes: a pipe nobody reads during the run could fill and stall it
    with tempfile.TemporaryFile("w+") as output, tempfile.TemporaryFile("w+") as errors:
        start = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "assembler", *args], cwd=root,
                                env={**os.environ, "ASSEMBLER_ROOT": str(root), **env},
                                stdout=output, stderr=errors, text=True)
        took = wait_sampling(proc, start, sample)
        output.seek(0)
        errors.seek(0)
        out, err = output.read(), errors.read()
    if proc.returncode != 0:
        raise SystemExit(f"assembler {' '.join(args)} failed: {err}")
    print(f"  $ assembler {' '.join(args)}\n  {out.strip().splitlines()[-1]}", flush=True)
    return took, peak


def smtp_server(port: int, count: Any, ready: Any) -> None:
    """Run an aiosmtpd server on 127.0.0.1:`port` that counts messages and keeps none."""

    class Counting:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            with count.get_lock():
                count.value += 1
            return "250 2.0.0 Ok: queued"

    controller = Controller(Counting(), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    threading.Event().wait()  # until terminated


def sink_server(port: int, count: Any, ready: Any) -> None:
    """Run a minimal SMTP sink on 127.0.0.1:`port`: the SMTP dialogue, DATA read in bulk, nothing kept.

    aiosmtpd parses DATA line by line in Python (~3,200 lines of base64 per notice), which makes the
    server, not the sender, the limit; this sink shows what the sender itself can do.
    """
    import asyncio

    async def session(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"220 sink ESMTP\r\n")
        while line := await reader.readline():
            verb = line[:4].upper()
            if verb == b"EHLO":
                writer.write(b"250-sink\r\n250-8BITMIME\r\n250 SIZE 100000000\r\n")
            elif verb == b"DATA":
                writer.write(b"354 go ahead\r\n")
                await writer.drain()
                await reader.readuntil(b"\r\n.\r\n")
                with count.get_lock():
                    count.value += 1
                writer.write(b"250 2.0.0 Ok: queued\r\n")
            elif verb == b"QUIT":
                writer.write(b"221 bye\r\n")
                await writer.drain()
                break
            else:
                writer.write(b"250 Ok\r\n")
            await writer.drain()
        writer.close()

    async def serve() -> None:
        server = await asyncio.start_server(session, "127.0.0.1", port, limit=64 * 2**20)
        ready.set()
        async with server:
            await server.serve_forever()

    asyncio.run(serve())


@contextlib.contextmanager
def serving(target: Any) -> Iterator[tuple[int, Any]]:
    """Run the SMTP server `target` in its own process (a core of its own, as a real one would
    have); yield its port and its message counter."""
    port = free_port()
    count, ready = multiprocessing.Value("i", 0), multiprocessing.Event()
    server = multiprocessing.Process(target=target, args=(port, count, ready), daemon=True)
    server.start()
    ready.wait(30)
    try:
        yield port, count
    finally:
        server.terminate()


def send_run(root: Path, target: Any, label: str) -> tuple[float, int]:
    """Run `notices send 1.1` against a server started by `target`; return (messages/s, peak RSS)."""
    with serving(target) as (port, count):
        env = {"ASSEMBLER_SMTP_HOST": "127.0.0.1", "ASSEMBLER_SMTP_PORT": str(port),
               "ASSEMBLER_SMTP_SECURITY": "none", "ASSEMBLER_SMTP_RATE": "0",
               "ASSEMBLER_SMTP_SENDER": "privacy@example.nl"}
        took, peak = run_measured(["notices", "send", "1.1"], root, env)
        assert count.value == N, f"{label} received {count.value} of {N} messages"
    return N / took, peak


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def components(root: Path, count: int = 60) -> dict[str, float]:
    """Return the median ms, in one process, of a letter and an e-mail (per customer) and of the
    version's text with a customer's Bijlage 1 (per set of services)."""
    from assembler.notices import documents as notice_parts
    from assembler.notices.customer_changes import prepare_annexes, service_set
    from assembler.notices.documents import contract_pdf
    from assembler.notices.email import compose_email
    from assembler.notices.letter import ArticleNote, SharedParts, render_letter
    from assembler.notices.plan import Texts
    from assembler.redline.queries import clause_changes

    texts = Texts(Project(root), CONTRACT)
    new = texts.agreement("1.1")
    redline = texts.redline("1.0", "1.1")
    from assembler.notices.documents import redline_pdf

    shared = SharedParts(meta=new.meta, title=new.title, version="1.1", from_version="1.0",
                         effective=dt.date(2027, 2, 1), sha256=new.sha256,
                         articles=(ArticleNote("7", "Artikel 7. Datalekken", "Toelichting."),),
                         changes=tuple(clause_changes(redline)), redline_name="r.pdf",
                         notice_date=dt.date(2026, 11, 28), sender="privacy@example.nl")
    with open_project_registry(root) as registry:
        customers = list(registry.customers())[:count]
    steps = [v for v in texts.project.versions(CONTRACT) if v.number == "1.1"]
    shared = dataclasses.replace(shared, by_services=prepare_annexes(
        redline, steps, texts.agreement, {service_set(c) for c in customers}, redline_pdf, "r.pdf"))
    samples: dict[str, list[float]] = {"letter": [], "text": [], "e-mail": []}
    for i, c in enumerate(customers):
        t0 = time.perf_counter()
        letter = render_letter(shared, c, False)
        t1 = time.perf_counter()
        notice_parts._PDFS.clear()  # the text is rendered once per set of services: time a miss
        contract = contract_pdf(root, CONTRACT, "1.1", c)
        t2 = time.perf_counter()
        compose_email(shared, c, False, letter, contract)
        t3 = time.perf_counter()
        if i >= 3:  # warm-up
            for name, took in (("letter", t1 - t0), ("text", t2 - t1), ("e-mail", t3 - t2)):
                samples[name].append(took * 1000)
    return {k: statistics.median(v) for k, v in samples.items()}


def send_baseline(root: Path, port: int, count: int = 1000) -> float:
    """Return messages/s of plain smtplib on one connection, the same .eml files, no ledger."""
    files = sorted((root / "build" / "notices" / "1.1").glob("*/*.eml"))[:count]
    conn = smtplib.SMTP("127.0.0.1", port)
    start = time.perf_counter()
    for path in files:
        conn.sendmail("privacy@example.nl", ["baseline@example.nl"], path.read_bytes())
    took = time.perf_counter() - start
    conn.quit()
    return len(files) / took


def main() -> None:
    """Measure and print the notices figures."""
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        root = make_project(Path(tmp))
        print(f"  (setup: project and {N} customers in {time.perf_counter() - t0:.1f} s)", flush=True)

        took, peak_build = run_measured(["notices", "build", "1.1"], root,
                                        {})
        build_rate = N / took
        parts = components(root)
        report(f"notices build, {N} customers (customers/s)", build_rate, "/s", ">= 100",
               build_rate >= 100)
        with open_project_registry(root) as registry:
            sets = len({tuple(sorted(c.services)) for c in registry.customers()})
        report("  per customer, one process: the letter (ms)", parts["letter"], "ms", "-", True)
        report("  per customer, one process: the e-mail (ms)", parts["e-mail"], "ms", "-", True)
        report(f"  per set of services ({sets} in this run): the version's text (ms)", parts["text"],
               "ms", "-", True)
        one = N / ((parts["letter"] + parts["e-mail"]) * N + parts["text"] * sets) * 1000
        report("  baseline: those in one process, nothing else (customers/s)", one, "/s", "-", True)
        database = root / "var" / "registry.sqlite3"
        unsent = database.read_bytes()  # the ledger before sending, to send everything twice
        send_rate, peak_send = send_run(root, smtp_server, "aiosmtpd")
        report(f"notices send, {N} messages to aiosmtpd (messages/s)", send_rate, "/s", ">= 200",
               send_rate >= 200)
        with serving(smtp_server) as (port, _):
            base = send_baseline(root, port)
        report("  baseline: plain smtplib, same messages, no ledger (messages/s)", base, "/s", "-",
               True)
        for suffix in ("-wal", "-shm"):
            Path(f"{database}{suffix}").unlink(missing_ok=True)
        database.write_bytes(unsent)
        sink_rate, peak_sink = send_run(root, sink_server, "the sink")
        report(f"notices send, {N} messages to a minimal SMTP sink (messages/s)", sink_rate, "/s",
               ">= 200", sink_rate >= 200)
        peak_send = max(peak_send, peak_sink)
        peak = max(peak_build, peak_send) / 2**20
        report("peak memory of the process tree, build and send (MB)", peak, "MB", "<= 1024",
               peak <= 1024)


if __name__ == "__main__":
    main()
