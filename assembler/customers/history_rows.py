"""Read the evidence of customers' histories from the registry in bulk: one query per table.

The history of a customer is never stored as such; it is assembled from what the registry holds
as evidence: the customer row (what they signed at import), the ledger's deliveries that the
server accepted (a notice reached them), the bounces and objections recorded against notices,
and `customer_events` (countersigned copies, terminations, destruction statements). Every loader
here reads its table once for all customers, so that `in_force_on` for 10,000 customers costs
a handful of queries, not 10,000 of them.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections import defaultdict
from collections.abc import Sequence

from assembler.db import Connection
from assembler.dutch import day_nl
from assembler.model import Customer, HistoryEvent

Histories = dict[str, list[HistoryEvent]]
"""Events by customer id."""
_OBJECTED_CHANGE = re.compile(r"^(?:objection to sub-processor|bezwaar tegen sub-verwerker) (\S+)")
"""An objection's evidence naming a sub-processor change; registries written before the evidence
was English hold the Dutch form."""


def subprocessor_objection(change_id: str) -> str:
    """Return the evidence stored for an objection to sub-processor change `change_id`."""
    return f"objection to sub-processor {change_id} (art. 4.1), sub-processor notice ledger"


def objected_change(evidence: str) -> str | None:
    """Return the sub-processor change an ``objected`` event's evidence names, else None.

    An objection against a revision notice names no change; one against a sub-processor notice
    names it (`subprocessor_objection`), so that both the English `customers show` and the Dutch
    dossier can say what the customer objected to.
    """
    found = _OBJECTED_CHANGE.search(evidence)
    return found.group(1) if found else None


@functools.lru_cache(maxsize=4096)
def _hour_day(hour_utc: str) -> dt.date:
    return day_nl(hour_utc + ":00:00Z")


def accepted_day(moment_utc: str) -> dt.date:
    """Return the Dutch day of an ISO 8601 UTC moment, remembered per hour.

    Europe/Amsterdam is a whole number of hours from UTC, so the hour decides the day; thousands
    of deliveries of one run share a few hours.
    """
    return _hour_day(moment_utc[:13])


def _where(customer_id: str | None, column: str = "customer_id") -> tuple[str, tuple[str, ...]]:
    return (f" WHERE {column} = ?", (customer_id,)) if customer_id else ("", ())


def signed_events(customers: Sequence[Customer]) -> Histories:
    """Return the ``signed`` event of each customer: the version and day of the import."""
    return {c.customer_id: [HistoryEvent(customer_id=c.customer_id, kind="signed", version=c.version,
                                         on=c.signed_on, evidence="customer registry (import)")]
            for c in customers}


Bounces = dict[tuple[str, str, str], list[tuple[str, dt.date]]]
"""(recorded_at, day) of each bounce, by (contract, version, customer id)."""


def _bounces(conn: Connection, customer_id: str | None) -> Bounces:
    where, args = _where(customer_id)
    out: Bounces = defaultdict(list)
    sql = ("SELECT contract, subject, customer_id, recorded_at, on_date FROM notice_events" + where
           + (" AND" if where else " WHERE") + " kind = 'revision' AND event = 'bounced' ORDER BY id")
    for contract, version, cid, recorded, on in conn.execute(sql, args):
        out[contract, version, cid].append((recorded, dt.date.fromisoformat(on)))
    return out


def notice_events(conn: Connection, customer_id: str | None = None) -> Histories:
    """Return a ``notice`` event per delivery the server accepted, with its bounce if any.

    The day it reached the customer is the Dutch day their server accepted it (art. 3:37 BW: a
    statement takes effect when it reaches its addressee; an accepted message has entered the
    customer's sphere). A bounce recorded at or after the delivery voids it, as in the plan.
    Deliveries of a version whose effective date the registry does not know are left out: without
    E nothing can be concluded from them. The event's effective date is the one its letter stated
    (a late letter states the customer's own date, never earlier than E), so the notice binds
    from that date at the earliest, as the customer was told. The SHA-256 is that of the e-mail
    this very transaction carried (a notice built again after a bounce has another).
    """
    effective = {(c, v): dt.date.fromisoformat(e) for c, v, e in
                 conn.execute("SELECT contract, version, effective FROM announced_versions")}
    bounces = _bounces(conn, customer_id)
    where, args = _where(customer_id, "d.customer_id")
    sql = ("SELECT d.contract, d.subject, d.customer_id, d.message_id, d.address, d.finished_at, "
           "d.reply_code, d.reply, e.sha256, d.states_effective FROM notice_deliveries d LEFT JOIN "
           "notice_delivery_documents e ON e.delivery_id = d.id AND e.document = 'email'"
           + where + (" AND" if where else " WHERE")
           + " d.kind = 'revision' AND d.outcome = 'sent' ORDER BY d.id")
    out: Histories = defaultdict(list)
    for contract, version, cid, mid, address, finished, code, reply, sha, stated in \
            conn.execute(sql, args):
        e = effective.get((contract, version))
        if e is None or finished is None:
            continue
        if stated:  # what the letter said: E, or a late letter's own (later) date
            e = max(e, dt.date.fromisoformat(stated))
        against = bounces.get((contract, version, cid)) if bounces else None
        bounced = next((on for recorded, on in against if recorded >= finished),
                       None) if against else None
        out[cid].append(HistoryEvent(
            customer_id=cid, kind="notice", version=version, on=accepted_day(finished), effective=e,
            bounced_on=bounced, evidence=f"Message-ID {mid} to {address}, accepted {finished}: "
            f"{code} {reply or ''}".strip(), sha256=sha or "", contract=contract,
            recorded_at=finished))
    return out


def objection_events(conn: Connection, customer_id: str | None = None) -> Histories:
    """Return the objections recorded against notices in the ledger."""
    where, args = _where(customer_id)
    sql = ("SELECT contract, subject, customer_id, on_date, recorded_at FROM notice_events" + where
           + (" AND" if where else " WHERE") + " kind = 'revision' AND event = 'objected' ORDER BY id")
    out: Histories = defaultdict(list)
    for contract, version, cid, on, recorded in conn.execute(sql, args):
        out[cid].append(HistoryEvent(customer_id=cid, kind="objected", version=version,
                                     on=dt.date.fromisoformat(on), evidence="notice ledger",
                                     contract=contract, recorded_at=recorded))
    return out


def stored_events(conn: Connection, customer_id: str | None = None) -> Histories:
    """Return the events stored in `customer_events` (countersigned, terminated, …)."""
    where, args = _where(customer_id)
    sql = ("SELECT customer_id, contract, kind, version, on_date, effective, evidence, sha256, "
           "detail, recorded_at FROM customer_events" + where + " ORDER BY id")
    out: Histories = defaultdict(list)
    for cid, contract, kind, version, on, effective, evidence, sha, detail, recorded in \
            conn.execute(sql, args):
        out[cid].append(HistoryEvent(
            customer_id=cid, kind=kind, version=version, on=dt.date.fromisoformat(on),
            effective=dt.date.fromisoformat(effective) if effective else None, evidence=evidence,
            sha256=sha, detail=detail, contract=contract, recorded_at=recorded))
    return out


def store_event(conn: Connection, event: HistoryEvent) -> None:
    """Insert `event` into `customer_events` (the caller holds the transaction)."""
    conn.execute("INSERT INTO customer_events (customer_id, contract, kind, version, on_date, "
                 "effective, evidence, sha256, detail, recorded_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
                 (event.customer_id, event.contract, event.kind, event.version, event.on.isoformat(),
                  event.effective.isoformat() if event.effective else None, event.evidence,
                  event.sha256, event.detail, event.recorded_at))


def store_announcement(conn: Connection, contract: str, version: str, effective: dt.date,
                       recorded_at: str) -> None:
    """Record (or correct) the effective date of a version the ledger announces."""
    conn.execute("INSERT INTO announced_versions VALUES (?,?,?,?) ON CONFLICT (contract, version) "
                 "DO UPDATE SET effective = excluded.effective WHERE effective != excluded.effective",
                 (contract, version, effective.isoformat(), recorded_at))
