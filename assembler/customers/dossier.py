"""`customers dossier`: every document that bound or reached a customer, with an index to re-check it.

The dossier answers the auditor's question "which text bound this customer on that date, and prove
it" from files alone: the countersigned copies and the destruction statement from the archive,
every notice e-mail (revision, sub-processor, breach) exactly as each SMTP transaction carried
it, the letter of each notice's latest build that went out, ``index.json`` with the timeline,
which version bound them from when, every transaction with the server's reply, the events
recorded against notices and, per file, its SHA-256 as the registry recorded it; and
``index.pdf``, the same in Dutch for a judge (`dossier_index`). Anyone can recompute the hashes.

The e-mails come from the archive's sent copies (`archive.keep_sent`), so a notice that bounced
and was built again still shows the bytes of its first send; an e-mail sent before the archive
kept copies is taken from its build folder when its hash still matches, and is listed under
``missing`` when no file holds those bytes any more.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assembler.customers.archive import ARCHIVED, customer_archive, sent_copy
from assembler.customers.dossier_index import NOTICE_KIND, evidence_nl, index_pdf_data, timeline_record
from assembler.customers.lifecycle import customer_history, customer_status, version_in_force
from assembler.customers.registry import Registry
from assembler.customers.timeline import in_force_periods, in_force_record
from assembler.errors import OutputError
from assembler.fsutil import atomic_folder, atomic_write_bytes, atomic_write_text, safe_name
from assembler.model import HistoryEvent
from assembler.render.dossier_pdf import render_dossier_index
from assembler.render.typst_pdf import timestamp_of


@dataclass(frozen=True)
class DossierFile:
    """One file of the dossier and what the registry says it is."""

    name: str
    """Path inside the dossier folder."""
    what: str
    """What it is, in Dutch (index.json and index.pdf say the same)."""
    sha256: str
    """The SHA-256 the registry recorded (the file's own, when they agree)."""
    sources: tuple[Path, ...]
    """Where its bytes may be, in order of preference."""


def _notice_nl(kind: str, subject: str) -> str:
    """Return a notice as the dossier names it: ``mededeling herziening (art. 11.2) 1.1``."""
    return f"mededeling {NOTICE_KIND.get(kind, kind)} {subject}"


def _folder(kind: str, subject: str) -> str:
    return "/".join(["notices", kind, *(safe_name(part) for part in subject.split("/"))])


def _deliveries(registry: Registry, customer_id: str) -> list[dict[str, Any]]:
    """Return every SMTP transaction to the customer, with the e-mail's name and SHA-256."""
    cur = registry.connection.execute(
        "SELECT d.kind, d.contract, d.subject, d.message_id, d.address, d.started_at, "
        "d.finished_at, d.outcome, d.reply_code, d.reply, d.attempts, e.name AS email_name, "
        "e.sha256 AS email_sha256 FROM notice_deliveries d LEFT JOIN notice_delivery_documents e "
        "ON e.delivery_id = d.id AND e.document = 'email' WHERE d.customer_id = ? ORDER BY d.id",
        (customer_id,))
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def _email_files(registry: Registry, root: Path, customer_id: str,
                 deliveries: list[dict[str, Any]]) -> list[DossierFile]:
    """Return one file per distinct e-mail that went out; name it in each delivery record."""
    built = {(k, s, sha): Path(p) if Path(p).is_absolute() else root / p for k, s, p, sha in
             registry.connection.execute("SELECT kind, subject, eml_path, eml_sha256 FROM notices "
                                         "WHERE customer_id = ?", (customer_id,))}
    out: dict[str, DossierFile] = {}
    for d in deliveries:
        sha, name = d.pop("email_sha256"), d.pop("email_name")
        if not sha:
            d["email_file"] = None
            continue
        stem = Path(name).stem
        file = f"{_folder(d['kind'], d['subject'])}/{stem}-{sha[:12]}.eml"
        d["email_file"], d["email_sha256"] = file, sha
        if sha not in out:
            sources = [sent_copy(registry.path, customer_id, sha)]
            if (build := built.get((d["kind"], d["subject"], sha))) is not None:
                sources.append(build)
            out[sha] = DossierFile(file, f"{_notice_nl(d['kind'], d['subject'])}: e-mail zoals "
                                   "verzonden", sha, tuple(sources))
    return list(out.values())


def _letter_files(registry: Registry, root: Path, customer_id: str,
                  sent: set[str]) -> list[DossierFile]:
    """Return the letter of each notice whose latest build went out (its e-mail is in `sent`)."""
    rows = registry.connection.execute(
        "SELECT n.kind, n.subject, n.eml_path, n.eml_sha256, d.name, d.sha256 FROM notices n JOIN "
        "notice_documents d ON d.kind = n.kind AND d.contract = n.contract AND "
        "d.subject = n.subject AND d.customer_id = n.customer_id WHERE n.customer_id = ? AND "
        "d.document = 'letter' ORDER BY n.kind, n.subject", (customer_id,)).fetchall()
    out = []
    for kind, subject, eml_path, eml_sha, name, digest in rows:
        if eml_sha in sent:
            eml = Path(eml_path) if Path(eml_path).is_absolute() else root / eml_path
            out.append(DossierFile(f"{_folder(kind, subject)}/{name}",
                                   f"{_notice_nl(kind, subject)}: brief", digest,
                                   (eml.parent / name,)))
    return out


def _archive_files(registry: Registry, customer_id: str,
                   history: list[HistoryEvent]) -> list[DossierFile]:
    folder = customer_archive(registry.path, customer_id)
    out = []
    for e in history:
        if e.kind in ("countersigned", "destroyed") and e.evidence.startswith(ARCHIVED):
            name = e.evidence.removeprefix(ARCHIVED)
            what = (f"tegengetekend exemplaar van versie {e.version}" if e.kind == "countersigned"
                    else "verklaring van vernietiging (art. 11.1)")
            out.append(DossierFile(f"{e.kind}/{name}", what, e.sha256, (folder / name,)))
    return out


def _notice_events(registry: Registry, customer_id: str) -> list[dict[str, Any]]:
    cur = registry.connection.execute(
        "SELECT kind, subject, event, on_date AS 'on', recorded_at FROM notice_events "
        "WHERE customer_id = ? ORDER BY id", (customer_id,))
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def _read(f: DossierFile) -> bytes | None:
    """Return the bytes of `f` from its first source holding the recorded hash (else the first)."""
    found = []
    for source in f.sources:
        try:
            data = source.read_bytes()
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise OutputError(f"{source}: cannot read {f.what} for the dossier: "
                              f"{exc.strerror or exc}") from exc
        if hashlib.sha256(data).hexdigest() == f.sha256:
            return data
        found.append(data)
    return found[0] if found else None


def refuse_foreign_folder(out: Path, customer_id: str) -> None:
    """Raise unless `out` is missing, empty, or exactly a dossier of `customer_id` made before.

    A user expects the folder to be the dossier and nothing else, so a new dossier replaces a
    previous one as a whole (files the customer no longer has do not linger). A folder holding
    anything else (another customer's dossier, a file the index does not list, a file that is no
    folder) is refused rather than emptied: its contents are not ours to delete.
    """
    if not out.exists():
        return
    if not out.is_dir():
        raise OutputError(f"{out}: not a folder; give a new or empty folder for the dossier")
    present = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if not p.is_dir())
    if not present and not any(out.iterdir()):
        return
    try:
        index = json.loads((out / "index.json").read_text(encoding="utf-8"))
        ours = {"index.json", "index.pdf", *(f["name"] for f in index["files"])}
        same = index["customer_id"] == customer_id
    except (OSError, ValueError, KeyError, TypeError):
        ours, same = set(), False
    if not same:
        raise OutputError(f"{out}: the folder is not empty and holds no dossier of {customer_id}; "
                          "give a new or empty folder (or the folder of its previous dossier)")
    stray = [name for name in present if name not in ours]
    if stray:
        raise OutputError(f"{out}: holds {stray[0]}, which is not part of the previous dossier of "
                          f"{customer_id}; move it away or give a new folder")


def write_dossier(registry: Registry, root: Path, customer_id: str, out: Path,
                  today: dt.date) -> dict[str, Any]:
    """Write the dossier of `customer_id` as folder `out` (files 0600); return its index.

    The folder is built beside `out` and put in its place only when complete
    (`fsutil.atomic_folder`), so `out` is exactly this dossier, a previous one of the customer is
    replaced as a whole, and a failure leaves `out` as it was (`refuse_foreign_folder`).
    """
    try:
        refuse_foreign_folder(out, customer_id)
    except OSError as exc:  # an existing folder we may not list: say so, as a write would
        raise OutputError(f"{out}: cannot write the dossier there: {exc.strerror or exc}") from exc
    history = customer_history(registry, customer_id)
    deliveries = _deliveries(registry, customer_id)
    emails = _email_files(registry, root, customer_id, deliveries)
    files = (_archive_files(registry, customer_id, history) + emails
             + _letter_files(registry, root, customer_id, {f.sha256 for f in emails}))
    customer = registry.customer(customer_id)
    sent_at = {(d["message_id"], d["finished_at"]): d["started_at"] for d in deliveries
               if d["started_at"] and d["finished_at"]}
    with atomic_folder(out) as folder:
        listed, missing = _write_files(folder, files)
        index = {"customer_id": customer_id, "company_name": customer.company_name,
                 "made_on": today.isoformat(),
                 "in_force": in_force_record(version_in_force(history, today)),
                 "status": customer_status(history, today),
                 "in_force_periods": [{**p, "evidence": evidence_nl(p["basis"], p["evidence"])}
                                      for p in in_force_periods(history, today)],
                 "timeline": [timeline_record(e, sent_at) for e in history],
                 "deliveries": deliveries, "notice_events": _notice_events(registry, customer_id),
                 "files": listed, "missing": missing}
        atomic_write_text(folder / "index.json",
                          json.dumps(index, ensure_ascii=False, indent=2) + "\n", mode=0o600)
        atomic_write_bytes(folder / "index.pdf", render_dossier_index(index_pdf_data(index),
                                                                      timestamp_of(today)), mode=0o600)
    return index


def _write_files(folder: Path, files: list[DossierFile]) -> tuple[list[dict[str, Any]],
                                                                  list[dict[str, Any]]]:
    """Write each of `files` that has bytes into `folder`; return (written, missing) records."""
    listed, missing = [], []
    for f in files:
        data = _read(f)
        if data is None:
            missing.append({"name": f.name, "what": f.what, "recorded_sha256": f.sha256})
            continue
        actual = hashlib.sha256(data).hexdigest()
        atomic_write_bytes(folder / f.name, data, mode=0o600)
        listed.append({"name": f.name, "what": f.what, "sha256": actual, "size": len(data),
                       "recorded_sha256": f.sha256, "matches_record": actual == f.sha256})
    return listed, missing
