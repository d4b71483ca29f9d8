"""What the notices take from the rest of the assembler: the registry, customers, redline and contract PDFs.

One module, so that the notices depend on the registry (issue 4) and the redlines (issue 3) in one
place only.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

from .config import load_config
from .errors import LedgerError
from .ledger import connect, transaction
from .model import Agreement, Customer, Redline

DEFAULT_REGISTRY = "var/registry.sqlite"

# Until the registry of issue 4 lands: its customers table, as the notices read it.
INTERIM_CUSTOMERS_SCHEMA = """
CREATE TABLE IF NOT EXISTS customers (
    customer_id TEXT PRIMARY KEY, company_name TEXT NOT NULL, kvk TEXT NOT NULL,
    street TEXT NOT NULL, postcode TEXT NOT NULL, city TEXT NOT NULL,
    contact_name TEXT NOT NULL, contact_email TEXT NOT NULL,
    signatory_name TEXT NOT NULL, signatory_role TEXT NOT NULL,
    services TEXT NOT NULL, version TEXT NOT NULL, signed_on TEXT NOT NULL,
    btw_id TEXT NOT NULL DEFAULT '', contact_salutation TEXT NOT NULL DEFAULT ''
);
"""


def registry_path(root: Path) -> Path:
    """Return the registry database of the project (``[registry] path``, default var/)."""
    path = load_config(root).path_setting("registry", "path", DEFAULT_REGISTRY)
    assert path is not None
    return path


def open_registry(root: Path) -> sqlite3.Connection:
    """Open the project's registry database with the ledger tables."""
    conn = connect(registry_path(root))
    conn.executescript(INTERIM_CUSTOMERS_SCHEMA)
    return conn


def load_customers(conn: sqlite3.Connection) -> list[Customer]:
    """Return every customer in the registry, by id."""
    try:
        rows = conn.execute("SELECT customer_id, company_name, kvk, street, postcode, city, "
                            "contact_name, contact_email, signatory_name, signatory_role, services, "
                            "version, signed_on, btw_id, contact_salutation FROM customers "
                            "ORDER BY customer_id").fetchall()
    except sqlite3.Error as exc:
        raise LedgerError(f"cannot read the customers from the registry: {exc}") from exc
    return [Customer(*r[:10], services=tuple(s for s in r[10].split(",") if s),  # type: ignore[misc]
                     version=r[11], signed_on=dt.date.fromisoformat(r[12]), btw_id=r[13],
                     contact_salutation=r[14]) for r in rows]


def add_customers(conn: sqlite3.Connection, customers: list[Customer]) -> None:
    """Store customers in the registry (replacing ones with the same id)."""
    with transaction(conn):
        conn.executemany("INSERT OR REPLACE INTO customers VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                         [(c.customer_id, c.company_name, c.kvk, c.street, c.postcode, c.city,
                           c.contact_name, c.contact_email, c.signatory_name, c.signatory_role,
                           ",".join(c.services), c.version, c.signed_on.isoformat(), c.btw_id,
                           c.contact_salutation) for c in customers])


def redline_pdf(redline: Redline) -> bytes:
    """Return the redline PDF (issue 3's renderer) that every notice of a version change attaches."""
    from .render.redline_pdf import render_redline_pdf

    return render_redline_pdf(redline)


def contract_pdf(new: Agreement, version: str, customer: Customer, day: dt.date) -> bytes:
    """Return the customer's contract PDF of version `version` with their Bijlage 1 (issue 4)."""
    from .errors import RenderError

    raise RenderError("the customer's contract PDF needs issue 4 (build_contract), not merged yet")
