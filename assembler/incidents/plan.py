"""`incidents plan`: who is affected by a breach, the art. 7.1 deadline, and who is notified.

A customer is affected when they are owed a notice of the breach (their agreement ran, or it had
ended and we still held their data, on some day from its start to its detection: `breach_days`
and `customers.lifecycle.owed_notice`) and
they are named in the record, use an affected service, or, when the record names no service, use
a service an affected data category applies to (the Bijlage 1 rule, `agreement.annex.applies_to`:
the categories the customer's own Bijlage 1 lists are exactly the data we process for them); see
`affected_reason`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from assembler.agreement.annex import applies_to
from assembler.db import Connection
from assembler.incidents.deadline import breach_deadline, by_deadline, hours_left
from assembler.model import (
    BreachRow,
    BreachStatus,
    Catalogue,
    Customer,
    Incident,
    LedgerNotice,
    OwedNotice,
    Phase,
)
from assembler.notices.ledger import Ledger


def ledger_subject(incident_id: str, phase: Phase) -> str:
    """Return the subject a breach notice is filed under in the ledger: ``<id>/<phase>``.

    The ledger keys a notice by kind (here ``breach``), contract, subject and customer, so each
    phase of an incident is proved on its own and sent by the same loop.
    """
    return f"{incident_id}/{phase}"


def breach_ledger(conn: Connection, contract: str) -> Ledger:
    """Return the notice ledger's breach notices of `contract`."""
    return Ledger(conn, contract, kind="breach")


def breach_days(incident: Incident) -> tuple[dt.date, dt.date]:
    """Return the first and last day a breach notice is about: from its start to its detection.

    The start is `occurred_from` when known, else the day of detection. Art. 7.1 and GDPR
    art. 33(2) make us tell the customer of a breach of the data we process for them, so what
    counts is whether their agreement ran, or we still held their data, while the breach went
    on, not whether it runs when the notice goes out (`customers.lifecycle.owed_notice`).
    """
    detected = incident.detected_at.date()
    start = incident.occurred_from.date() if incident.occurred_from else detected
    return min(start, detected), detected


@dataclass(frozen=True)
class BreachPlan:
    """Who must be told of one incident, by when, and where each stands."""

    incident: Incident
    deadline: dt.datetime
    """Detected at + 48 hours, on the clock or elapsed, whichever ends first (`breach_deadline`)."""
    now: dt.datetime
    rows: tuple[BreachRow, ...]

    @property
    def hours_left(self) -> float:
        """Return the real hours until the deadline (negative once passed)."""
        return hours_left(self.deadline, self.now)

    @property
    def overdue(self) -> list[BreachRow]:
        """Return the affected customers not yet notified although the deadline has passed."""
        return [r for r in self.rows if r.status == "overdue"]

    def counts(self) -> dict[str, int]:
        """Return how many affected customers have each status."""
        out = {s: 0 for s in ("on_time", "overdue", "notified", "notified_late")}
        for r in self.rows:
            out[r.status] += 1
        return out


def affected_reason(incident: Incident, customer: Customer, catalogue: Catalogue) -> str:
    """Return why `customer` is affected by `incident` (in English), or "" when not.

    Art. 7.1 obliges us to tell every customer whose personal data the breach concerns, and only
    them: a notice to a customer whose data were not touched alarms them and makes them judge a
    breach that is not theirs (GDPR art. 33). The record says where the breach happened
    (`services`, or the `customers` named) and what it concerned (`categories`, the Bijlage 1
    vocabulary, for art. 7.3 (I)). A customer is affected when named, or when they use an
    affected service. The categories choose customers only when the record names no service: a
    breach known only by the data it exposed (a file of call history, its source unknown) then
    reaches every customer whose Bijlage 1 lists such data for a service they use
    (`annex.applies_to`). With a service named, the categories describe what leaked there and do
    not widen the circle: in version 1.0 every category applies to every service, so a leak of
    call recordings that exposed phone numbers would otherwise reach every customer.
    """
    if customer.customer_id in incident.customers:
        return "named in the record"
    services = sorted(set(incident.services) & set(customer.services))
    if services:
        return f"uses {', '.join(services)}"
    if incident.services:
        return ""
    items = {i.id: i for i in catalogue.data_categories}
    categories = [c for c in incident.categories if c in items
                  and applies_to(items[c], customer.services)]
    if categories:
        return f"data category {', '.join(categories)}"
    return ""


def _status(notice: LedgerNotice | None, deadline: dt.datetime, now: dt.datetime) -> BreachRow:
    sent = notice.sent_at if notice and notice.state == "sent" else None
    status: BreachStatus
    if sent:
        when = dt.datetime.fromisoformat(sent.replace("Z", "+00:00"))
        status = "notified" if by_deadline(when, deadline) else "notified_late"
    else:
        status = "on_time" if by_deadline(now, deadline) else "overdue"
    return BreachRow("", "", "", status, sent)


def held_reason(owed: OwedNotice) -> str:
    """Return what the plan adds to the reason of a customer owed the notice for holding their data.

    Empty while their agreement ran in the breach window; otherwise the day it ended and whether
    their data are destroyed since (`customers.lifecycle.owed_notice`, basis ``data_held``).
    """
    if owed.basis != "data_held" or owed.ended is None:
        return ""
    until = f"destroyed on {owed.destroyed.isoformat()}" if owed.destroyed else "destroyed"
    return f"agreement ended on {owed.ended.isoformat()}; data held until {until}"


def plan_incident(incident: Incident, customers: Iterable[Customer], catalogue: Catalogue,
                  ledger: Ledger, now: dt.datetime, bound: Mapping[str, OwedNotice]) -> BreachPlan:
    """Return the plan of `incident` as of `now` (aware), over the registry's `customers`.

    `bound` are the customers owed a notice of it, with why (`breach_days`,
    `customers.lifecycle.owed_customers` with kind ``breach``): a customer who signed later, or
    whose data were destroyed before the breach began, was not ours to tell.
    """
    deadline = breach_deadline(incident.detected_at)
    sent = {n.customer_id: n for n in ledger.notices(ledger_subject(incident.id, "initial"))}
    rows = []
    for c in customers:
        reason = affected_reason(incident, c, catalogue)
        owed = bound.get(c.customer_id)
        if not reason or owed is None:
            continue
        reason = "; ".join(x for x in (reason, held_reason(owed)) if x)
        base = _status(sent.get(c.customer_id), deadline, now)
        ended = owed.ended if owed.basis == "data_held" else None
        rows.append(BreachRow(c.customer_id, c.company_name, reason, base.status, base.sent_at,
                              ended))
    rows.sort(key=lambda r: r.customer_id)
    return BreachPlan(incident, deadline, now, tuple(rows))
