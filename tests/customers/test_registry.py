"""The SQLite registry: private file, migrations, upserts, unknown ids."""

from __future__ import annotations

import dataclasses
import sqlite3
import stat
from pathlib import Path

import pytest

from assembler.customers.registry import open_registry, registry_path
from assembler.db import MIGRATIONS, Migration, migrate
from assembler.errors import RegistryError, UnknownCustomerError, UsageError
from assembler.model import Customer


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_created_on_first_use_private(registry_file: Path) -> None:
    assert not registry_file.parent.exists()
    with open_registry(registry_file) as reg:
        assert reg.count() == 0
        assert reg.schema_version == len(MIGRATIONS)
    assert mode(registry_file) == 0o600
    assert mode(registry_file.parent) == 0o700


def test_upsert_adds_updates_and_reports_unchanged(registry_file: Path, customer: Customer) -> None:
    other = dataclasses.replace(customer, customer_id="C-2002", btw_id="NL000099998B57")
    with open_registry(registry_file) as reg:
        result = reg.upsert_customers([customer, other])
        assert (result.added, result.updated, result.unchanged) == (2, 0, 0)
        moved = dataclasses.replace(customer, city="Zwolle", services=("mobiel",))
        result = reg.upsert_customers([moved, other])
        assert (result.added, result.updated, result.unchanged) == (0, 1, 1)
    with open_registry(registry_file) as reg:  # stored, not just cached
        assert reg.customer("C-2001") == moved
        assert reg.customer("C-2002") == other
        assert [c.customer_id for c in reg.customers()] == ["C-2001", "C-2002"]


def test_unknown_customer_is_a_usage_error(registry_file: Path) -> None:
    with open_registry(registry_file) as reg, pytest.raises(UnknownCustomerError) as info:
        reg.customer("C-9999")
    assert isinstance(info.value, UsageError) and info.value.exit_code == 2
    assert "unknown customer 'C-9999'" in info.value.message


def test_a_failing_upsert_changes_nothing(registry_file: Path, customer: Customer) -> None:
    with open_registry(registry_file) as reg:
        reg.upsert_customers([customer])
        broken = dataclasses.replace(customer, customer_id="C-2", company_name=None)  # type: ignore[arg-type]
        changed = dataclasses.replace(customer, city="Zwolle")
        with pytest.raises(RegistryError):
            reg.upsert_customers([changed, broken])
        assert reg.customer("C-2001").city == "Utrecht"
        assert reg.count() == 1


def test_migrations_apply_once_in_order_and_later_ones_can_be_appended(registry_file: Path) -> None:
    with open_registry(registry_file) as reg:
        conn = reg.connection
        extra = [*MIGRATIONS, Migration("900_later_example",
                                         "CREATE TABLE later_example (id INTEGER PRIMARY KEY, customer_id TEXT);")]
        assert migrate(conn, extra) == len(extra)
        assert migrate(conn, extra) == len(extra)  # nothing left to apply: no "table exists" error
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert {"customers", "later_example"} <= tables
        assert reg.schema_version == len(extra)


def test_a_failing_migration_leaves_the_schema_as_it_was(registry_file: Path) -> None:
    with open_registry(registry_file) as reg:
        bad = [*MIGRATIONS, Migration("900_half", "CREATE TABLE half (x); THIS IS NOT SQL;")]
        with pytest.raises(sqlite3.Error):
            migrate(reg.connection, bad)
        assert not reg.connection.in_transaction
        assert reg.schema_version == len(MIGRATIONS)
        names = {r[0] for r in reg.connection.execute("SELECT name FROM sqlite_master")}
        assert "half" not in names


def test_a_registry_with_a_migration_this_assembler_lacks_is_refused(registry_file: Path) -> None:
    with open_registry(registry_file) as reg:
        migrate(reg.connection, [*MIGRATIONS, Migration("006_other_branch", "CREATE TABLE b (x);")])
    with pytest.raises(RegistryError, match="has migration '006_other_branch', which this assembler "
                                            "does not know: upgrade assembler"):
        open_registry(registry_file)


def test_migrations_are_known_by_name_not_position(registry_file: Path) -> None:
    """Two branches each add a 006: a registry migrated with one still gets the other's."""
    ours = Migration("006_ours", "CREATE TABLE ours (x);")
    theirs = Migration("006_theirs", "CREATE TABLE theirs (x);")
    with open_registry(registry_file) as reg:
        assert migrate(reg.connection, [*MIGRATIONS, theirs]) == len(MIGRATIONS) + 1
        assert migrate(reg.connection, [*MIGRATIONS, ours, theirs]) == len(MIGRATIONS) + 2
        tables = {r[0] for r in reg.connection.execute("SELECT name FROM sqlite_master")}
        assert {"ours", "theirs"} <= tables  # by position, "ours" would have been skipped
        names = [r[0] for r in reg.connection.execute("SELECT name FROM schema_migrations ORDER BY rowid")]
        assert names == [*(m.name for m in MIGRATIONS), "006_theirs", "006_ours"]
        assert reg.schema_version == len(MIGRATIONS) + 2


def test_a_registry_from_before_the_names_is_upgraded_in_place(registry_file: Path,
                                                               customer: Customer) -> None:
    """A registry migrated by position (only ``user_version``), one migration behind."""
    registry_file.parent.mkdir(mode=0o700)
    old = sqlite3.connect(registry_file, isolation_level=None)
    for number, migration in enumerate(MIGRATIONS[:-1], 1):  # as the assembler before names did
        old.executescript(f"BEGIN;\n{migration.script}\nPRAGMA user_version = {number};\nCOMMIT;")
    old.close()
    with open_registry(registry_file) as reg:
        reg.upsert_customers([customer])
        assert reg.customer("C-2001") == customer
        names = [r[0] for r in reg.connection.execute("SELECT name FROM schema_migrations ORDER BY rowid")]
        assert names == [m.name for m in MIGRATIONS]  # the last one ran, the others were recorded
        assert reg.schema_version == len(MIGRATIONS)
    with open_registry(registry_file) as reg:  # and the next open applies nothing again
        assert reg.customer("C-2001") == customer


def test_a_newer_schema_without_names_is_refused(registry_file: Path) -> None:
    with open_registry(registry_file) as reg:
        reg.connection.execute("DROP TABLE schema_migrations")
        reg.connection.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    with pytest.raises(RegistryError, match="newer than this assembler knows"):
        open_registry(registry_file)


def test_a_file_that_is_not_a_database_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "registry.sqlite3"
    path.write_text("not a database\n" * 100)
    with pytest.raises(RegistryError, match="not a usable registry"):
        open_registry(path)


def test_registry_path_precedence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ASSEMBLER_REGISTRY", raising=False)
    assert registry_path(tmp_path) == tmp_path / "var" / "registry.sqlite3"
    monkeypatch.setenv("ASSEMBLER_REGISTRY", str(tmp_path / "env.sqlite3"))
    assert registry_path(tmp_path) == tmp_path / "env.sqlite3"
    assert registry_path(tmp_path, tmp_path / "opt.sqlite3") == tmp_path / "opt.sqlite3"
