"""The registry's archive: the documents that prove a customer's history, beside the database.

Countersigned copies and destruction statements are kept under ``archive/<customer>/`` next to
the registry file (``var/`` by default, outside git: they name the customer's people), files
0600 in folders 0700, and the history records each by name and SHA-256. Every notice e-mail is
kept there too, exactly as it went out, under ``archive/<customer>/sent/<sha256>.eml``: a
notice that bounced and was built again overwrites its build file, but the ledger still holds
the hash of what each SMTP transaction carried (``notice_delivery_documents``), and the dossier
needs the bytes behind every such hash.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from assembler.customers.registry import Registry
from assembler.fsutil import atomic_write_bytes

ARCHIVED = "archived as "
"""How a history event's evidence names its archived file: ``archived as <name>``."""


def safe_id(customer_id: str) -> str:
    """Return `customer_id` as it appears in the archive's folder and file names."""
    return re.sub(r"[^A-Za-z0-9_.-]", "_", customer_id)


def customer_archive(database: Path, customer_id: str) -> Path:
    """Return the archive folder of `customer_id` beside the registry file `database`."""
    return database.parent / "archive" / safe_id(customer_id)


def archive_folder(registry: Registry, customer_id: str) -> Path:
    """Return (and make, 0700) the archive folder of `customer_id`."""
    return _made(customer_archive(registry.path, customer_id))


def _made(folder: Path) -> Path:
    for f in reversed([folder, *folder.parents][:3]):
        f.mkdir(mode=0o700, exist_ok=True)
        os.chmod(f, 0o700)  # mkdir's mode is filtered by the umask
    return folder


def sent_copy(database: Path, customer_id: str, sha256: str) -> Path:
    """Return where the e-mail with SHA-256 `sha256` sent to `customer_id` is kept."""
    return customer_archive(database, customer_id) / "sent" / f"{sha256}.eml"


def keep_sent(database: Path, customer_id: str, sha256: str, data: bytes) -> Path:
    """Keep `data` (an e-mail about to go out, whose SHA-256 is `sha256`) once per content.

    A resend of the same bytes finds its copy and writes nothing; changed bytes get a copy of
    their own, so every hash the ledger holds for a transaction has its file.
    """
    path = sent_copy(database, customer_id, sha256)
    if not path.is_file():
        _made(path.parent)
        atomic_write_bytes(path, data, mode=0o600)
    return path
