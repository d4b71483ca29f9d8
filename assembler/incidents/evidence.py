"""What the record said when each breach notice was built: kept with the notice in the ledger.

The incident record is an editable file; the ledger is the proof. Each breach notice's ledger
row keeps, in its ``from_version`` column (a revision notice's "from" version; a breach notice
has none, its phase is in the subject), the phase, the ``detected_at`` the notice was built
from and the SHA-256 of the record file at that moment:
``initial detected_at=2027-03-27T10:00:00+01:00 record_sha256=<64 hex>``. The art. 7.1
judgement of a notice (`status.within_deadline`) reads the detection time from there, so
editing the record later cannot turn a timely notice into a late one, nor a late one timely.
Rows from before this was kept hold only the phase and are judged by the record.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from assembler.errors import IncidentError
from assembler.incidents.plan import ledger_subject
from assembler.model import PHASES, Incident, LedgerNotice, Phase
from assembler.notices.ledger import Ledger
from assembler.tomlfile import line_of

POSSIBLY_SENT = ("sent", "sending", "unknown")
"""Ledger states of a notice that was, or may have been, accepted by the customer's server."""


@dataclass(frozen=True)
class RecordedBasis:
    """What a breach notice was built from: the detection time and the record's hash."""

    detected_at: dt.datetime
    record_sha256: str


def basis_column(incident: Incident, phase: Phase) -> str:
    """Return the ``from_version`` value of a breach notice of `phase` built from `incident`."""
    return (f"{phase} detected_at={incident.detected_at.isoformat()} "
            f"record_sha256={incident.record_sha256}")


def recorded_basis(notice: LedgerNotice) -> RecordedBasis | None:
    """Return what `notice` was built from, or None for a row from before it was kept."""
    fields = dict(part.partition("=")[::2] for part in notice.from_version.split()[1:])
    if "detected_at" not in fields:
        return None
    return RecordedBasis(dt.datetime.fromisoformat(fields["detected_at"]),
                         fields.get("record_sha256", ""))


def refuse_changed_detection(incident: Incident, ledger: Ledger) -> None:
    """Raise at the record's ``detected_at`` line if it differs from what a sent notice was built from.

    Art. 7.1 counts the 48 hours from the moment of discovery, and what each customer was told
    ("die wij op … hebben ontdekt") is fixed once their server accepted the letter. A record whose
    ``detected_at`` was changed afterwards no longer describes what was notified: planning or
    building from it would contradict the letters already sent, and judging them by it would
    rewrite the evidence. So the record is refused until the time is put back; a genuinely
    different discovery time is a correction to explain to the customers, not an edit.
    """
    for phase in PHASES:
        for notice in ledger.notices(ledger_subject(incident.id, phase)):
            basis = recorded_basis(notice) if notice.state in POSSIBLY_SENT else None
            if basis is None or basis.detected_at == incident.detected_at:
                continue
            text = Path(incident.path).read_text(encoding="utf-8")
            raise IncidentError(
                incident.path, line_of(text, r"^\s*detected_at\s*=") or None,
                f"detected_at {incident.detected_at:%Y-%m-%d %H:%M} differs from the "
                f"{basis.detected_at:%Y-%m-%d %H:%M} the {phase} notice to {notice.customer_id} "
                "was sent with: once a notice is sent, the detection time is evidence; put it back")
