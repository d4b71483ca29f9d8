"""`customers dossier`: every document that bound or reached a customer, with an index to re-check it.

The dossier answers the auditor's question "which text bound this customer on that date, and prove
it" from files alone: the countersigned copies from the archive, each notice's e-mail exactly as
it went out and its letter, and ``index.json`` with the timeline (the evidence of every event,
the server's replies), the version in force on the day it was made and, per file, its SHA-256 as
the registry recorded it. Anyone can recompute the hashes and compare.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assembler.customers.lifecycle import customer_history, customer_status, version_in_force
from assembler.customers.registry import Registry
from assembler.customers.timeline import event_record, in_force_record
from assembler.errors import OutputError
from assembler.fsutil import atomic_write_bytes, atomic_write_text


@dataclass(frozen=True)
class DossierFile:
    """One file of the dossier and what the registry says it is."""

    name: str
    """Path inside the dossier folder."""
    what: str
    sha256: str
    """The SHA-256 the registry recorded (the file's own, when they agree)."""
    source: Path


def _notice_files(registry: Registry, root: Path, customer_id: str) -> list[DossierFile]:
    rows = registry.connection.execute(
        "SELECT n.subject, n.eml_path, d.document, d.name, d.sha256 FROM notices n JOIN "
        "notice_documents d ON d.kind = n.kind AND d.contract = n.contract AND "
        "d.subject = n.subject AND d.customer_id = n.customer_id WHERE n.kind = 'revision' AND "
        "n.customer_id = ? AND d.document IN ('email', 'letter') ORDER BY n.subject, d.document",
        (customer_id,)).fetchall()
    out = []
    for version, eml_path, kind, name, digest in rows:
        eml = Path(eml_path) if Path(eml_path).is_absolute() else root / eml_path
        source = eml if kind == "email" else eml.parent / name
        out.append(DossierFile(f"notices/{version}/{name}", f"notice of {version}: {kind}", digest,
                               source))
    return out


def _archive_files(registry: Registry, customer_id: str, history: list[Any]) -> list[DossierFile]:
    folder = registry.path.parent / "archive"
    out = []
    for e in history:
        if e.kind in ("countersigned", "destroyed") and e.evidence.startswith("archived as "):
            name = e.evidence.removeprefix("archived as ")
            out.append(DossierFile(f"{e.kind}/{name}", f"{e.kind} {e.version}", e.sha256,
                                   folder / customer_id / name))
    return out


def _deliveries(registry: Registry, customer_id: str) -> list[dict[str, Any]]:
    cur = registry.connection.execute(
        "SELECT kind, contract, subject, message_id, address, started_at, finished_at, outcome, "
        "reply_code, reply, attempts FROM notice_deliveries WHERE customer_id = ? ORDER BY id",
        (customer_id,))
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def write_dossier(registry: Registry, root: Path, customer_id: str, out: Path,
                  today: dt.date) -> list[DossierFile]:
    """Write the dossier of `customer_id` into folder `out` (files 0600); return its files."""
    history = customer_history(registry, customer_id)
    files = _archive_files(registry, customer_id, history) + _notice_files(registry, root, customer_id)
    listed = []
    for f in files:
        try:
            data = f.source.read_bytes()
        except OSError as exc:
            raise OutputError(f"{f.source}: cannot read {f.what} for the dossier: "
                              f"{exc.strerror or exc}") from exc
        actual = hashlib.sha256(data).hexdigest()
        atomic_write_bytes(out / f.name, data, mode=0o600)
        listed.append({"name": f.name, "what": f.what, "sha256": actual, "size": len(data),
                       "recorded_sha256": f.sha256, "matches_record": actual == f.sha256})
    index = {"customer_id": customer_id, "made_on": today.isoformat(),
             "in_force": in_force_record(version_in_force(history, today)),
             "status": customer_status(history, today),
             "timeline": [event_record(e) for e in history],
             "deliveries": _deliveries(registry, customer_id), "files": listed}
    os.makedirs(out, mode=0o700, exist_ok=True)
    atomic_write_text(out / "index.json", json.dumps(index, ensure_ascii=False, indent=2) + "\n",
                      mode=0o600)
    return files
