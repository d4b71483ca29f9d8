"""The customer registry: SQLite outside git (the only module that imports sqlite3).

Customers' contact persons are personal data, so the registry lives in ``var/`` (ignored by git),
is created on first use with file mode 0600 (``var/`` 0700), and the repository refers to
customers by their opaque ids only.

The schema is versioned with ``PRAGMA user_version``: `MIGRATIONS` is an ordered list of SQL
scripts, and opening a registry applies those it has not seen yet, each in its own transaction
together with the new ``user_version``. Later issues append their tables by appending a script
(never by editing one that has shipped).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from assembler.errors import RegistryError, UnknownCustomerError
from assembler.model import Customer
from assembler.notices.ledger import LEDGER_SCHEMA, transaction

DEFAULT_PATH = Path("var") / "registry.sqlite3"
"""Where the registry lives, relative to the project root, unless configured otherwise."""
ENV_VAR = "ASSEMBLER_REGISTRY"
"""Environment variable that overrides the registry path (as does the global ``--registry``)."""

MIGRATIONS: list[str] = [
    # 1: customers (issue 4)
    """
    CREATE TABLE customers (
        customer_id        TEXT PRIMARY KEY,
        company_name       TEXT NOT NULL,
        kvk                TEXT NOT NULL,
        street             TEXT NOT NULL,
        postcode           TEXT NOT NULL,
        city               TEXT NOT NULL,
        contact_name       TEXT NOT NULL,
        contact_email      TEXT NOT NULL,
        signatory_name     TEXT NOT NULL,
        signatory_role     TEXT NOT NULL,
        services           TEXT NOT NULL,  -- service ids separated by ';', in catalogue order
        version            TEXT NOT NULL,
        signed_on          TEXT NOT NULL,  -- ISO date
        btw_id             TEXT NOT NULL DEFAULT '',
        contact_salutation TEXT NOT NULL DEFAULT ''
    ) STRICT;
    """,
    # 2: the notice ledger (issue 6)
    LEDGER_SCHEMA,
]
"""Schema migrations in order; ``PRAGMA user_version`` is the number applied. Append only."""

_FIELDS = ("customer_id", "company_name", "kvk", "street", "postcode", "city", "contact_name",
           "contact_email", "signatory_name", "signatory_role", "services", "version", "signed_on",
           "btw_id", "contact_salutation")


def registry_path(root: Path, given: str | Path | None = None) -> Path:
    """Return the registry path: `given` (``--registry``), else ``$ASSEMBLER_REGISTRY``, else the default.

    A relative path counts from the current directory when given, from the project root otherwise.
    """
    if given:
        return Path(given).expanduser().resolve()
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser().resolve()
    return root / DEFAULT_PATH


@dataclass(frozen=True)
class UpsertResult:
    """What `Registry.upsert_customers` changed."""

    added: int
    """Customers that were not in the registry."""
    updated: int
    """Customers whose stored fields changed."""
    unchanged: int
    """Customers stored exactly as given already."""


def _row_to_customer(row: sqlite3.Row) -> Customer:
    return Customer(
        customer_id=row["customer_id"], company_name=row["company_name"], kvk=row["kvk"],
        street=row["street"], postcode=row["postcode"], city=row["city"],
        contact_name=row["contact_name"], contact_email=row["contact_email"],
        signatory_name=row["signatory_name"], signatory_role=row["signatory_role"],
        services=tuple(s for s in row["services"].split(";") if s), version=row["version"],
        signed_on=dt.date.fromisoformat(row["signed_on"]), btw_id=row["btw_id"],
        contact_salutation=row["contact_salutation"])


def _customer_to_row(c: Customer) -> tuple[str, ...]:
    return (c.customer_id, c.company_name, c.kvk, c.street, c.postcode, c.city, c.contact_name,
            c.contact_email, c.signatory_name, c.signatory_role, ";".join(c.services), c.version,
            c.signed_on.isoformat(), c.btw_id, c.contact_salutation)


class Registry:
    """An open registry. Use as a context manager, or call `close()`."""

    def __init__(self, path: Path, connection: sqlite3.Connection) -> None:
        self.path = path
        self.connection = connection
        """The SQLite connection (autocommit; group writes with `transaction()`)."""

    def __enter__(self) -> Registry:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection."""
        self.connection.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Run the block in one write transaction: all of it is stored, or none of it."""
        with transaction(self.connection) as conn:
            yield conn

    @property
    def schema_version(self) -> int:
        """Return the number of migrations applied."""
        return int(self.connection.execute("PRAGMA user_version").fetchone()[0])

    # --- customers --------------------------------------------------------------------------

    def count(self) -> int:
        """Return the number of customers."""
        return int(self.connection.execute("SELECT count(*) FROM customers").fetchone()[0])

    def customers(self) -> Iterator[Customer]:
        """Yield every customer in id order, streaming (no list of all of them in memory)."""
        cursor = self.connection.execute("SELECT * FROM customers ORDER BY customer_id")
        for row in cursor:
            yield _row_to_customer(row)

    def customer(self, customer_id: str) -> Customer:
        """Return one customer; raise `UnknownCustomerError` for an id the registry lacks."""
        row = self.connection.execute("SELECT * FROM customers WHERE customer_id = ?",
                                      (customer_id,)).fetchone()
        if row is None:
            raise UnknownCustomerError(customer_id, str(self.path))
        return _row_to_customer(row)

    def upsert_customers(self, customers: Iterable[Customer]) -> UpsertResult:
        """Add or update (by customer_id) `customers` in one transaction."""
        added = updated = unchanged = 0
        columns = ", ".join(_FIELDS)
        marks = ", ".join("?" for _ in _FIELDS)
        updates = ", ".join(f"{f} = excluded.{f}" for f in _FIELDS[1:])
        try:
            with self.transaction() as conn:
                for c in customers:
                    row = _customer_to_row(c)
                    old = conn.execute("SELECT * FROM customers WHERE customer_id = ?",
                                       (c.customer_id,)).fetchone()
                    if old is None:
                        added += 1
                    elif tuple(old) == row:
                        unchanged += 1
                        continue
                    else:
                        updated += 1
                    conn.execute(f"INSERT INTO customers ({columns}) VALUES ({marks}) "
                                 f"ON CONFLICT (customer_id) DO UPDATE SET {updates}", row)
        except sqlite3.Error as exc:
            raise RegistryError(f"{self.path}: cannot store customers: {exc}") from exc
        return UpsertResult(added, updated, unchanged)


def _create_private(path: Path) -> None:
    """Create an empty registry file (0600) in a private folder (0700) if there is none."""
    if path.exists():
        return
    parent = path.parent
    if not parent.exists():
        parent.mkdir(mode=0o700, parents=True)
        os.chmod(parent, 0o700)  # mkdir's mode is filtered by the umask
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)


def migrate(conn: sqlite3.Connection, migrations: list[str] | None = None) -> int:
    """Apply the migrations `conn` has not seen; return the schema version reached."""
    migrations = MIGRATIONS if migrations is None else migrations
    current = int(conn.execute("PRAGMA user_version").fetchone()[0])
    if current > len(migrations):
        raise RegistryError(f"registry schema version {current} is newer than this assembler "
                            f"knows ({len(migrations)}): upgrade assembler")
    for number, script in enumerate(migrations[current:], current + 1):
        # executescript commits first, so the transaction is spelled out inside the script.
        try:
            conn.executescript(f"BEGIN IMMEDIATE;\n{script}\nPRAGMA user_version = {number};\n"
                               "COMMIT;")
        except sqlite3.Error:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
    return len(migrations)


def open_registry(path: Path) -> Registry:
    """Open (creating and migrating on first use) the registry at `path`."""
    try:
        _create_private(path)
    except OSError as exc:
        raise RegistryError(f"{path}: cannot create the registry: {exc.strerror or exc}") from exc
    try:
        conn = sqlite3.connect(path, isolation_level=None, timeout=30)
    except sqlite3.Error as exc:
        raise RegistryError(f"{path}: cannot open the registry: {exc}") from exc
    try:
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA foreign_keys = ON")
        migrate(conn)
    except (sqlite3.Error, RegistryError) as exc:
        conn.close()
        if isinstance(exc, RegistryError):
            raise
        raise RegistryError(f"{path}: not a usable registry: {exc}") from exc
    return Registry(path, conn)
