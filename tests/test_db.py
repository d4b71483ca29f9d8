"""The registry's transactions: one is all or nothing, also when steps with their own are joined."""

from __future__ import annotations

from pathlib import Path

import pytest

from assembler.db import open_database, transaction


def _names(path: Path) -> list[str]:
    conn = open_database(path)
    try:
        return [r[0] for r in conn.execute("SELECT name FROM t ORDER BY name")]
    finally:
        conn.close()


def test_a_transaction_inside_another_is_stored_or_undone_with_it(tmp_path: Path) -> None:
    path = tmp_path / "registry.sqlite3"
    conn = open_database(path)
    conn.execute("CREATE TABLE t (name TEXT)")
    with transaction(conn):
        conn.execute("INSERT INTO t VALUES ('outer')")
        with pytest.raises(RuntimeError), transaction(conn):
            conn.execute("INSERT INTO t VALUES ('failed step')")
            raise RuntimeError
        with transaction(conn):  # a step that succeeds is kept, and committed by the outer one
            conn.execute("INSERT INTO t VALUES ('step')")
        assert _names(path) == []  # another connection sees nothing before the outer commit
    assert _names(path) == ["outer", "step"]
    with pytest.raises(RuntimeError), transaction(conn):
        with transaction(conn):
            conn.execute("INSERT INTO t VALUES ('joined')")
        raise RuntimeError  # the outer transaction fails after its step succeeded: neither stays
    assert _names(path) == ["outer", "step"]
    assert not conn.in_transaction
    conn.close()
