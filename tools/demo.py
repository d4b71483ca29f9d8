"""`make demo`: the main job on the embedded defaults, step by step, printing what it does.

Each step is a function; later issues add theirs to STEPS. Everything the demo writes goes to
build/demo/ and var/ (both ignored by git).
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from assembler.agreement.history import Author, commit_all
from assembler.agreement.project_copy import copy_project
from assembler.dutch import today_nl
from assembler.terms import earliest_effective

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "build" / "demo"
DEMO_AUTHOR = Author("Demo", "demo@example.com", "2026-11-28T12:00:00Z")
"""Fixed, so the demo's redlines are the same on every run."""


def run(*args: str, root: Path = ROOT, env: dict[str, str] | None = None, check: bool = True) -> int:
    """Run `assembler ARGS…` in the project at `root` as a user would, echoing the command."""
    print(f"\n$ assembler {' '.join(args)}", flush=True)
    proc = subprocess.run([sys.executable, "-m", "assembler", *args], cwd=root,
                          env={**os.environ, "ASSEMBLER_ROOT": str(root), **(env or {})})
    if check and proc.returncode != 0:
        raise SystemExit(f"demo: 'assembler {' '.join(args)}' exited {proc.returncode}")
    return proc.returncode


def step_foundation() -> None:
    """The agreement: its versions, its check, and version 1.0 as text."""
    run("versions")
    run("check")
    run("show", "1.0", "--format", "text")


# --- redlines ---


REDLINE_EDITS = [
    ("07-datalekken.md", "Een melding moet altijd worden gedaan, maar alleen als",
     "Een melding moet altijd binnen achtenveertig (48) uur worden gedaan, ook als nog niet "
     "vaststaat dat"),
    ("09-audit.md", "9.2. Deze audit mag plaatsvinden bij een concreet vermoeden van misbruik van "
     "persoonsgegevens.\n\n", ""),
    ("09-audit.md", "9.3. Verwerker zal", "9.2. Verwerker zal"),
    ("09-audit.md", "9.4. De bevindingen", "9.3. De bevindingen"),
    ("09-audit.md", "9.5. De kosten", "9.4. De kosten"),
    ("bijlage-1.toml", "\n[[data_subjects]]",
     '\n[[data_categories]]\nid = "gespreksopnamen"\nlabel = "Gespreksopnamen"\n'
     'services = ["gespreksopname"]\n\n[[data_subjects]]'),
]
"""The demo's concept edit: a reworded clause, a removed clause (the rest renumbered), and a
category added to Bijlage 1's catalogue."""


def _git(cwd: Path, *args: str) -> None:
    stamp = "2026-11-28T12:00:00Z"  # fixed, so the demo's redlines are the same on every run
    env = {**os.environ, "GIT_AUTHOR_NAME": "Demo", "GIT_AUTHOR_EMAIL": "demo@example.com",
           "GIT_COMMITTER_NAME": "Demo", "GIT_COMMITTER_EMAIL": "demo@example.com",
           "GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp}
    subprocess.run(["git", "-c", "commit.gpgsign=false", *args], cwd=cwd, check=True, env=env,
                   stdout=subprocess.DEVNULL)


def _project_copy(name: str) -> Path:
    """Return a fresh copy of contracts/ and versions/ in build/demo/NAME, committed as v1.0."""
    import shutil

    copy = OUT / name
    shutil.rmtree(copy, ignore_errors=True)
    return copy_project(ROOT, copy, author=DEMO_AUTHOR)


def step_redlines() -> None:
    """Redlines: version 1.0 against a concept edited in a copy, in every format."""

    copy = _project_copy("redline-project")
    folder = copy / "contracts" / "verwerkersovereenkomst"
    for name, old, new in REDLINE_EDITS:
        path = folder / name
        path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    print(f"(a copy of the project in {copy.relative_to(ROOT)}/ with 7.2 reworded, 9.2 removed "
          "and a category added to Bijlage 1, not committed)")
    print(f"(the commands below run in {copy.relative_to(ROOT)}/)")
    for args in (["diff", "1.0", "worktree"],
                 *(["diff", "1.0", "worktree", "--format", fmt, "-o", f"../redline.{ext}"]
                   for fmt, ext in (("markdown", "md"), ("json", "json"), ("html", "html"),
                                    ("pdf", "pdf"), ("docx", "docx")))):
        run(*args, root=copy)


# --- customer contracts ---


DEMO_REGISTRY = ROOT / "var" / "demo-registry.sqlite3"


def step_contracts() -> None:
    """Customer contracts: the demo registry and per-customer DOCX and PDF."""
    registry = ["--registry", str(DEMO_REGISTRY.relative_to(ROOT))]
    if not DEMO_REGISTRY.exists():
        run(*registry, "customers", "import", "examples/customers.csv")
    else:
        print(f"\n(demo registry {DEMO_REGISTRY.relative_to(ROOT)} exists; not importing again)")
    run(*registry, "customers", "list")
    run(*registry, "customers", "show", "C-1042")
    run(*registry, "build", "--customer", "C-1042", "--format", "docx,pdf",
        "-o", str(OUT.relative_to(ROOT)))


# --- signing ---


def step_signing() -> None:
    """A signed PDF for one customer, and its verification."""
    from assembler.signing.demo_pki import demo_pki

    pki = demo_pki(ROOT)  # created on first use: a DEMO CA and signer, trusted by nobody
    print(f"demo PKI in {pki.folder.relative_to(ROOT)}/: {pki.pkcs12.name} (0600), its password in "
          f"{pki.password_file.name} (0600), the DEMO CA in {pki.ca_pem.name}")
    # The key and its password go to the commands through the environment, never their arguments.
    os.environ["ASSEMBLER_SIGNING_PKCS12"] = str(pki.pkcs12)
    os.environ["ASSEMBLER_SIGNING_PASSWORD"] = pki.password()
    out = OUT / "signed"
    registry = ["--registry", str(DEMO_REGISTRY.relative_to(ROOT))]  # the customers of step_contracts
    run(*registry, "build", "--customer", "C-1042", "--format", "pdf", "--sign",
        "-o", str(out.relative_to(ROOT)))
    signed = max(out.glob("C-1042-*.pdf"), key=lambda p: p.stat().st_mtime)
    run(*registry, "verify", str(signed.relative_to(ROOT)), "--trust", str(pki.ca_pem.relative_to(ROOT)))
    # The same file with one byte changed inside the signed text: verify must say so (exit 1).
    data = bytearray(signed.read_bytes())
    at = data.index(b"stream", data.index(b"/FlateDecode")) + 40
    data[at] ^= 0x01
    tampered = out / "tampered.pdf"
    tampered.write_bytes(bytes(data))
    code = run("verify", str(tampered.relative_to(ROOT)), check=False)
    print(f"(exit {code}: the tampered copy is rejected)")
    if code != 1:
        raise SystemExit("demo: verify did not reject the tampered copy")


# --- notices ---


NOTICE_PROJECT = OUT / "notices-project"
NOTICE_TODAY = "2026-11-28"


def _notice_effective() -> str:
    """Return 1 February 2027, or the first of a later month that today's notices can still meet.

    `release` refuses an effective date too soon for the art. 11.2 month from the real today, and
    the notices are built and sent today: a fixed date would stop the demo in January 2027.
    """
    earliest = earliest_effective(today_nl(), 1)
    first = dt.date(earliest.year + earliest.month // 12, earliest.month % 12 + 1, 1)
    return max(dt.date(2027, 2, 1), first).isoformat()


def run_in(root: Path, *args: str, env: dict[str, str] | None = None, check: bool = True) -> int:
    """Run `assembler ARGS…` in the project at `root` with that project's own registry."""
    return run(*args, root=root, check=check,
               env={"ASSEMBLER_REGISTRY": str(root / "var" / "registry.sqlite3"), **(env or {})})


@contextmanager
def local_smtp() -> Iterator[tuple[dict[str, str], list[str]]]:
    """Run a local SMTP server (aiosmtpd) on 127.0.0.1 while in the block.

    Yields the environment that points the assembler at it and the list of recipients it
    receives, filled as messages arrive.
    """
    import socket

    from aiosmtpd.controller import Controller

    received: list[str] = []

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            received.append(envelope.rcpt_tos[0])
            return "250 2.0.0 Ok: queued"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    print(f"(a local SMTP server, aiosmtpd, on 127.0.0.1:{port})")
    try:
        yield ({"ASSEMBLER_SMTP_HOST": "127.0.0.1", "ASSEMBLER_SMTP_PORT": str(port),
                "ASSEMBLER_SMTP_SECURITY": "none", "ASSEMBLER_SMTP_SENDER": "privacy@example.nl"},
               received)
    finally:
        controller.stop()


def step_notices() -> None:
    """Revision notices under art. 11.2: release 1.1, plan, build, send to a local SMTP server."""
    import shutil

    root = NOTICE_PROJECT
    shutil.rmtree(root, ignore_errors=True)
    copy_project(ROOT, root, message=None)
    shutil.copy(ROOT / "examples" / "customers.csv", root / "customers.csv")
    commit_all(root, "1.0", DEMO_AUTHOR)
    print(f"(a copy of the project in {root.relative_to(ROOT)}/; clause 7.1 edited: 48 → 24 uur)")
    clause = root / "contracts" / "verwerkersovereenkomst" / "07-datalekken.md"
    clause.write_text(clause.read_text(encoding="utf-8").replace(
        "achtenveertig (48)", "vierentwintig (24)"), encoding="utf-8")
    run_in(root, "release", "1.1", "--effective", _notice_effective(), "--note",
           "7=Wij melden een datalek voortaan binnen 24 uur in plaats van binnen 48 uur, zodat u "
           "meer tijd heeft voor uw eigen melding aan de Autoriteit Persoonsgegevens.")
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", "1.1")
    run_in(root, "customers", "import", "customers.csv")
    run_in(root, "notices", "plan", "1.1", "--today", NOTICE_TODAY)
    run_in(root, "notices", "build", "1.1")  # dated today: a notice is never backdated

    with local_smtp() as (smtp, received):
        run_in(root, "notices", "send", "1.1", "--dry-run", env=smtp)
        run_in(root, "notices", "send", "1.1", env=smtp)
        run_in(root, "notices", "send", "1.1", env=smtp)  # again: nothing is sent twice
    print(f"(the SMTP server received {len(received)} message(s))")
    run_in(root, "notices", "record", "C-1042", "1.1", "--objected")
    run_in(root, "notices", "status", "1.1")
    # Sent today by the real clock: run after 30 December 2026, this plan says "late" (exit 1).
    run_in(root, "notices", "plan", "1.1", "--today", "2026-12-01", check=False)


# --- sub-processors and data breaches ---


def _journey_project(name: str) -> Path:
    """Return a fresh copy of the project in build/demo/NAME with the example customers imported."""
    root = _project_copy(name)
    run_in(root, "customers", "import", os.path.relpath(ROOT / "examples" / "customers.csv", root))
    return root


SUB_CHANGE = "voorbeeld-wachtrijanalyse"
SUB_ENTRY = """
[[subverwerker]]
id = "{id}"
name = "Voorbeeld Wachtrijanalyse B.V."
registration = "KvK 45678901"
country = "NL"
locations = ["NL", "BE"]
purpose = "Analyse van wachttijden en bereikbaarheid van het callcenter"
services = ["callcenter"]
categories = ["telefoonnummer", "belhistorie"]
transfer = ""
added = {added}
effective = {effective}
"""
"""The demo's new sub-processor: added today, in use 45 days on (the notice period is 30)."""


def step_subprocessors() -> None:
    """Sub-processors (art. 4.1): a new one, announced to exactly the customers it applies to."""
    print(f"(a copy of the project in {(OUT / 'subprocessors-project').relative_to(ROOT)}/ whose "
          f"register adds {SUB_CHANGE} for the callcenter service, in use 45 days from today)")
    root = _journey_project("subprocessors-project")
    today = today_nl()
    register = root / "contracts" / "verwerkersovereenkomst" / "subverwerkers.toml"
    with register.open("a", encoding="utf-8") as f:
        f.write(SUB_ENTRY.format(id=SUB_CHANGE, added=today.isoformat(),
                                 effective=(today + dt.timedelta(days=45)).isoformat()))
    _git(root, "commit", "-qam", f"Nieuwe sub-verwerker {SUB_CHANGE}")
    run_in(root, "check")  # lints the register with the clauses
    run_in(root, "subprocessors", "list", "--customer", "C-1003")
    run_in(root, "subprocessors", "plan", SUB_CHANGE)
    run_in(root, "subprocessors", "build", SUB_CHANGE)  # dated today, the list PDF attached
    with local_smtp() as (smtp, received):
        run_in(root, "subprocessors", "send", SUB_CHANGE, "--dry-run", env=smtp)
        run_in(root, "subprocessors", "send", SUB_CHANGE, env=smtp)
    print(f"(the SMTP server received {len(received)} message(s))")
    run_in(root, "subprocessors", "status", SUB_CHANGE)


def step_breach() -> None:
    """A data breach (art. 7): recorded, checked, planned, notified within 48 hours, proved."""
    print(f"(a copy of the project in {(OUT / 'breach-project').relative_to(ROOT)}/; the breach "
          "touches the customers who take gespreksopname)")
    root = _journey_project("breach-project")
    incident = f"{today_nl().year}-001"
    run_in(root, "incidents", "new", incident)  # detected_at: now, Europe/Amsterdam
    record = root / "var" / "incidents" / f"{incident}.toml"
    fixture = ROOT / "examples" / "incident.toml"
    kept = [line for line in record.read_text(encoding="utf-8").splitlines()
            if line.startswith(("id =", "detected_at ="))]
    record.write_text("\n".join(kept) + "\n" + fixture.read_text(encoding="utf-8"), encoding="utf-8")
    print(f"(the record filled in from {fixture.relative_to(ROOT)}, its id and detected_at kept)")
    run_in(root, "incidents", "check", incident)
    run_in(root, "incidents", "plan", incident)
    run_in(root, "incidents", "build", incident, "--phase", "initial")
    with local_smtp() as (smtp, received):
        run_in(root, "incidents", "send", incident, env=smtp)
    print(f"(the SMTP server received {len(received)} message(s))")
    run_in(root, "incidents", "status", incident)


# --- site ---


def step_site() -> None:
    """Pull requests and the published history: the guard, the pull-request check, tags, the site."""

    run("guard")
    run("check", "--base", "HEAD")
    # A history with three versions, in a copy: legal's pull request for 1.1, then the site.
    copy = _project_copy("site-project")
    print(f"\n(a copy of the project in {copy.relative_to(ROOT)}/: a branch that shortens the "
          "data-breach term to 24 hours and releases it as 1.1)")
    _git(copy, "switch", "-q", "-c", "datalekken-24-uur")
    clause = copy / "contracts" / "verwerkersovereenkomst" / "07-datalekken.md"
    text = clause.read_text(encoding="utf-8")
    clause.write_text(text.replace("achtenveertig (48)", "vierentwintig (24)", 1), encoding="utf-8")
    # `release` refuses a date too soon for today's notice month, so the branch's lawyer types
    # 1 December 2026 into the manifest by hand, as a pull request can.
    run("release", "1.1", "--effective", "2099-12-31", root=copy)
    manifest = copy / "versions" / "verwerkersovereenkomst" / "1.1.toml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace(
        "effective = 2099-12-31", "effective = 2026-12-01"), encoding="utf-8")
    _git(copy, "add", "-A")
    _git(copy, "commit", "-q", "-m", "Datalekken binnen 24 uur")
    print("\n(CI runs this on the pull request; as of 28 November 2026 it blocks the merge)")
    code = run("check", "--base", "main", "--today", "2026-11-28", check=False, root=copy)
    print(f"(exit {code}: the lawyer moves the date to 1 January 2027 and writes the toelichting)")
    manifest = copy / "versions" / "verwerkersovereenkomst" / "1.1.toml"
    text = manifest.read_text(encoding="utf-8").replace("effective = 2026-12-01",
                                                        "effective = 2027-01-01")
    if "[toelichting]" not in text:
        text += "\n[toelichting]\n"
    text = text.replace('7 = "TODO: toelichting invullen"\n', "")
    text += '7 = "Een datalek melden wij voortaan binnen 24 uur in plaats van 48 uur."\n'
    manifest.write_text(text, encoding="utf-8")
    _git(copy, "commit", "-q", "-am", "1.1: ingangsdatum 1 januari 2027, toelichting")
    run("check", "--base", "main", "--today", "2026-11-28", root=copy)
    _git(copy, "switch", "-q", "main")
    _git(copy, "merge", "-q", "--ff-only", "datalekken-24-uur")
    run("tag", root=copy)
    site = OUT / "site"
    run("site", "-o", os.path.relpath(site, copy), "--today", "2026-11-28", root=copy)
    print(f"Open {site / 'index.html'} in a browser: it works from file:// and any web server.")

STEPS: list[Callable[[], None]] = [
    step_foundation,
    step_redlines,
    step_contracts,
    step_signing,
    step_notices,
    step_subprocessors,
    step_breach,
    step_site,
]


def main() -> None:
    """Run every demo step."""
    OUT.mkdir(parents=True, exist_ok=True)
    for step in STEPS:
        print(f"\n=== {step.__doc__}", flush=True)
        step()
    print(f"\nDemo done. Output in {OUT.relative_to(ROOT)}/")


if __name__ == "__main__":
    main()
