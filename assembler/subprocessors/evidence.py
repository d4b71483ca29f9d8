"""`subprocessors status`: the evidence of a change's notices, per customer."""

from __future__ import annotations

from assembler.notices.ledger import Ledger

EVIDENCE_FIELDS = ["customer_id", "address", "state", "sent_at", "reply_code", "reply", "message_id",
                   "reference", "attempts", "events", "sha256_letter", "sha256_list", "sha256_email"]


def notice_evidence(ledger: Ledger, change_id: str) -> list[dict[str, object]]:
    """Return per customer what was sent for `change_id`, when, the reply, hashes and what followed."""
    events = ledger.events(change_id)
    rows: list[dict[str, object]] = []
    for n in ledger.notices(change_id):
        docs = {d.kind: d.sha256 for d in ledger.documents(change_id, n.customer_id)}
        rows.append({
            "customer_id": n.customer_id, "address": n.address, "state": n.state,
            "sent_at": n.sent_at, "reply_code": n.reply_code, "reply": n.reply,
            "message_id": n.message_id, "reference": n.reference,
            "attempts": len(ledger.deliveries(change_id, n.customer_id)),
            "events": "; ".join(f"{e.event} {e.on.isoformat()}" for e in events.get(n.customer_id, [])),
            "sha256_letter": docs.get("letter", ""), "sha256_list": docs.get("list", ""),
            "sha256_email": docs.get("email", "")})
    return rows
