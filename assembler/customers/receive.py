"""Take in a countersigned contract: check it is ours, signed once more by the customer, and keep it.

A countersigned copy is evidence that the customer accepted a version from the day they signed
(basis ``countersigned`` in `lifecycle.version_in_force`). It is accepted only when:

- its text is the contract we built for that customer (provenance: rebuilt and compared);
- our signature (field `PROCESSOR_FIELD`) is intact, and what was changed after it is form
  filling only (pyHanko's difference analysis, `signing.pades.check_signatures`);
- exactly one further signature was added, in the customer's field `CUSTOMER_FIELD`, and it is
  intact and covers the whole file, so nothing was changed after it either.

It is then stored under the registry's ``archive/<customer>/`` (0600, in 0700 folders) with its
SHA-256, and ``countersigned`` is recorded with the signer's name and the day they signed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509

from assembler.customers.archive import ARCHIVED, archive_folder, safe_id
from assembler.customers.lifecycle import customer_history, record_event
from assembler.customers.registry import Registry
from assembler.dutch import AMSTERDAM
from assembler.errors import UsageError, VerifyError
from assembler.fsutil import atomic_write_bytes
from assembler.model import HistoryEvent, Provenance, SignatureCheck, VerifyResult
from assembler.signing.pades import CUSTOMER_FIELD, PROCESSOR_FIELD
from assembler.signing.verify import verify_pdf

ProvenanceCheck = Callable[[bytes], Provenance]


@dataclass(frozen=True)
class Received:
    """A countersigned copy taken in."""

    event: HistoryEvent
    path: Path
    """Where it is archived."""


def _refuse(name: str, why: str) -> VerifyError:
    return VerifyError(f"{name}: not accepted as a countersigned copy: {why}; nothing recorded")


def countersignature(result: VerifyResult, name: str) -> SignatureCheck:
    """Return the customer's signature of a verified PDF, or raise saying why it is not one."""
    by_field = {s.field: s for s in result.signatures}
    ours, theirs = by_field.get(PROCESSOR_FIELD), by_field.get(CUSTOMER_FIELD)
    if ours is None:
        raise _refuse(name, f"it has no signature of ours (field {PROCESSOR_FIELD!r})")
    if not ours.intact or not ours.valid:
        raise _refuse(name, f"our signature is broken{': ' + ours.problem if ours.problem else ''}")
    if ours.trusted is False:
        raise _refuse(name, "our signature does not chain to a trusted root")
    if theirs is None:
        raise _refuse(name, f"the customer's field {CUSTOMER_FIELD!r} is not signed")
    if set(by_field) != {PROCESSOR_FIELD, CUSTOMER_FIELD}:
        raise _refuse(name, f"it has {len(by_field)} signatures; exactly one may be added to ours")
    if not theirs.intact or not theirs.valid or theirs.coverage != "whole file":
        raise _refuse(name, "the customer's signature is broken or does not cover the whole file")
    if ours.later_changes != "form filling" or not ours.changes_allowed:
        raise _refuse(name, f"after our signature more changed than the customer's signature: "
                            f"{ours.later_changes}")
    if result.provenance.status != "match":
        raise _refuse(name, f"its text is not a contract we built: {result.provenance.detail}")
    return theirs


def receive_countersigned(registry: Registry, pdf: bytes, name: str, provenance: ProvenanceCheck,
                          trust_roots: list[x509.Certificate] | None = None,
                          customer_id: str | None = None) -> Received:
    """Check, archive and record the countersigned copy `pdf` (`name`: how to call it in errors)."""
    # Our root applies to our field only: the customer's countersignature need not chain to it.
    result = verify_pdf(pdf, {PROCESSOR_FIELD: trust_roots} if trust_roots else {}, provenance)
    theirs = countersignature(result, name)
    claim = result.provenance
    if customer_id is not None and claim.customer_id != customer_id:
        raise _refuse(name, f"it is the contract of customer {claim.customer_id}, not {customer_id}")
    cid = claim.customer_id
    digest = hashlib.sha256(pdf).hexdigest()
    if any(e.kind == "countersigned" and e.sha256 == digest for e in customer_history(registry, cid)):
        raise UsageError(f"{name}: this countersigned copy of {cid} was received before "
                         f"(sha256 {digest[:12]}…)")
    moment = theirs.timestamp.time if theirs.timestamp else theirs.signing_time
    if moment is None:
        raise _refuse(name, "the customer's signature carries no signing time")
    name_ = f"{safe_id(cid)}-{claim.contract}-{claim.version}-countersigned-{digest[:12]}.pdf"
    path = archive_folder(registry, cid) / name_
    atomic_write_bytes(path, pdf, mode=0o600)
    event = HistoryEvent(
        customer_id=cid, kind="countersigned", version=claim.version,
        on=moment.astimezone(AMSTERDAM).date(), evidence=f"{ARCHIVED}{path.name}",
        sha256=digest, detail=f"signed by {theirs.signer_cn or 'unknown'} at "
        f"{moment.astimezone(AMSTERDAM).isoformat(timespec='seconds')}", contract=claim.contract)
    try:
        record_event(registry, cid, event)
    except BaseException:
        path.unlink(missing_ok=True)  # nothing half-kept: no record, no file
        raise
    return Received(event, path)
