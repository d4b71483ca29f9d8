"""The ledger in SQLite: what a rebuild may replace, recovery of an interrupted send, the lock."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from assembler.customers.registry import open_registry
from assembler.db import MIGRATIONS
from assembler.errors import LedgerError, LedgerLockedError
from assembler.model import LedgerNotice, NoticeDocument
from assembler.notices.ledger import BuiltRecorder, Ledger, send_lock
from assembler.notices.smtp import Delivery
from tests.conftest import ROOT

DOCS = [NoticeDocument("email", "n.eml", "a" * 64, 10)]


def notice(cid: str = "C-1", **kw: object) -> LedgerNotice:
    values: dict[str, object] = dict(
        version="1.1", customer_id=cid, from_version="1.0", reference=f"VWO-1.1-{cid}",
        address=f"{cid.lower()}@example.nl", message_id=f"<notice.1.1.{cid}@example.nl>",
        eml_path=f"build/{cid}.eml", eml_sha256="a" * 64, state="pending",
        built_at="2026-11-28T09:00:00Z")
    values.update(kw)
    return LedgerNotice(**values)  # type: ignore[arg-type]


@pytest.fixture
def ledger(tmp_path: Path) -> Ledger:
    return Ledger(open_registry(tmp_path / "registry.sqlite").connection, "verwerkersovereenkomst")


def test_the_ledger_is_a_registry_migration(tmp_path: Path) -> None:
    registry = open_registry(tmp_path / "registry.sqlite")
    ledger_script = next(i for i, script in enumerate(MIGRATIONS, 1) if "CREATE TABLE IF NOT EXISTS notices" in script.script)
    assert registry.schema_version >= ledger_script
    tables = {r[0] for r in registry.connection.execute(
        "SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"customers", "notices", "notice_documents", "notice_deliveries",
            "notice_events"} <= tables


def test_states_are_committed_one_by_one(ledger: Ledger, tmp_path: Path) -> None:
    ledger.record_built([(notice(), DOCS)])
    n = ledger.notice("1.1", "C-1")
    assert n is not None
    delivery = ledger.mark_sending(n)
    other = Ledger(sqlite3.connect(tmp_path / "registry.sqlite"), "verwerkersovereenkomst")
    assert other.notice("1.1", "C-1").state == "sending"  # type: ignore[union-attr]  # visible at once
    ledger.mark_done(n, delivery, Delivery("sent", 250, "2.0.0 Ok", 1))
    done = other.notice("1.1", "C-1")
    assert done is not None and (done.state, done.reply_code, done.reply) == ("sent", 250, "2.0.0 Ok")
    assert done.sent_at and done.sent_at.endswith("Z")


def _recorded(tmp_path: Path) -> list[str]:
    """Return the customer ids recorded, as another connection to the registry sees them."""
    other = Ledger(sqlite3.connect(tmp_path / "registry.sqlite"), "verwerkersovereenkomst")
    return [n.customer_id for n in other.notices("1.1")]


def test_a_bulk_build_records_its_notices_a_batch_at_a_time(ledger: Ledger, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from assembler.notices import ledger as ledger_module

    monkeypatch.setattr(ledger_module, "RECORD_BATCH", 2)
    recorder = BuiltRecorder(ledger, ())
    recorder.add(notice("C-1"), DOCS)
    assert _recorded(tmp_path) == []  # not yet a full batch
    recorder.add(notice("C-2"), DOCS)
    recorder.add(notice("C-3"), DOCS)
    assert _recorded(tmp_path) == ["C-1", "C-2"]  # a full batch, committed
    recorder.flush()
    assert _recorded(tmp_path) == ["C-1", "C-2", "C-3"]


def test_a_bulk_build_records_what_it_built_within_a_fifth_of_a_second(
        ledger: Ledger, tmp_path: Path) -> None:
    """A batch short of RECORD_BATCH is recorded once its first notice has waited 0.2 s: the
    recording happens while the workers build on, and the run does not end on a long one."""
    now = [100.0]
    recorder = BuiltRecorder(ledger, (), clock=lambda: now[0])
    recorder.add(notice("C-1"), DOCS)
    now[0] += 0.125
    recorder.add(notice("C-2"), DOCS)
    assert _recorded(tmp_path) == []  # C-1 has waited 0.125 s: not yet
    now[0] += 0.125
    recorder.add(notice("C-3"), DOCS)
    assert _recorded(tmp_path) == ["C-1", "C-2", "C-3"]  # 0.25 s: the batch is recorded
    now[0] += 5
    recorder.add(notice("C-4"), DOCS)  # a new batch starts its own wait
    assert _recorded(tmp_path) == ["C-1", "C-2", "C-3"]
    recorder.flush()
    assert _recorded(tmp_path) == ["C-1", "C-2", "C-3", "C-4"]


def test_a_batch_that_would_rebuild_a_sent_notice_records_none_of_it(ledger: Ledger) -> None:
    """The states of a batch are looked up at once; one notice that may not be rebuilt still
    stops the whole transaction, and the notices before it in the batch are not stored."""
    ledger.record_built([(notice("C-2"), DOCS)])
    sent = ledger.notice("1.1", "C-2")
    ledger.mark_done(sent, ledger.mark_sending(sent), Delivery("sent", 250, "ok", 1))  # type: ignore[arg-type]
    with pytest.raises(LedgerError, match="notice 1.1 for C-2 is sent; it cannot be rebuilt"):
        ledger.record_built([(notice("C-1"), DOCS), (notice("C-2"), DOCS), (notice("C-3"), DOCS)])
    assert [n.customer_id for n in ledger.notices("1.1")] == ["C-2"]
    ledger.record_built([(notice("C-1"), DOCS), (notice("C-2", address="new@example.nl"), DOCS)],
                        bounced={"C-2"})
    assert [(n.customer_id, n.state, n.address) for n in ledger.notices("1.1")] == [
        ("C-1", "pending", "c-1@example.nl"), ("C-2", "pending", "new@example.nl")]
    assert ledger.documents("1.1", "C-2") == DOCS  # the rebuilt notice's documents, once


def test_recover_marks_sending_as_unknown(ledger: Ledger) -> None:
    ledger.record_built([(notice("C-1"), DOCS), (notice("C-2"), DOCS)])
    ledger.mark_sending(ledger.notice("1.1", "C-2"))  # type: ignore[arg-type]
    assert ledger.recover("1.1") == ["C-2"]
    assert ledger.notice("1.1", "C-2").state == "unknown"  # type: ignore[union-attr]
    assert ledger.deliveries("1.1", "C-2")[0]["outcome"] == "unknown"
    assert ledger.recover("1.1") == []


def test_a_sent_notice_is_never_replaced_unless_it_bounced(ledger: Ledger) -> None:
    ledger.record_built([(notice(), DOCS)])
    n = ledger.notice("1.1", "C-1")
    ledger.mark_done(n, ledger.mark_sending(n), Delivery("sent", 250, "ok", 1))  # type: ignore[arg-type]
    with pytest.raises(LedgerError, match="notice 1.1 for C-1 is sent; it cannot be rebuilt"):
        ledger.record_built([(notice(address="new@example.nl"), DOCS)])
    assert ledger.notice("1.1", "C-1").address == "c-1@example.nl"  # type: ignore[union-attr]
    ledger.record_built([(notice(address="new@example.nl"), DOCS)], bounced={"C-1"})
    again = ledger.notice("1.1", "C-1")
    assert again is not None and (again.state, again.address) == ("pending", "new@example.nl")
    assert len(ledger.deliveries("1.1", "C-1")) == 1  # the earlier transaction stays as evidence


def test_lock_is_exclusive_and_released_by_a_dead_process(tmp_path: Path) -> None:
    db = tmp_path / "registry.sqlite"
    with send_lock(db):
        with pytest.raises(LedgerLockedError, match=r"another `notices build` or `notices send` is running \(pid \d+"):
            with send_lock(db):
                pass
    # a process that dies holding the lock leaves the file, but not the lock
    code = ("import sys, os; sys.path.insert(0, sys.argv[2]); from pathlib import Path; "
            "from assembler.notices.ledger import send_lock; "
            "cm = send_lock(Path(sys.argv[1])); cm.__enter__(); os._exit(9)")
    subprocess.run([sys.executable, "-c", code, str(db), str(ROOT)], check=False)
    assert (tmp_path / "registry.sqlite.send.lock").read_text().startswith("pid ")
    with send_lock(db):
        pass
