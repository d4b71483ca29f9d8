"""The demo's notice journeys: revision notices, a customer's lifecycle, sub-processors, a data breach."""

from __future__ import annotations

import datetime as dt
import os

from demo_common import DEMO_AUTHOR, OUT, REDLINE_EDITS, ROOT, git, journey_project, local_smtp, run_in

from assembler.agreement.history import commit_all
from assembler.agreement.project_copy import copy_project
from assembler.dutch import today_nl
from assembler.terms import earliest_effective

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



def step_notices() -> None:
    """Revision notices under art. 11.2: release 1.1, plan, build, send to a local SMTP server."""
    import shutil

    root = NOTICE_PROJECT
    shutil.rmtree(root, ignore_errors=True)
    copy_project(ROOT, root, message=None)
    shutil.copy(ROOT / "examples" / "customers.csv", root / "customers.csv")
    commit_all(root, "1.0", DEMO_AUTHOR)
    print(f"(a copy of the project in {root.relative_to(ROOT)}/; clause 7.1 edited: 48 → 24 uur; "
          "Bijlage 1: call recordings added for the Gespreksopname service)")
    clause = root / "contracts" / "verwerkersovereenkomst" / "07-datalekken.md"
    clause.write_text(clause.read_text(encoding="utf-8").replace(
        "achtenveertig (48)", "vierentwintig (24)"), encoding="utf-8")
    catalogue = root / "contracts" / "verwerkersovereenkomst" / "bijlage-1.toml"
    catalogue.write_text(catalogue.read_text(encoding="utf-8").replace(*REDLINE_EDITS[-1][1:], 1),
                         encoding="utf-8")
    # only the customers with call recording read the note on it (and see it in their Bijlage 1)
    run_in(root, "release", "1.1", "--effective", _notice_effective(), "--note",
           "7=Wij melden een datalek voortaan binnen 24 uur in plaats van binnen 48 uur, zodat u "
           "meer tijd heeft voor uw eigen melding aan de Autoriteit Persoonsgegevens.", "--note",
           "bijlage-1:gespreksopnamen=Voor de dienst Gespreksopname staan de opgenomen gesprekken "
           "voortaan uitdrukkelijk in uw Bijlage 1.")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "1.1")
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


# --- each customer's agreement over time ---


def step_lifecycle() -> None:
    """A customer terminates: the art. 11.1 destruction statement (signed), and the dossiers."""
    import shutil

    from assembler.signing.demo_pki import demo_pki

    root = NOTICE_PROJECT  # the customers and the sent notices of step_notices
    pki = demo_pki(ROOT)
    os.environ["ASSEMBLER_SIGNING_PKCS12"] = str(pki.pkcs12)
    os.environ["ASSEMBLER_SIGNING_PASSWORD"] = pki.password()
    code = run_in(root, "customers", "destruction-statement", "C-1003", check=False)
    print(f"(exit {code}: C-1003 has not terminated, so nothing can be declared destroyed)")
    # Received yesterday, it ended the agreement today (art. 4.2: one day's notice).
    yesterday = (today_nl() - dt.timedelta(days=1)).isoformat()
    run_in(root, "customers", "terminate", "C-1003", "--received", yesterday,
           "--reason", "bedrijf gestopt")
    statement = OUT / "verklaring-van-vernietiging-C-1003.pdf"
    run_in(root, "customers", "destruction-statement", "C-1003", "--sign",
           "-o", os.path.relpath(statement, root))
    run_in(root, "verify", os.path.relpath(statement, root), "--trust", str(pki.ca_pem))
    code = run_in(root, "customers", "destruction-statement", "C-1003", check=False)
    print(f"(exit {code}: a second statement is refused; the first is the evidence)")
    run_in(root, "customers", "show", "C-1003")
    for cid in ("C-1003", "C-1042"):
        folder = OUT / f"dossier-{cid}"
        shutil.rmtree(folder, ignore_errors=True)  # no file of an earlier demo run left in it
        run_in(root, "customers", "dossier", cid, "-o", os.path.relpath(folder, root))
    print(f"Open {OUT / 'dossier-C-1042' / 'index.pdf'}: the dossier as a judge reads it.")


# --- sub-processors and data breaches ---


SUB_CHANGE = "voorbeeld-wachtrijanalyse"
SUB_ENTRY = """
[[subverwerker]]
id = "{id}"
name = "Voorbeeld Wachtrijanalyse B.V."
registration = "KvK 56789012"
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
    root = journey_project("subprocessors-project")
    today = today_nl()
    register = root / "contracts" / "verwerkersovereenkomst" / "subverwerkers.toml"
    with register.open("a", encoding="utf-8") as f:
        f.write(SUB_ENTRY.format(id=SUB_CHANGE, added=today.isoformat(),
                                 effective=(today + dt.timedelta(days=45)).isoformat()))
    git(root, "commit", "-qam", f"Nieuwe sub-verwerker {SUB_CHANGE}")
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
    root = journey_project("breach-project")
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
