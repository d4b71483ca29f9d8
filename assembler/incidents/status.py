"""`incidents status`: the evidence, per customer and phase, of when each notice was accepted.

Read from the notice ledger: when the customer's server accepted each phase, whether that was
within the art. 7.1 deadline (`deadline.breach_deadline`) of the detection time the notice was
built from (`evidence`), the server's reply, and the SHA-256 of the letter, the e-mail and the
incident record exactly as they were.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from assembler.incidents.deadline import breach_deadline, by_deadline
from assembler.incidents.evidence import recorded_basis
from assembler.incidents.plan import ledger_subject
from assembler.model import PHASES, Incident
from assembler.notices.ledger import Ledger

STATUS_FIELDS = ["customer_id", "phase", "address", "state", "sent_at", "within_48h", "reply_code",
                 "reply", "message_id", "reference", "attempts", "sha256_letter", "sha256_email",
                 "detected_at", "sha256_record"]
"""The columns of `incidents status --format csv`, in order."""


def within_deadline(sent_at: str | None, detected_at: dt.datetime) -> bool | None:
    """Return whether a notice accepted at `sent_at` (ISO UTC) met art. 7.1; None if not sent.

    `detected_at` is the detection time the notice was built from (`evidence.recorded_basis`),
    not whatever the record says today.
    """
    if not sent_at:
        return None
    when = dt.datetime.fromisoformat(sent_at.replace("Z", "+00:00"))
    return by_deadline(when, breach_deadline(detected_at))


def status_rows(ledger: Ledger, incident: Incident) -> list[dict[str, Any]]:
    """Return one row per customer and phase built, by phase, then customer id."""
    rows = []
    for phase in PHASES:
        key = ledger_subject(incident.id, phase)
        for n in ledger.notices(key):
            basis = recorded_basis(n)
            detected = basis.detected_at if basis else incident.detected_at
            docs = {d.kind: d.sha256 for d in ledger.documents(key, n.customer_id)}
            rows.append({
                "customer_id": n.customer_id, "phase": phase, "address": n.address,
                "state": n.state, "sent_at": n.sent_at,
                "within_48h": within_deadline(n.sent_at, detected),
                "detected_at": detected.isoformat(),
                "reply_code": n.reply_code, "reply": n.reply, "message_id": n.message_id,
                "reference": n.reference,
                "attempts": len(ledger.deliveries(key, n.customer_id)),
                "sha256_letter": docs.get("letter", ""), "sha256_email": docs.get("email", ""),
                "sha256_record": basis.record_sha256 if basis else ""})
    return rows
