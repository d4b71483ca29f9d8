"""What `customers show`, `customers list` and `versions` say about the agreement over time.

The rule itself is `lifecycle.version_in_force`; this module only puts its answers into the
records and lines the commands print, for one customer or all of them in bulk.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from assembler.customers.history_rows import objected_change
from assembler.customers.lifecycle import (
    customer_status,
    histories,
    notice_binds_from,
    termination_end,
    version_in_force,
)
from assembler.customers.registry import Registry
from assembler.model import Customer, HistoryEvent, InForce, Standing, Version, VersionState


def standings(registry: Registry, day: dt.date,
              customers: Sequence[Customer] | None = None) -> list[Standing]:
    """Return every customer's standing on `day`, by id, from one query per table."""
    customers = list(registry.customers()) if customers is None else customers
    names = {c.customer_id: c.company_name for c in customers}
    out = []
    for cid, history in sorted(histories(registry, customers=customers).items()):
        out.append(Standing(customer_id=cid, company_name=names[cid],
                            in_force=version_in_force(history, day),
                            status=customer_status(history, day)))
    return out


def version_states(versions: Sequence[Version], day: dt.date) -> dict[str, VersionState]:
    """Return, per released version, ``announced``, ``in_force`` or ``superseded`` on `day`.

    A version is announced until its effective date, in force from then until the next version
    takes effect, superseded after. (Which version binds a particular customer is a question for
    `version_in_force`: a customer whose notice was late is on the older one a little longer.)
    """
    released = sorted((v for v in versions if v.status == "released"), key=lambda v: v.key)
    states: dict[str, VersionState] = {}
    current = None
    for v in released:
        if v.effective > day:
            states[v.number] = "announced"
        else:
            if current is not None:
                states[current] = "superseded"
            states[v.number] = "in_force"
            current = v.number
    return states


def in_force_record(in_force: InForce | None) -> dict[str, str] | None:
    """Return the JSON form of an `InForce`: ``{version, since, basis}``."""
    if in_force is None:
        return None
    return {"version": in_force.version, "since": in_force.since.isoformat(),
            "basis": in_force.basis}


def event_record(event: HistoryEvent) -> dict[str, Any]:
    """Return the JSON form of one history event."""
    return {"kind": event.kind, "version": event.version, "on": event.on.isoformat(),
            "effective": event.effective.isoformat() if event.effective else None,
            "bounced_on": event.bounced_on.isoformat() if event.bounced_on else None,
            "evidence": event.evidence, "sha256": event.sha256 or None,
            "detail": event.detail or None, "recorded_at": event.recorded_at or None}


def history_record(customer_id: str, history: Sequence[HistoryEvent], day: dt.date) -> dict[str, Any]:
    """Return what `customers show --format json` prints: the timeline, in_force and status."""
    return {"customer_id": customer_id, "on": day.isoformat(),
            "in_force": in_force_record(version_in_force(history, day)),
            "status": customer_status(history, day),
            "timeline": [event_record(e) for e in history]}


def event_line(event: HistoryEvent) -> str:
    """Return one line of the timeline as `customers show` prints it."""
    change = objected_change(event.evidence) if event.kind == "objected" else None
    what = {"signed": f"signed {event.version}",
            "notice": f"notice of {event.version} (effective {event.effective}) reached them",
            "countersigned": f"countersigned copy of {event.version}",
            "terminated": f"termination received, ends {event.effective}",
            "objected": (f"objected to sub-processor {change} (art. 4.1)" if change
                         else f"objected to {event.version}"),
            "destroyed": "destruction statement (art. 11.1)"}[event.kind]
    # the change is named in `what` already; the evidence is where the objection is recorded
    evidence = "sub-processor notice ledger" if change else event.evidence
    extra = [f"bounced {event.bounced_on.isoformat()}: not given" if event.bounced_on else "",
             event.detail, evidence, f"sha256 {event.sha256[:12]}" if event.sha256 else ""]
    return f"{event.on.isoformat()}  {what}" + "".join(f"; {x}" for x in extra if x)


def in_force_text(in_force: InForce | None) -> str:
    """Return the in-force version as a phrase: ``1.1 since 2027-01-01 (notice)``."""
    if in_force is None:
        return "none"
    return f"{in_force.version} since {in_force.since.isoformat()} ({in_force.basis})"


def in_force_periods(history: Sequence[HistoryEvent], until: dt.date) -> list[dict[str, Any]]:
    """Return which version bound the customer from when to when, up to `until`, as records.

    Each record is ``{version, from, to, basis, evidence}`` (``to`` the last day, None while it
    still binds on `until`; ``version`` None for a time after a termination). The answers are
    `version_in_force`'s on every day the history can change them, so this never disagrees with
    `customers show --on DAY`.
    """
    days = set()
    for e in history:
        days.add(e.on)
        if e.kind == "notice" and e.effective is not None:
            days.add(notice_binds_from(e.on, e.effective))
        if e.kind == "terminated":
            days.add(termination_end(e))
    periods: list[dict[str, Any]] = []
    for day in sorted(d for d in days if d <= until):
        now = version_in_force(history, day)
        key = (now.version, now.since) if now else None
        last = periods[-1] if periods else None
        if last is not None and last["key"] == key:
            continue
        if last is None and now is None:
            continue
        if last is not None:
            last["to"] = (day - dt.timedelta(days=1)).isoformat()
        periods.append({"key": key, "version": now.version if now else None,
                        "from": (now.since if now else day).isoformat(), "to": None,
                        "basis": now.basis if now else "terminated",
                        "evidence": now.evidence if now else ""})
    for p in periods:
        del p["key"]
    return periods
