"""One ledger for every kind of notice: the revision rows survive the migration, kinds stay apart,
and the send loop delivers any kind over real SMTP."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

from assembler.customers.registry import open_registry
from assembler.db import MIGRATIONS, migrate, open_database
from assembler.model import LedgerNotice, NoticeDocument
from assembler.model.notices import sha256
from assembler.notices.ledger import Ledger
from assembler.notices.send import SendRequest, send_notices
from assembler.notices.smtp import SmtpSettings
from tests.notices.conftest import SENDER

CONTRACT = "verwerkersovereenkomst"


def notice(subject: str, cid: str, eml: str = "build/n.eml", sha: str = "a" * 64) -> LedgerNotice:
    return LedgerNotice(
        version=subject, customer_id=cid, from_version="", reference=f"SUB-{subject}-{cid}",
        address=f"{cid.lower()}@example.nl", message_id=f"<{subject}.{cid}@example.nl>",
        eml_path=eml, eml_sha256=sha, state="pending", built_at="2026-11-28T09:00:00Z")


def test_revision_rows_survive_the_migration_to_kinds(tmp_path: Path) -> None:
    path = tmp_path / "registry.sqlite"
    conn = open_database(path)
    conn.close()
    old = sqlite3.connect(path, isolation_level=None)
    old.execute("PRAGMA user_version = 0")
    for table in ("notice_documents", "notice_deliveries", "notice_events", "notices", "customers",
                  "schema_migrations"):
        old.execute(f"DROP TABLE IF EXISTS {table}")
    ledger_script = next(i for i, s in enumerate(MIGRATIONS, 1) if "CREATE TABLE IF NOT EXISTS notices" in s.script)
    migrate(old, MIGRATIONS[:ledger_script])
    old.execute("INSERT INTO notices VALUES ('verwerkersovereenkomst','1.1','C-1','1.0','VWO-1.1-C-1',"
                "'c-1@example.nl','<m1@example.nl>','build/x.eml','" + "b" * 64 + "','sent',"
                "'2026-11-28T09:00:00Z','2026-11-28T09:01:00Z',250,'ok')")
    old.execute("INSERT INTO notice_documents VALUES ('verwerkersovereenkomst','1.1','C-1','letter',"
                "'l.pdf','" + "c" * 64 + "',12)")
    old.execute("INSERT INTO notice_deliveries (contract, version, customer_id, message_id, address, "
                "started_at, outcome) VALUES ('verwerkersovereenkomst','1.1','C-1','<m1@example.nl>',"
                "'c-1@example.nl','2026-11-28T09:00:30Z','sent')")
    old.execute("INSERT INTO notice_events (contract, version, customer_id, event, on_date, "
                "recorded_at) VALUES ('verwerkersovereenkomst','1.1','C-1','objected','2026-12-02',"
                "'2026-12-02T10:00:00Z')")
    old.close()

    ledger = Ledger(open_registry(path).connection, CONTRACT)
    n = ledger.notice("1.1", "C-1")
    assert n is not None and (n.state, n.reply_code, n.eml_sha256) == ("sent", 250, "b" * 64)
    assert ledger.documents("1.1", "C-1") == [NoticeDocument("letter", "l.pdf", "c" * 64, 12)]
    assert [d["outcome"] for d in ledger.deliveries("1.1", "C-1")] == ["sent"]
    assert [e.event for e in ledger.events("1.1")["C-1"]] == ["objected"]
    assert Ledger(ledger.conn, CONTRACT, "subprocessor").notice("1.1", "C-1") is None


def test_kinds_share_the_tables_but_not_their_notices(tmp_path: Path) -> None:
    conn = open_registry(tmp_path / "registry.sqlite").connection
    revision, sub = Ledger(conn, CONTRACT), Ledger(conn, CONTRACT, "subprocessor")
    revision.record_built([(notice("1.1", "C-1"), [])])
    sub.record_built([(LedgerNotice(**{**notice("1.1", "C-1").__dict__,
                                       "message_id": "<other@example.nl>"}), [])])
    sub.record_event("1.1", "C-1", "resolved", dt.date(2026, 12, 3))
    assert [n.message_id for n in revision.notices("1.1")] == ["<1.1.C-1@example.nl>"]
    assert [n.message_id for n in sub.notices("1.1")] == ["<other@example.nl>"]
    assert revision.events("1.1") == {}
    assert [e.event for e in sub.events("1.1")["C-1"]] == ["resolved"]


def test_the_send_loop_delivers_a_subprocessor_notice(tmp_path: Path, smtp) -> None:
    controller, handler = smtp
    database = tmp_path / "registry.sqlite"
    eml = b"From: privacy@example.nl\r\nTo: c-1@example.nl\r\nSubject: Nieuwe sub-verwerker\r\n\r\nTest\r\n"
    (tmp_path / "n.eml").write_bytes(eml)
    ledger = Ledger(open_registry(database).connection, CONTRACT, "subprocessor")
    ledger.record_built([(notice("2027-01-hosting", "C-1", "n.eml", sha256(eml)), [])])
    settings = SmtpSettings("127.0.0.1", controller.port, "none", SENDER, rate=0, backoff=0.01)
    summary = send_notices(tmp_path, database, ledger, SendRequest("2027-01-hosting", settings))
    assert summary.sent == ["C-1"]
    assert [m.rcpt_tos for m in handler.received] == [["c-1@example.nl"]]
    assert ledger.notice("2027-01-hosting", "C-1").state == "sent"  # type: ignore[union-attr]
    assert Ledger(ledger.conn, CONTRACT).notices("2027-01-hosting") == []
