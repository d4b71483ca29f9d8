"""The Dutch text of a dossier's ``index.pdf``, made from its ``index.json`` and nothing else.

A judge or auditor reads ``index.pdf``; a script reads ``index.json``. Both say the same because
the PDF's data are derived here from the very index that is written as JSON: the customer, which
version bound them from when and why, the timeline, every file with its full SHA-256, every SMTP
transaction with the server's reply and the time, the events recorded against notices, and the
destruction statement when there is one.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from assembler.customers.archive import ARCHIVED
from assembler.customers.history_rows import objected_change
from assembler.dutch import AMSTERDAM, format_date_nl
from assembler.model import HistoryEvent

STATUS = {"active": "actief", "terminating": "opgezegd; de overeenkomst loopt nog tot het einde",
          "terminated": "beëindigd"}
BASIS = {"signed": "ondertekening", "notice": "mededeling van de herziening (art. 11.2)",
         "countersigned": "tegengetekend exemplaar", "terminated": "opzegging: geen versie meer"}
NOTICE_KIND = {"revision": "herziening (art. 11.2)", "subprocessor": "sub-verwerker (art. 4.1)",
               "breach": "datalek (art. 7)"}
OUTCOME = {"sent": "aanvaard door de server van de ontvanger", "failed": "niet aanvaard",
           "unknown": "uitkomst onbekend (verzending onderbroken)", None: "nog bezig"}
NOTICE_EVENT = {"bounced": "onbestelbaar gemeld", "objected": "bezwaar gemaakt",
                "resolved": "bezwaar afgehandeld", "terminated": "opgezegd"}
_MESSAGE_ID = re.compile(r"<[^<>\s]+>")


def _day(day: str | dt.date | None) -> str:
    if isinstance(day, str):
        day = dt.date.fromisoformat(day)
    return format_date_nl(day) if day else ""


def moment_nl(iso_utc: str | None) -> str:
    """Return an ISO 8601 UTC moment as Dutch local time: ``28 november 2026, 11:00:03``."""
    if not iso_utc:
        return ""
    local = dt.datetime.fromisoformat(iso_utc.replace("Z", "+00:00")).astimezone(AMSTERDAM)
    return f"{format_date_nl(local.date())}, {local:%H:%M:%S}"


def _bounced_notice(e: HistoryEvent, sent_at: str | None) -> str:
    """Return what happened to a notice that was accepted and then reported undeliverable.

    It did not reach the customer (a bounce recorded after acceptance voids it, as in
    `version_in_force`), so it is not called received: the sentence gives the facts in the order
    they happened, each with its time from the ledger.
    """
    accepted = moment_nl(e.recorded_at)
    sent = (f"verzonden op {moment_nl(sent_at)}, door de server van de ontvanger aanvaard op "
            f"{accepted}" if sent_at else
            f"verzonden en door de server van de ontvanger aanvaard op {accepted}")
    return (f"Mededeling van versie {e.version} (ingangsdatum {_day(e.effective)}) {sent}; "
            f"daarna als onbestelbaar gemeld op {_day(e.bounced_on)}: geldt niet als gedaan")


def _what(e: HistoryEvent, sent_at: str | None = None) -> str:
    """Return what happened, as the timeline of ``index.pdf`` says it.

    `sent_at` is the moment the SMTP transaction of a notice began (ISO 8601 UTC), when known.
    """
    v = e.version
    if e.kind == "notice" and e.bounced_on is not None:
        return _bounced_notice(e, sent_at)
    change = objected_change(e.evidence) if e.kind == "objected" else None
    return {
        "signed": f"Overeenkomst versie {v} ondertekend",
        "notice": f"Mededeling van versie {v} ontvangen (ingangsdatum {_day(e.effective)})",
        "countersigned": f"Tegengetekend exemplaar van versie {v} ontvangen",
        "terminated": f"Opzegging ontvangen; geen versie meer met ingang van {_day(e.effective)}",
        "objected": (f"Bezwaar tegen sub-verwerker {change} (art. 4.1)" if change
                     else f"Bezwaar tegen versie {v}"),
        "destroyed": "Verklaring van vernietiging afgegeven (art. 11.1)",
    }[e.kind]


def evidence_nl(kind: str, evidence: str, detail: str = "") -> str:
    """Return the evidence of an event of `kind` in Dutch, from the registry's record of it.

    The registry keeps its evidence as the operator reads it (`customers show`); an auditor reads
    the dossier, so it names the same evidence in Dutch: the Message-ID of a notice, the dossier
    file of an archived document, the customer's own reason for a termination.
    """
    if kind == "signed":
        return "klantregister (import)"
    if kind == "notice":
        found = _MESSAGE_ID.search(evidence)
        return f"e-mail {found.group(0)}, aanvaard door de server van de ontvanger" if found else \
            "registratie van de verzending"
    if evidence.startswith(ARCHIVED):
        return f"bestand {kind}/{evidence.removeprefix(ARCHIVED)}"
    if kind == "terminated":
        return f"reden: {detail}" if detail else "opzegging zoals ontvangen"
    if kind == "objected":
        return "vastgelegd bij de mededeling waartegen het bezwaar zich richt"
    return evidence


def timeline_record(e: HistoryEvent,
                    sent_at: dict[tuple[str, str], str] | None = None) -> dict[str, Any]:
    """Return one history event as ``index.json`` holds it: facts as fields, words in Dutch.

    ``kind`` is a label (see the README); ``what`` and ``evidence`` are the sentences
    ``index.pdf`` prints. What a script needs from the registry's evidence is a field of its own:
    the dossier ``file`` of an archived document, the ``message_id`` of a notice, the customer's
    ``reason`` for a termination. `sent_at` gives, per (Message-ID, moment the server accepted
    it), when that SMTP transaction began.
    """
    found = _MESSAGE_ID.search(e.evidence) if e.kind == "notice" else None
    began = (sent_at or {}).get((found.group(0), e.recorded_at)) if found else None
    record: dict[str, Any] = {
        "kind": e.kind, "version": e.version, "on": e.on.isoformat(),
        "effective": e.effective.isoformat() if e.effective else None,
        "bounced_on": e.bounced_on.isoformat() if e.bounced_on else None,
        "what": _what(e, began), "evidence": evidence_nl(e.kind, e.evidence, e.detail),
        "sha256": e.sha256 or None, "recorded_at": e.recorded_at or None}
    if e.evidence.startswith(ARCHIVED):
        record["file"] = f"{e.kind}/{e.evidence.removeprefix(ARCHIVED)}"
    if found:
        record["message_id"] = found.group(0)
    if e.kind == "terminated" and e.detail:
        record["reason"] = e.detail
    return record


def _event_row(e: dict[str, Any]) -> dict[str, Any]:
    """Return one timeline event of the index as a row of the PDF: day, what, its evidence."""
    sha = e["sha256"] or ""
    # a SHA-256 has no break opportunity: two halves on two lines fit the column whole
    return {"day": _day(e["on"]), "what": e["what"], "evidence": e["evidence"],
            "sha256": [sha[:32], sha[32:]] if sha else []}


def _period(p: dict[str, Any]) -> dict[str, str]:
    until = _day(p["to"]) if p["to"] else "heden"  # the column is "Tot en met" already
    version = f"versie {p['version']}" if p["version"] else "geen (overeenkomst beëindigd)"
    return {"from": _day(p["from"]), "to": until, "version": version, "basis": BASIS[p["basis"]]}


def _delivery(d: dict[str, Any]) -> dict[str, str]:
    reply = f"{d['reply_code']} {d['reply'] or ''}".strip() if d["reply_code"] else (d["reply"] or "")
    return {"what": f"{NOTICE_KIND.get(d['kind'], d['kind'])}: {d['subject']}",
            "to": d["address"], "at": moment_nl(d["finished_at"] or d["started_at"]),
            "outcome": OUTCOME.get(d["outcome"], str(d["outcome"])), "reply": reply,
            "message_id": d["message_id"], "file": d.get("email_file") or "",
            "sha256": d.get("email_sha256") or ""}


def index_pdf_data(index: dict[str, Any]) -> dict[str, Any]:
    """Return the JSON the ``dossier_index.typ`` template reads, from a dossier's index."""
    made = _day(index["made_on"])
    now = index["in_force"]
    in_force = (f"versie {now['version']} sinds {_day(now['since'])} ({BASIS[now['basis']]})"
                if now else "geen versie")
    destroyed = [e for e in index["timeline"] if e["kind"] == "destroyed"]
    return {
        "title": f"Dossier Verwerkersovereenkomst {index['customer_id']}",
        "customer": index["company_name"], "customer_id": index["customer_id"], "made_on": made,
        "in_force": in_force, "status": STATUS[index["status"]],
        "intro": ("Dit overzicht beschrijft welke versie van de Verwerkersovereenkomst deze klant "
                  "wanneer bond en op grond waarvan, en welke documenten de klant bereikten. Elk "
                  "bestand staat in deze map; de SHA-256 erachter kan iedereen narekenen. "
                  "index.json bevat dezelfde gegevens in machineleesbare vorm."),
        "periods": [_period(p) for p in index["in_force_periods"]],
        "timeline": [_event_row(e) for e in index["timeline"]],
        "deliveries": [_delivery(d) for d in index["deliveries"]],
        "notice_events": [{"day": _day(e["on"]), "what": f"{NOTICE_KIND.get(e['kind'], e['kind'])}: "
                           f"{e['subject']}", "event": NOTICE_EVENT.get(e["event"], e["event"])}
                          for e in index["notice_events"]],
        "files": [{"name": f["name"], "sha256": f["sha256"],
                   "check": "" if f["matches_record"] else
                   f"wijkt af van de registratie ({f['recorded_sha256']})"} for f in index["files"]],
        "missing": [{"name": m["name"], "sha256": m["recorded_sha256"]} for m in index["missing"]],
        "destroyed": (f"Op {_day(destroyed[-1]['on'])} is de verklaring van vernietiging "
                      f"(art. 11.1) afgegeven; zie de bestanden onder destroyed/."
                      if destroyed else "Er is (nog) geen verklaring van vernietiging afgegeven."),
        "footer": f"Dossier {index['customer_id']} · opgemaakt op {made}",
    }
