"""`customers destruction-statement`: the art. 11.1 "verklaring van vernietiging" of a customer.

Art. 11.1: "Na afloop vernietigt Verwerker de persoonsgegevens van Verwerkingsverantwoordelijke
[…]. Verwerker levert op eerste verzoek van Verwerkingsverantwoordelijke een verklaring dat de
persoonsgegevens vernietigd zijn." The statement is issued only once the agreement has ended
(status ``terminated``), names what was destroyed from the customer's own Bijlage 1 (their
services and the categories of personal data and data subjects those services process, in the
text of the version that last bound them), is dated by the real clock (Europe/Amsterdam), is
made by the processor's signatory from the contract metadata, and quotes art. 11.1 from that
version's text. It is archived beside the registry and recorded in the history as
``destroyed`` with its SHA-256; a second statement is refused, because the data can be destroyed
only once and the first statement is the evidence of it (a copy comes from the archive or the
dossier).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assembler.agreement.annex import customer_catalogue
from assembler.customers.archive import ARCHIVED, archive_folder, safe_id
from assembler.customers.lifecycle import (
    customer_history,
    customer_status,
    recording,
    termination_end,
)
from assembler.customers.registry import Registry
from assembler.dutch import format_date_nl
from assembler.errors import LifecycleError
from assembler.fsutil import atomic_write_bytes
from assembler.model import Agreement, Customer, HistoryEvent, SignatureBox
from assembler.render.destruction_pdf import render_destruction_statement

ARTICLE = "11.1"
"""The clause that obliges the statement."""
TITLE = "Verklaring van vernietiging van persoonsgegevens"
Signer = Callable[[bytes, SignatureBox], bytes]
"""Signs the statement's PDF in its signature box (the CLI passes the processor's PAdES signer)."""


@dataclass(frozen=True)
class Statement:
    """A destruction statement as issued: where it is archived and what the history recorded."""

    pdf: bytes
    path: Path
    """The archived copy under ``archive/<customer>/``."""
    event: HistoryEvent
    signed: bool


def termination_of(history: Sequence[HistoryEvent], customer_id: str, today: dt.date) -> HistoryEvent:
    """Return the termination that ended the agreement, or raise why no statement can be made yet.

    A statement is due "na afloop" (art. 11.1): only after the agreement ended, and only once
    (`refuse_second`).
    """
    refuse_second(history, customer_id)
    status = customer_status(history, today)
    ends = [e for e in history if e.kind == "terminated"]
    if status == "terminating":
        end = termination_end(max(ends, key=termination_end))
        raise LifecycleError(f"{customer_id}: the agreement ends on {end.isoformat()}; art. 11.1 "
                             "allows the destruction statement only after it has ended")
    if status != "terminated" or not ends:
        raise LifecycleError(f"{customer_id} has not terminated the agreement; art. 11.1 allows a "
                             "destruction statement only after it has ended (`customers terminate`)")
    return max(ends, key=termination_end)


def refuse_second(history: Sequence[HistoryEvent], customer_id: str) -> None:
    """Raise when `history` holds a destruction statement already.

    The data are destroyed once (art. 11.1), so the first statement is the evidence of it and a
    second would date the destruction twice. `issue_statement` asks this again inside the
    transaction that records the new one, so two runs at the same moment cannot both record.
    """
    done = [e for e in history if e.kind == "destroyed"]
    if done:
        raise LifecycleError(f"{customer_id}: a destruction statement was issued on "
                             f"{done[-1].on.isoformat()} ({done[-1].evidence}); the data are "
                             "destroyed once: take that statement from the archive or the dossier")


def _labels(agreement: Agreement, customer: Customer) -> dict[str, list[str]]:
    """Return the Dutch labels of what the customer's Bijlage 1 covers: services, data, subjects."""
    own = customer_catalogue(agreement.catalogue, customer.services)
    return {"services": [s.label for s in own.services] or ["geen"],
            "categories": [i.label for i in own.data_categories] or ["geen"],
            "subjects": [i.label for i in own.data_subjects] or ["geen"]}


def statement_data(agreement: Agreement, customer: Customer, termination: HistoryEvent,
                   today: dt.date) -> dict[str, Any]:
    """Return the JSON the template reads: the Dutch text of the statement."""
    meta, p = agreement.meta, agreement.meta.processor
    clause = agreement.clause(ARTICLE)
    article = (f"{clause.label} " + " ".join(clause.text.split())) if clause else ""
    version = termination.version or "onbekend"
    end = termination_end(termination)
    signatory = ", ".join(x for x in (p.signatory_name, p.signatory_role) if x)
    legal = f"{p.name} ({meta.legal_name})" if meta.legal_name and meta.legal_name not in p.name else p.name
    labels = _labels(agreement, customer)
    return {
        "title": TITLE, "processor": p.name, "processor_legal": legal,
        "keywords": [agreement.title, f"versie {version}", f"klant {customer.customer_id}",
                     f"artikel {ARTICLE}"],
        "sender_lines": [p.street, f"{p.postcode} {p.city}", f"KvK {p.kvk}", p.email],
        "customer": customer.company_name, "customer_id": customer.customer_id,
        "agreement": f"{agreement.title}, versie {version}",
        "ended": format_date_nl(end),
        "date": format_date_nl(today),
        "reference": f"VVN-{customer.customer_id}-{today.isoformat()}",
        "basis": [
            f"Verwerkingsverantwoordelijke heeft de Verwerkersovereenkomst opgezegd. De opzegging is "
            f"ontvangen op {format_date_nl(termination.on)}; met ingang van {format_date_nl(end)} "
            f"is de Verwerkersovereenkomst geëindigd.",
            f"Artikel {ARTICLE} van de Verwerkersovereenkomst (versie {version}) bepaalt:"],
        "article": article,
        "statement": [
            f"{legal} verklaart hierbij als Verwerker dat zij de persoonsgegevens die zij onder de "
            f"Verwerkersovereenkomst voor {customer.company_name} verwerkte, uiterlijk op "
            f"{format_date_nl(today)} heeft vernietigd, overeenkomstig artikel {ARTICLE}.",
            "Het betreft de persoonsgegevens die Bijlage 1 bij de Verwerkersovereenkomst noemt "
            "voor de diensten die Verwerkingsverantwoordelijke afnam."],
        "destroyed": [{"label": "Diensten:", "items": labels["services"]},
                      {"label": "Persoonsgegevens:", "items": labels["categories"]},
                      {"label": "Betrokkenen:", "items": labels["subjects"]}],
        "closing": "Aldus naar waarheid verklaard.",
        "signatory": signatory,
        "place_date": f"{p.city}, {format_date_nl(today)}",
        "footer": f"{p.name} · KvK {p.kvk} · {TITLE} · {customer.customer_id}",
    }


def issue_statement(registry: Registry, agreement_of: Callable[[str], Agreement],
                    customer_id: str, today: dt.date, sign: Signer | None = None) -> Statement:
    """Make, archive and record the destruction statement of `customer_id`; see the module text.

    `agreement_of(version)` returns the text of a version (the one that bound the customer last).
    Nothing is archived or recorded when the customer's history does not allow the statement.
    The check that none was issued is repeated inside the transaction that records this one, and
    the file is archived only after it passed: a run that loses a race to another archives
    nothing (and cannot remove the winner's file, which may carry the same name); the archived
    file is removed again when the event cannot be recorded.
    """
    history = customer_history(registry, customer_id)
    termination = termination_of(history, customer_id, today)
    customer = registry.customer(customer_id)
    agreement = agreement_of(termination.version or customer.version)
    pdf, box = render_destruction_statement(statement_data(agreement, customer, termination, today),
                                            today)
    if sign is not None:
        pdf = sign(pdf, box)
    digest = hashlib.sha256(pdf).hexdigest()
    name = f"{safe_id(customer_id)}-verklaring-van-vernietiging-{today.isoformat()}-{digest[:12]}.pdf"
    path = archive_folder(registry, customer_id) / name
    event = HistoryEvent(customer_id=customer_id, kind="destroyed", version=termination.version,
                         on=today, evidence=f"{ARCHIVED}{name}", sha256=digest,
                         detail=f"art. {ARTICLE}; {'signed' if sign else 'unsigned'}",
                         contract=agreement.meta.id)
    archived = False
    try:
        with recording(registry, customer_id, event) as stored:
            refuse_second(stored, customer_id)
            atomic_write_bytes(path, pdf, mode=0o600)
            archived = True
    except BaseException:
        if archived:
            path.unlink(missing_ok=True)  # nothing half-kept: no record, no file
        raise
    return Statement(pdf=pdf, path=path, event=event, signed=sign is not None)
