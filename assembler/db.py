"""The registry's SQLite file: open, migrate, transactions and the exclusive lock (the only sqlite3 module).

Customers' contact persons are personal data, so the file lives in ``var/`` (ignored by git), is
created on first use with mode 0600 in a 0700 folder. The scripts in ``assembler/sql/``
(``NNN_name.sql``, append-only) are applied in name order, each in one transaction together with
a row in ``schema_migrations`` that names it (see `migrate`).
"""

from __future__ import annotations

import contextlib
import os
import socket
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from assembler.errors import LedgerLockedError, RegistryError

Connection = sqlite3.Connection
"""An open database connection (autocommit; group writes with `transaction`)."""
Cursor = sqlite3.Cursor
"""A cursor over the rows of one query."""
DatabaseError = sqlite3.Error
"""What the database raises; callers wrap it in an `AssemblerError` that says what failed."""


@dataclass(frozen=True)
class Migration:
    """One schema migration: a script in ``assembler/sql/``, known by its file name."""

    name: str
    """The file name without ``.sql``, e.g. ``"005_notice_kinds"``; what the registry records."""
    script: str
    """The SQL, run in one transaction with the record that it ran."""


def _migration_scripts() -> list[Migration]:
    folder = resources.files("assembler") / "sql"
    names = sorted(p.name for p in folder.iterdir() if p.name.endswith(".sql"))
    return [Migration(name.removesuffix(".sql"), (folder / name).read_text(encoding="utf-8"))
            for name in names]


MIGRATIONS: list[Migration] = _migration_scripts()
"""Schema migrations in name order (``sql/NNN_name.sql``)."""

_APPLIED_TABLE = ("CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, "
                  "applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')))")


def make_private(folder: Path) -> None:
    """Create `folder` (and its parents) private, 0700, if it does not exist: as a registry's folder."""
    if not folder.exists():
        folder.mkdir(mode=0o700, parents=True)
        os.chmod(folder, 0o700)  # mkdir's mode is filtered by the umask


def _create_private(path: Path) -> None:
    """Create an empty database file (0600) in a private folder (0700) if there is none."""
    if path.exists():
        return
    make_private(path.parent)
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)


def migrate(conn: Connection, migrations: list[Migration] | None = None) -> int:
    """Apply the migrations `conn` has not recorded by name; return how many are applied in all.

    Each migration runs in one transaction with the row naming it in ``schema_migrations``, so
    a registry migrated on another branch (its own ``006_…``) is never taken to have run ours
    because the numbers match. A registry from before the names were kept has only ``PRAGMA
    user_version`` (how many ran, in order): its first that many are recorded by name once.
    One whose record names a migration this assembler does not have is refused.
    ``user_version`` stays the number applied, so an older assembler still sees a newer schema.
    """
    migrations = MIGRATIONS if migrations is None else migrations
    applied = _applied_names(conn, migrations)
    unknown = sorted(applied - {m.name for m in migrations})
    if unknown:
        raise RegistryError(f"the registry has migration {unknown[0]!r}, which this assembler does "
                            "not know: upgrade assembler (or use the branch that wrote it)")
    for migration in migrations:
        if migration.name in applied:
            continue
        applied.add(migration.name)
        # executescript commits first, so the transaction is spelled out inside the script.
        _run_in_transaction(conn, f"{migration.script}\n;INSERT INTO schema_migrations (name) VALUES "
                                  f"('{_quoted(migration.name)}');\nPRAGMA user_version = {len(applied)};")
    return len(applied)


def _applied_names(conn: Connection, migrations: list[Migration]) -> set[str]:
    """Return the names of the migrations `conn` ran, recording them for a pre-names registry."""
    known = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND "
                         "name = 'schema_migrations'").fetchone()
    if known:
        return {str(r[0]) for r in conn.execute("SELECT name FROM schema_migrations")}
    count = int(conn.execute("PRAGMA user_version").fetchone()[0])
    if count > len(migrations):
        raise RegistryError(f"registry schema version {count} is newer than this assembler "
                            f"knows ({len(migrations)}): upgrade assembler")
    rows = "".join(f"INSERT INTO schema_migrations (name) VALUES ('{_quoted(m.name)}');\n"
                   for m in migrations[:count])
    _run_in_transaction(conn, f"{_APPLIED_TABLE};\n{rows}")
    return {m.name for m in migrations[:count]}


def _quoted(name: str) -> str:
    return name.replace("'", "''")


def _run_in_transaction(conn: Connection, script: str) -> None:
    try:
        conn.executescript(f"BEGIN IMMEDIATE;\n{script}\nCOMMIT;")
    except sqlite3.Error:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def open_database(path: Path) -> Connection:
    """Open (creating and migrating on first use) the registry database at `path`."""
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
    return conn


@contextlib.contextmanager
def transaction(conn: Connection) -> Iterator[Connection]:
    """Run the block in one IMMEDIATE transaction, committed on success, rolled back otherwise.

    Inside a transaction already open on `conn` the block joins it, as a savepoint: what it
    writes is undone when it raises, and otherwise committed or rolled back with the outer
    transaction. So steps that each store in a transaction of their own (a termination, a
    ledger event) can be made one: all of it is stored, or none of it.
    """
    if conn.in_transaction:
        conn.execute("SAVEPOINT joined")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK TO joined")
            conn.execute("RELEASE joined")
            raise
        conn.execute("RELEASE joined")
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


@contextlib.contextmanager
def exclusive_lock(path: Path, what: str, stamp: str) -> Iterator[Path]:
    """Hold an exclusive lock on file `path` for the block; raise if another process holds it.

    The kernel drops the lock when its process ends, however it ends, so a crashed run never
    leaves a stale lock. `what` names the holder's job in the error; `stamp` is written into the
    file so the error can say who holds it. ``fcntl`` is imported here, when a lock is taken, so
    that commands that never lock also run where it does not exist.
    """
    import fcntl

    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "another process"
            raise LedgerLockedError(f"another {what} is running ({holder}); lock {path}") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()} on {socket.gethostname()} since {stamp}\n".encode(), 0)
        yield path
    finally:
        os.close(fd)  # closing the descriptor releases the lock
