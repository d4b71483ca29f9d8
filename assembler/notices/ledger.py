"""The notice ledger: proof of which notice went to whom, when, with which documents (SQLite).

The tables live in the customer registry database (``sql/002_notice_ledger.sql``, one ledger for
every kind of notice since ``sql/005_notice_kinds.sql``). One row per kind, contract, subject and
customer in ``notices``, with the state machine::

    pending ──► sending ──► sent
                   │   └──► failed      (5xx, or 4xx/connection errors after every retry)
                   └──────► unknown     (found in `sending` by a later run: the sender died
                                         mid-transaction; sent again with the same Message-ID)

Every state change is committed on its own before the next SMTP step, so a killed run leaves at
most one row per sender in ``sending``. ``notice_deliveries`` keeps every SMTP transaction tried,
each 4xx retry its own row (the evidence of repeats), with the hashes of the documents it carried
in ``notice_delivery_documents`` (kept when a bounced notice is rebuilt); ``notice_documents``
holds the SHA-256 of each document of the latest build, and ``notice_events`` what happened
afterwards (bounced, objected, resolved, terminated).

`notices build` and `notices send` exclude each other, and each itself: `ledger_lock` takes the
database's exclusive lock (`db.exclusive_lock`) on ``<database>.send.lock``. A build that ran
while a send delivered could otherwise reset a delivered notice and replace its documents.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from pathlib import Path
from typing import cast

from assembler.db import Connection, exclusive_lock, transaction
from assembler.errors import LedgerError
from assembler.model import EventKind, LedgerEvent, LedgerNotice, NoticeDocument, NoticeKind
from assembler.notices.smtp import Delivery

EVENTS = ("bounced", "objected", "resolved", "terminated")


def now_utc() -> str:
    """Return the current time as ISO 8601 UTC with seconds: ``2026-11-28T09:15:02Z``."""
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


RECORD_BATCH = 500
"""Built notices a bulk build records per transaction at most (`BuiltRecorder`)."""
RECORD_SECONDS = 0.2
"""How long a built notice waits at most to be recorded while more come in (`BuiltRecorder`)."""


class BuiltRecorder:
    """Records the notices a bulk build makes in the ledger as they come in from the workers:
    a transaction (`Ledger.record_built`) per `RECORD_BATCH` notices or per `RECORD_SECONDS`,
    whichever is first, and one for the rest at the end (`flush`).

    The time bound keeps the end of a run short. Recording happens while the workers build the
    next notices, except for what is left at the end: with only a count, a run of 200 notices
    recorded all of them after the last was built, while the workers had nothing left to do
    (~30 ms; a run's first commit is its slowest). Now what is left is the last 0.2 s worth.
    """

    def __init__(self, ledger: Ledger, replaceable: Collection[str],
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.ledger = ledger
        self.replaceable = replaceable
        self._clock = clock
        self._batch: list[tuple[LedgerNotice, Sequence[NoticeDocument]]] = []
        self._since = 0.0
        """When the first notice of the batch came in."""

    def add(self, notice: LedgerNotice, documents: Sequence[NoticeDocument]) -> None:
        """Record `notice` with the next transaction, and run that one if the batch is due."""
        if not self._batch:
            self._since = self._clock()
        self._batch.append((notice, documents))
        if len(self._batch) >= RECORD_BATCH or self._clock() - self._since >= RECORD_SECONDS:
            self.flush()

    def flush(self) -> None:
        """Record every notice added and not yet recorded."""
        if self._batch:
            self.ledger.record_built(self._batch, self.replaceable)
            self._batch = []


class Ledger:
    """The notice ledger of one kind of notice of one contract, in an open registry connection.

    Every kind (revision, sub-processor, breach) shares the tables, the state machine and the send
    loop; a notice is keyed by its kind, the contract, its subject and the customer. The subject is
    what the notice announces: the version (revision), the change id (sub-processor), or the
    incident id and phase (breach). The methods' `version` is that subject.
    """

    def __init__(self, conn: Connection, contract: str, kind: NoticeKind = "revision") -> None:
        self.conn = conn
        self.contract = contract
        self.kind: NoticeKind = kind
        # Each state change is its own committed transaction; FULL makes it survive a power cut
        # too, not only a crash of this process (WAL with NORMAL would only lose the last ones).
        conn.execute("PRAGMA synchronous=FULL")

    def _key(self, *rest: object) -> tuple[object, ...]:
        """Return the query arguments of `_WHERE` (kind, contract), then `rest`."""
        return (self.kind, self.contract, *rest)

    # --- build ------------------------------------------------------------------------------

    def notice(self, version: str, customer_id: str) -> LedgerNotice | None:
        """Return the ledger row of one notice, or None."""
        row = self.conn.execute(f"SELECT {_COLUMNS} FROM notices WHERE {_WHERE} AND customer_id=?",
                                self._key(version, customer_id)).fetchone()
        return _notice(row) if row else None

    def notices(self, version: str) -> list[LedgerNotice]:
        """Return every notice of `version`, by customer id."""
        rows = self.conn.execute(f"SELECT {_COLUMNS} FROM notices WHERE {_WHERE} "
                                 "ORDER BY customer_id", self._key(version)).fetchall()
        return [_notice(r) for r in rows]

    def record_built(self, notices: Sequence[tuple[LedgerNotice, Sequence[NoticeDocument]]],
                     bounced: Collection[str] = ()) -> None:
        """Store built notices (state ``pending``) and their documents' hashes, in one transaction.

        A notice ``sending`` or ``unknown`` is never replaced (it may have gone out and must be sent
        again as it was), nor one ``sent``, unless its customer id is in `bounced`. The SMTP
        transactions already recorded stay in ``notice_deliveries`` either way.
        """
        latest = {(n.version, n.customer_id): (n, docs) for n, docs in notices}
        with transaction(self.conn) as c:
            states = self._states(c, latest)
            for key, (n, _) in latest.items():
                state = states.get(key)
                if state in ("sending", "unknown") or state == "sent" and n.customer_id not in bounced:
                    raise LedgerError(f"notice {n.version} for {n.customer_id} is {state}; "
                                      "it cannot be rebuilt")
            c.executemany(f"DELETE FROM notices WHERE {_WHERE} AND customer_id=?",
                          [self._key(*key) for key in latest if key in states])
            c.executemany("INSERT INTO notices (kind, contract, subject, customer_id, from_version, "
                          "reference, address, message_id, eml_path, eml_sha256, state, built_at, "
                          "states_effective) VALUES (?,?,?,?,?,?,?,?,?,?,'pending',?,?)",
                          [(*self._key(*key), n.from_version, n.reference, n.address, n.message_id,
                            n.eml_path, n.eml_sha256, n.built_at, _iso(n.states_effective))
                           for key, (n, _) in latest.items()])
            c.executemany("INSERT INTO notice_documents VALUES (?,?,?,?,?,?,?,?)",
                          [(*self._key(*key), d.kind, d.name, d.sha256, d.size)
                           for key, (_, docs) in latest.items() for d in docs])

    def _states(self, c: Connection, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
        """Return the stored state of each notice of `keys` (subject, customer id) that has a row.

        One query per subject and `_STATES_AT_ONCE` customers, not one per notice: a bulk build
        records its notices while its workers build the next ones, and the last batch is recorded
        after them, so its cost is the run's tail.
        """
        by_subject: dict[str, list[str]] = {}
        for subject, customer_id in keys:
            by_subject.setdefault(subject, []).append(customer_id)
        states: dict[tuple[str, str], str] = {}
        for subject, customers in by_subject.items():
            for at in range(0, len(customers), _STATES_AT_ONCE):
                part = customers[at:at + _STATES_AT_ONCE]
                rows = c.execute(f"SELECT customer_id, state FROM notices WHERE {_WHERE} AND "
                                 f"customer_id IN ({','.join('?' * len(part))})",
                                 (*self._key(subject), *part))
                states.update({(subject, customer_id): state for customer_id, state in rows})
        return states

    def documents(self, version: str, customer_id: str) -> list[NoticeDocument]:
        """Return the documents recorded for one notice."""
        rows = self.conn.execute("SELECT document, name, sha256, size FROM notice_documents WHERE "
                                 f"{_WHERE} AND customer_id=? ORDER BY document",
                                 self._key(version, customer_id)).fetchall()
        return [NoticeDocument(*r) for r in rows]

    # --- send -------------------------------------------------------------------------------

    def recover(self, version: str) -> list[str]:
        """Mark notices a dead run left in ``sending`` as ``unknown``; return their customer ids."""
        with transaction(self.conn) as c:
            ids = [r[0] for r in c.execute(
                f"SELECT customer_id FROM notices WHERE {_WHERE} AND state='sending'",
                self._key(version))]
            c.execute(f"UPDATE notices SET state='unknown' WHERE {_WHERE} AND state='sending'",
                      self._key(version))
            c.execute("UPDATE notice_deliveries SET outcome='unknown', reply='the sending process "
                      f"ended before the outcome was recorded' WHERE {_WHERE} AND outcome IS NULL",
                      self._key(version))
        return ids

    def mark_sending(self, n: LedgerNotice) -> int:
        """Commit state ``sending`` and open a delivery record; return the record's id."""
        with transaction(self.conn) as c:
            c.execute(f"UPDATE notices SET state='sending' WHERE {_WHERE} AND customer_id=?",
                      self._key(n.version, n.customer_id))
            cur = c.execute("INSERT INTO notice_deliveries (kind, contract, subject, customer_id, "
                            "message_id, address, started_at, states_effective) "
                            "VALUES (?,?,?,?,?,?,?,?)",
                            self._key(n.version, n.customer_id, n.message_id, n.address, now_utc(),
                                      _iso(n.states_effective)))
            assert cur.lastrowid is not None
            c.execute("INSERT INTO notice_delivery_documents SELECT ?, document, name, sha256, size "
                      f"FROM notice_documents WHERE {_WHERE} AND customer_id=?",
                      (cur.lastrowid, *self._key(n.version, n.customer_id)))
            return cur.lastrowid

    def mark_retry(self, n: LedgerNotice, delivery_id: int, delivery: Delivery) -> int:
        """Close the record of a transaction that failed and is tried again; return the next one's id."""
        with transaction(self.conn) as c:
            c.execute("UPDATE notice_deliveries SET finished_at=?, outcome='failed', reply_code=?, "
                      "reply=?, attempts=? WHERE id=?", (now_utc(), delivery.code, delivery.reply,
                                                         delivery.attempts, delivery_id))
        return self.mark_sending(n)

    def delivery_documents(self, version: str, customer_id: str) -> list[tuple[int, NoticeDocument]]:
        """Return (delivery id, document) for every document each transaction carried, oldest first."""
        rows = self.conn.execute(
            "SELECT d.id, e.document, e.name, e.sha256, e.size FROM notice_deliveries d JOIN "
            "notice_delivery_documents e ON e.delivery_id = d.id WHERE d.kind=? AND d.contract=? "
            "AND d.subject=? AND d.customer_id=? ORDER BY d.id, e.document",
            self._key(version, customer_id))
        return [(r[0], NoticeDocument(*r[1:])) for r in rows]

    def mark_done(self, n: LedgerNotice, delivery_id: int, delivery: Delivery) -> None:
        """Commit the outcome (``sent``, ``failed`` or ``unknown``) of one notice with the server's reply."""
        when = now_utc()
        outcome, code, reply, attempts = (delivery.outcome, delivery.code, delivery.reply,
                                          delivery.attempts)
        with transaction(self.conn) as c:
            c.execute(f"UPDATE notices SET state=?, sent_at=?, reply_code=?, reply=? WHERE {_WHERE} "
                      "AND customer_id=?", (outcome, when if outcome == "sent" else None, code, reply,
                                            *self._key(n.version, n.customer_id)))
            c.execute("UPDATE notice_deliveries SET finished_at=?, outcome=?, reply_code=?, reply=?, "
                      "attempts=? WHERE id=?", (when, outcome, code, reply, attempts, delivery_id))

    def deliveries(self, version: str, customer_id: str | None = None) -> list[dict[str, object]]:
        """Return the SMTP transactions recorded for `version` (optionally one customer)."""
        sql = ("SELECT customer_id, message_id, address, started_at, finished_at, outcome, "
               f"reply_code, reply, attempts FROM notice_deliveries WHERE {_WHERE}")
        args = list(self._key(version))
        if customer_id:
            sql += " AND customer_id=?"
            args.append(customer_id)
        cur = self.conn.execute(sql + " ORDER BY id", args)
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]

    # --- events -----------------------------------------------------------------------------

    def record_event(self, version: str, customer_id: str, event: str, on: dt.date) -> LedgerEvent:
        """Record that a notice bounced, or its customer objected, was satisfied or terminated."""
        if event not in EVENTS:
            raise ValueError(event)
        ev = LedgerEvent(customer_id=customer_id, event=cast(EventKind, event), on=on, recorded_at=now_utc())
        with transaction(self.conn) as c:
            c.execute("INSERT INTO notice_events (kind, contract, subject, customer_id, event, "
                      "on_date, recorded_at) VALUES (?,?,?,?,?,?,?)",
                      self._key(version, customer_id, event, on.isoformat(), ev.recorded_at))
        return ev

    def events(self, version: str) -> dict[str, list[LedgerEvent]]:
        """Return the events recorded for `version`, by customer id, oldest first."""
        out: dict[str, list[LedgerEvent]] = {}
        for cid, event, on, recorded in self.conn.execute(
                "SELECT customer_id, event, on_date, recorded_at FROM notice_events WHERE "
                f"{_WHERE} ORDER BY id", self._key(version)):
            out.setdefault(cid, []).append(
                LedgerEvent(customer_id=cid, event=event, on=dt.date.fromisoformat(on),
                            recorded_at=recorded))
        return out


_WHERE = "kind=? AND contract=? AND subject=?"
"""One notice kind, contract and subject; `Ledger._key` gives the arguments."""
_STATES_AT_ONCE = 500
"""Customers whose notice states one query looks up: within SQLite's 999 parameters, with the key's three."""
_COLUMNS = ("subject, customer_id, from_version, reference, address, message_id, eml_path, "
            "eml_sha256, state, built_at, sent_at, reply_code, reply, states_effective")


def _notice(row: tuple[object, ...]) -> LedgerNotice:
    """Return the notice of a row of `_COLUMNS`, its stated effective date read as a date."""
    stated = row[-1]
    return LedgerNotice(*row[:-1], dt.date.fromisoformat(str(stated)) if stated else None)  # type: ignore[arg-type, call-arg]


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


@contextlib.contextmanager
def ledger_lock(database: Path, what: str) -> Iterator[Path]:
    """Hold the ledger's one lock for `what` (a build or a send); raise if another run holds it."""
    with exclusive_lock(database.with_name(database.name + ".send.lock"),
                        "`notices build` or `notices send`", f"{now_utc()}, `{what}`") as path:
        yield path


def send_lock(database: Path) -> contextlib.AbstractContextManager[Path]:
    """Hold the ledger's lock for `notices send`."""
    return ledger_lock(database, "notices send")
