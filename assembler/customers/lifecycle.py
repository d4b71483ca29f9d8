"""Each customer's agreement over time: which version binds whom, from when, and on what evidence.

The history of a customer is derived from evidence (`history_rows`): what they signed at import,
the notices their server accepted, countersigned copies, terminations. `version_in_force` is the
one rule that turns a history into the version that binds on a day; everything that needs to know
"which text binds this customer" (plan, build, send, `customers show/list`, the sub-processor and
breach notices) asks it, through `customer_history`/`version_in_force` for one customer or
`in_force_on` for all of them at once.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace

from assembler.customers import history_rows as rows
from assembler.customers.registry import Registry
from assembler.db import DatabaseError
from assembler.dutch import today_nl
from assembler.errors import RegistryError, UsageError
from assembler.model import (
    Customer,
    CustomerStatus,
    HistoryEvent,
    InForce,
    NoticeKind,
    OwedNotice,
    version_key,
)
from assembler.terms import earliest_effective

ONE_DAY = dt.timedelta(days=1)
_STORED_KINDS = ("countersigned", "terminated", "objected", "destroyed")
"""Kinds `record_event` stores; ``signed`` comes from the import and ``notice`` from the ledger."""


@functools.lru_cache(maxsize=4096)
def notice_binds_from(received: dt.date, effective: dt.date) -> dt.date:
    """Return the first day a revision notice that reached the customer on `received` binds them.

    On time (``received + 1 month < E``, `notices.deadline.notice_is_on_time`) it binds from the
    version's effective date E. A late notice is not void: art. 11.2 only guarantees the customer
    one month, so it binds from the first day their own notice allows, which is
    `earliest_effective` of the day of receipt with no delivery buffer (receipt + 1 calendar
    month + 1 day). Both cases are the later of the two days.
    """
    return max(effective, earliest_effective(received, buffer_days=0))


def stated_effective(sent: dt.date, effective: dt.date, buffer_days: int) -> dt.date:
    """Return the effective date the letter of a revision notice sent on `sent` states.

    The letter is written before anyone knows the day it will reach the customer, so it counts
    that day as the plan does: `buffer_days` after sending (``[notices] email_buffer_days``,
    the days an e-mail may take to count as received). On time, that is E itself; late, it is
    the first day the customer's own notice allows (`notice_binds_from` of that day: receipt +
    1 calendar month + 1 day, art. 11.2 "minimaal één maand van tevoren"), which is also the
    earliest effective date the plan names for notices sent that day
    (`terms.earliest_effective`). One rule, so the letter, the plan's warning and the send
    agree on one date.
    """
    return notice_binds_from(sent + dt.timedelta(days=buffer_days), effective)


def _binding(event: HistoryEvent) -> dt.date | None:
    """Return the first day `event` binds its version, or None when it binds nothing."""
    if event.kind in ("signed", "countersigned"):
        return event.on
    if event.kind == "notice" and event.bounced_on is None and event.effective is not None:
        return notice_binds_from(event.on, event.effective)
    return None


def termination_end(event: HistoryEvent) -> dt.date:
    """Return the first day after a termination on which no version binds.

    Art. 11.2 lets the customer terminate daily ("dagelijks opzeggen") and art. 4.2 sets the
    notice period at one day ("een opzegtermijn van 1 (één) dag"): a termination received on D
    ends the agreement at the start of D + 1 unless the customer named a later day. A termination
    takes effect when it reaches us (art. 3:37 BW), hence the day it was received.
    """
    return event.effective or event.on + ONE_DAY


def version_in_force(history: Sequence[HistoryEvent], day: dt.date) -> InForce | None:
    """Return the version that binds the customer of `history` on `day`, or None when none does.

    The rules, applied to the events in the order of the day each takes effect:

    - Signing (the import's ``signed_on``, or a countersigned copy) binds the signed version from
      the day of signing.
    - A revision notice binds its version when it reached the customer (accepted by their server,
      art. 3:37 BW) and no bounce was recorded against it: from its effective date E when it was
      in time under art. 11.2 ("minimaal één maand van tevoren", `notices/deadline.py`), else from
      the first day the customer's own notice allows (`notice_binds_from`). A bounced notice, or
      none at all, leaves the customer on the version they had.
    - A notice moves a customer forward only: once 1.2 binds, a late 1.1 notice whose own date
      comes after it changes nothing. A notice binds nobody who has no agreement (yet, or any more).
    - A termination (art. 11.2 "dagelijks opzeggen", art. 4.2 one day's notice) ends the agreement
      at `termination_end`; from then on no version binds, until the customer signs again.
    """
    current: InForce | None = None
    for start, _, event in _steps(history):
        if start > day:
            break
        if event.kind == "terminated":
            current = None
        elif event.kind == "notice" and current is None:
            continue
        elif current is None or version_key(event.version) > version_key(current.version):
            current = InForce(version=event.version, since=start, basis=event.kind,  # type: ignore[arg-type]
                              evidence=event.evidence)
    return current


def _steps(history: Sequence[HistoryEvent]) -> list[tuple[dt.date, int, HistoryEvent]]:
    """Return (day it takes effect, order, event) of each event that changes what binds, in order.

    A termination ending on a day sorts before a signature of that day, so that signing again
    the day the old agreement ends binds.
    """
    steps: list[tuple[dt.date, int, HistoryEvent]] = []
    for event in history:
        if event.kind == "terminated":
            steps.append((termination_end(event), 0, event))
        elif (start := _binding(event)) is not None:
            steps.append((start, 1, event))
    steps.sort(key=lambda s: (s[0], s[1], version_key(s[2].version or "0")))
    return steps


def owed_notice(history: Sequence[HistoryEvent], first: dt.date, last: dt.date | None = None,
                kind: NoticeKind = "revision") -> OwedNotice | None:
    """Return why the customer of `history` is owed a `kind` notice about `first`..`last`, or None.

    One rule for every notice we send: a notice is owed to a customer whose agreement runs on a
    day the notice is about (basis ``agreement``). What "runs" means is `version_in_force`: from
    signing until the end of a termination (`termination_end`), so a customer whose termination
    is still running ("terminating") is owed it when their end comes after that day.

    - A revision (art. 11.2): the day the new version takes effect for the customer (E, or the
      date a late letter states, `stated_effective`). A customer whose agreement still runs then
      comes under the new text and must have had a month to weigh it, whatever they have said
      about leaving later on; one whose agreement ends before it never comes under it.
    - A sub-processor (art. 4.1, GDPR art. 28(2)): the day it may start processing
      (`effective`). Only a customer whose data it may then process can object to it.
    - A breach (art. 7.1, GDPR art. 33(2)): every day from the breach's start to its detection.
      The duty concerns the customer's data, not the agreement: a customer whose agreement ran
      at any time while the breach went on is told, even when it has ended since. And after the
      agreement ends we still hold their data until we destroy it (art. 11.1: "Na afloop
      vernietigt Verwerker de persoonsgegevens"; the destruction statement records the day as
      ``destroyed``), and holding is processing (GDPR art. 4(2) "opslaan"); a breach in that
      time touches their data just the same, and the controller needs the notice for its own
      art. 33/34 duties (basis ``data_held``). So a customer whose agreement had ended before
      the breach began is owed it unless their data were destroyed before its first day. The
      statement says the data were destroyed "uiterlijk op" its day, so on that day they may
      still have been there: a breach beginning that day is owed.
    """
    end = last or first
    days = {first} | {start for start, _, _ in _steps(history) if first < start <= end}
    if any(version_in_force(history, day) is not None for day in days):
        return OwedNotice("agreement")
    # No agreement ran in the window, so the last one that ended did so before it, if any did.
    ended = max((termination_end(e) for e in history
                 if e.kind == "terminated" and termination_end(e) <= end), default=None)
    if kind != "breach" or ended is None or version_in_force(history, ended - ONE_DAY) is None:
        return None
    destroyed = min((e.on for e in history if e.kind == "destroyed" and e.on >= ended),
                    default=None)
    if destroyed is not None and destroyed < first:
        return None
    return OwedNotice("data_held", ended=ended, destroyed=destroyed)


def customer_status(history: Sequence[HistoryEvent], day: dt.date) -> CustomerStatus:
    """Return ``terminated`` once a termination has ended the agreement, ``terminating`` between
    its receipt and its end, and ``active`` otherwise."""
    ends = [e for e in history if e.kind == "terminated" and e.on <= day]
    if not ends:
        return "active"
    last = max(ends, key=termination_end)
    if termination_end(last) > day:
        return "terminating"
    return "terminated" if version_in_force(history, day) is None else "active"


def _sorted(events: Iterable[HistoryEvent]) -> list[HistoryEvent]:
    return sorted(events, key=lambda e: (e.on, e.recorded_at))


def histories(registry: Registry, customer_id: str | None = None,
              customers: Sequence[Customer] | None = None) -> dict[str, list[HistoryEvent]]:
    """Return the history of every customer (or of one), oldest first, from one query per table.

    `customers` saves reading the customers table again when the caller has read it already.
    """
    conn = registry.connection
    if customers is None:
        customers = [registry.customer(customer_id)] if customer_id else list(registry.customers())
    out = rows.signed_events(customers)
    try:
        for loaded in (rows.notice_events(conn, customer_id), rows.objection_events(conn, customer_id),
                       rows.stored_events(conn, customer_id)):
            for cid, events in loaded.items():
                if cid in out:
                    out[cid].extend(events)
    except DatabaseError as exc:
        raise RegistryError(f"{registry.path}: cannot read customer histories: {exc}") from exc
    return {cid: _sorted(events) for cid, events in out.items()}


def customer_history(registry: Registry, customer_id: str) -> list[HistoryEvent]:
    """Return one customer's history, oldest first; raise `UnknownCustomerError` for an unknown id."""
    return histories(registry, customer_id)[customer_id]


def in_force_on(registry: Registry, day: dt.date,
                customers: Sequence[Customer] | None = None) -> dict[str, InForce]:
    """Return the version in force on `day` of every customer bound then, by customer id.

    `customers`, every customer of the registry when the caller has read them already, saves
    reading the customers table again (a tenth of a second for 10,000).
    """
    out = {}
    for cid, history in histories(registry, customers=customers).items():
        if (in_force := version_in_force(history, day)) is not None:
            out[cid] = in_force
    return out


def owed_customers(registry: Registry, first: dt.date, last: dt.date | None = None,
                   customer_ids: Iterable[str] | None = None,
                   customers: Sequence[Customer] | None = None,
                   kind: NoticeKind = "revision") -> dict[str, OwedNotice]:
    """Return the customers (among `customer_ids`, or all) owed a `kind` notice, each with why.

    The rule is `owed_notice`. `customers`, every customer of the registry when the caller has
    read them already, saves reading the customers table again (as in `in_force_on`).
    """
    wanted = None if customer_ids is None else set(customer_ids)
    out = {}
    for cid, history in histories(registry, customers=customers).items():
        if (wanted is None or cid in wanted) and (
                owed := owed_notice(history, first, last, kind)) is not None:
            out[cid] = owed
    return out


def record_event(registry: Registry, customer_id: str, event: HistoryEvent) -> None:
    """Store `event` in `customer_id`'s history after checking it can be true (see `recording`)."""
    with recording(registry, customer_id, event):
        pass


@contextlib.contextmanager
def recording(registry: Registry, customer_id: str,
              event: HistoryEvent) -> Iterator[list[HistoryEvent]]:
    """Check `event`, then store it in one write transaction with whatever the block does.

    ``signed`` and ``notice`` are not stored here: they are derived from the import and from the
    notice ledger. No event may lie in the future (Europe/Amsterdam) or precede the customer's
    signature. The block receives the customer's stored events as they are inside the
    transaction (IMMEDIATE: no other writer can add one until it ends), so a rule such as "only
    once" checked there cannot be outrun by a second run; when the block raises, nothing is stored.
    """
    if event.customer_id != customer_id:
        raise UsageError(f"event for {event.customer_id} recorded against {customer_id}")
    if event.kind not in _STORED_KINDS:
        raise UsageError(f"a {event.kind!r} event is derived from its evidence, not recorded")
    signed = registry.customer(customer_id).signed_on
    if event.on > today_nl():
        raise UsageError(f"{customer_id}: {event.kind} on {event.on.isoformat()} lies in the future")
    if event.on < signed:
        raise UsageError(f"{customer_id}: {event.kind} on {event.on.isoformat()} is before the "
                         f"agreement was signed ({signed.isoformat()})")
    stamped = event if event.recorded_at else replace(event, recorded_at=_now_utc())
    try:
        with registry.transaction() as conn:
            yield rows.stored_events(conn, customer_id).get(customer_id, [])
            rows.store_event(conn, stamped)
    except DatabaseError as exc:
        raise RegistryError(f"{registry.path}: cannot record the event: {exc}") from exc


def record_termination(registry: Registry, customer_id: str, *, received: dt.date,
                       effective: dt.date | None = None, reason: str = "") -> HistoryEvent:
    """Record that `customer_id` terminated, received on `received`, ending at `effective`.

    `effective` defaults to the day after receipt (art. 4.2: one day's notice) and cannot be
    earlier; a customer who has terminated already cannot terminate again. That is asked inside
    the write transaction that stores the termination (`recording`), on the history as it is
    there, so of two runs at the same moment one records and the other is refused.
    """
    end = effective or received + ONE_DAY
    if end <= received:
        raise UsageError(f"{customer_id}: the termination received on {received.isoformat()} "
                         f"cannot end on {end.isoformat()}; art. 4.2 gives one day's notice, so "
                         f"{(received + ONE_DAY).isoformat()} at the earliest")
    in_force = version_in_force(customer_history(registry, customer_id), received)
    event = HistoryEvent(customer_id=customer_id, kind="terminated",
                         version=in_force.version if in_force else "", on=received, effective=end,
                         evidence="the customer's termination, as received", detail=reason,
                         recorded_at=_now_utc())
    with recording(registry, customer_id, event):
        # the registry's connection is the transaction's: this reads what no writer can change now
        history = customer_history(registry, customer_id)
        if customer_status(history, max(received, today_nl())) != "active":
            raise UsageError(f"{customer_id} has terminated already; see `assembler customers "
                             f"show {customer_id}`")
    return event


def record_announcement(registry: Registry, contract: str, version: str, effective: dt.date) -> None:
    """Record the effective date of a version whose notices the ledger holds.

    The ledger proves when a notice reached a customer; whether it binds them and from when also
    depends on the version's effective date, which is kept beside it for that reason.
    """
    try:
        with registry.transaction() as conn:
            rows.store_announcement(conn, contract, version, effective, _now_utc())
    except DatabaseError as exc:
        raise RegistryError(f"{registry.path}: cannot record version {version}: {exc}") from exc


def _now_utc() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

