"""`subprocessors record`: what a customer did after a sub-processor notice, in ledger and history.

Every outcome goes into the notice ledger (kind ``subprocessor``). An objection is also stored in
the customer's history (the lifecycle reads only revision notices from the ledger), against the
version in force that day; a termination under art. 4.2 goes through the lifecycle's termination
(one day's notice), after an objection that found no solution. The history event and the ledger
event are stored in one registry transaction (`record_outcome`): a crash or a failed write
between them leaves neither.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from assembler.customers.history_rows import subprocessor_objection
from assembler.customers.lifecycle import (
    customer_history,
    record_event,
    record_termination,
    version_in_force,
)
from assembler.customers.registry import Registry
from assembler.db import DatabaseError
from assembler.dutch import day_nl
from assembler.errors import RegistryError, UsageError
from assembler.model import HistoryEvent, LedgerEvent
from assembler.notices.dating import check_event_day
from assembler.notices.ledger import Ledger

Outcome = Literal["objected", "resolved", "terminated"]
"""What a customer did after a sub-processor notice."""


def record_outcome(registry: Registry, ledger: Ledger, change_id: str, customer_id: str,
                   outcome: Outcome, on: dt.date) -> tuple[LedgerEvent, bool]:
    """Record `outcome` of `customer_id`'s notice of `change_id` on `on`; return it and whether new.

    Art. 4.1 gives the customer the chance to object; art. 4.2: a reasonable objection is
    followed by a search for a solution (``resolved`` when one is found) and, when none is, the
    customer may terminate with one day's notice. So an outcome follows a notice that was sent
    and is dated neither in the future nor before it went out (`check_event_day`);
    ``resolved`` and ``terminated`` need an objection first and are not dated before it, and
    nothing can follow a termination. The same outcome on the same day is one fact: recorded
    again, it is returned as it is (new = False), not stored twice.
    """
    notice = ledger.notice(change_id, customer_id)
    if notice is None:
        raise UsageError(f"no sub-processor notice of {change_id} for customer {customer_id!r} in "
                         "the ledger")
    if notice.state != "sent" or notice.sent_at is None:
        raise UsageError(f"the notice of {change_id} for {customer_id} was not sent "
                         f"({notice.state}); nothing can have followed it")
    check_event_day(on, day_nl(notice.sent_at), f"the notice of {change_id} for {customer_id}")
    try:
        with registry.transaction():
            return _store_outcome(registry, ledger, change_id, customer_id, outcome, on)
    except DatabaseError as exc:
        raise RegistryError(f"{registry.path}: cannot record {customer_id}'s {outcome} of "
                            f"{change_id}: {exc}; nothing was stored") from exc


def _store_outcome(registry: Registry, ledger: Ledger, change_id: str, customer_id: str,
                   outcome: Outcome, on: dt.date) -> tuple[LedgerEvent, bool]:
    """Check `outcome` against what is stored and store it: the body of `record_outcome`'s transaction.

    It runs inside one write transaction (IMMEDIATE: no other writer until it ends), so the
    history event (an objection, a termination) and the ledger event are stored together or not
    at all, and a second run at the same moment sees this one's outcome, not the state before it.
    """
    before = ledger.events(change_id).get(customer_id, [])
    same = next((e for e in before if e.event == outcome and e.on == on), None)
    if same is not None:
        return same, False
    _check_order(before, change_id, customer_id, outcome, on)
    if outcome == "objected":
        in_force = version_in_force(customer_history(registry, customer_id), on)
        record_event(registry, customer_id, HistoryEvent(
            customer_id=customer_id, kind="objected", version=in_force.version if in_force else "",
            on=on, evidence=subprocessor_objection(change_id),
            contract=ledger.contract))
    elif outcome == "terminated":
        record_termination(registry, customer_id, received=on,
                           reason=f"art. 4.2: bezwaar tegen sub-verwerker {change_id} zonder "
                                  "werkbare oplossing")
    return ledger.record_event(change_id, customer_id, outcome, on), True


def _check_order(before: list[LedgerEvent], change_id: str, customer_id: str, outcome: Outcome,
                 on: dt.date) -> None:
    """Refuse an outcome that cannot follow `before` (see `record_outcome`)."""
    if any(e.event == "terminated" for e in before):
        raise UsageError(f"{customer_id} terminated over {change_id} already")
    if outcome == "objected":
        return
    objections = [e.on for e in before if e.event == "objected"]
    if not objections:
        raise UsageError(f"{customer_id} has not objected to {change_id}; record --objected first")
    if on < objections[-1]:
        raise UsageError(f"--on {on.isoformat()} is before {customer_id}'s objection to "
                         f"{change_id} ({objections[-1].isoformat()})")
