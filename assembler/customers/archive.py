"""The registry's archive: the documents that prove a customer's history, beside the database.

Countersigned copies and destruction statements are kept under ``archive/<customer>/`` next to
the registry file (``var/`` by default, outside git: they name the customer's people), files
0600 in folders 0700, and the history records each by name and SHA-256.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from assembler.customers.registry import Registry

ARCHIVED = "archived as "
"""How a history event's evidence names its archived file: ``archived as <name>``."""


def safe_id(customer_id: str) -> str:
    """Return `customer_id` as it appears in the archive's folder and file names."""
    return re.sub(r"[^A-Za-z0-9_.-]", "_", customer_id)


def archive_folder(registry: Registry, customer_id: str) -> Path:
    """Return (and make, 0700) the archive folder of `customer_id`."""
    folder = registry.path.parent / "archive" / safe_id(customer_id)
    for f in (folder.parent, folder):
        f.mkdir(mode=0o700, exist_ok=True)
        os.chmod(f, 0o700)  # mkdir's mode is filtered by the umask
    return folder
