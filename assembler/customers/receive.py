"""Take in a countersigned contract: check it is ours, signed once more by the customer, and keep it.

A countersigned copy is evidence that the customer accepted a version from the day they signed
(basis ``countersigned`` in `lifecycle.version_in_force`). It is accepted only when:

- its text is the contract we built for that customer (provenance: rebuilt and compared);
- our signature (field `PROCESSOR_FIELD`) is intact, and what was changed after it is form
  filling only (pyHanko's difference analysis, `signing.pades.check_signatures`);
- exactly one further signature was added, in the customer's field `CUSTOMER_FIELD`, and it is
  intact and covers the whole file, so nothing was changed after it either;
- that signature is not the processor's own (`processor_countersigned`).

A countersignature by another person than the registry's ``signatory_name`` is taken in with a
warning (`other_signatory`).

It is then stored under the registry's ``archive/<customer>/`` (0600, in 0700 folders) with its
SHA-256, and ``countersigned`` is recorded with the signer's name and the day they signed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes

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
    warnings: tuple[str, ...] = ()
    """What the user should check although the copy was taken in (one line each)."""


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


def _normal(value: str) -> str:
    """Return `value` for comparing names: case and spacing ignored."""
    return " ".join(value.split()).casefold()


def processor_countersigned(ours: SignatureCheck, theirs: SignatureCheck,
                            configured: Sequence[x509.Certificate] = ()) -> str | None:
    """Return why the customer's countersignature was made by the processor itself, or None.

    The countersignature in the customer's field is the customer's acceptance of the version
    (basis ``countersigned`` in `lifecycle.version_in_force`): an agreement needs the consent of
    both parties (art. 6:217 BW, offer and acceptance), and art. 28(3) AVG requires a contract
    that binds the processor *with regard to the controller*. VoIP Express cannot accept its own
    offer on the customer's behalf, so a signature it made itself is no countersignature, however
    valid. It is recognised as ours when it is made with the certificate of our signature in the
    same file, with the certificate of the configured signer (``[signing] pkcs12``, `configured`),
    or with any certificate of the same organisation (subject O) as our signature's: a colleague's
    certificate of VoIP Express still speaks for VoIP Express, not for the customer.
    """
    who = theirs.signer_cn + (f" ({theirs.signer_o})" if theirs.signer_o else "")
    own = "the processor's own certificate"
    if theirs.signer_sha256 and theirs.signer_sha256 == ours.signer_sha256:
        return f"the customer's field is signed by {who}, {own}: the one of our signature in the file"
    if theirs.signer_sha256 in {c.fingerprint(hashes.SHA256()).hex() for c in configured}:
        return f"the customer's field is signed by {who}, {own}: the one of [signing] pkcs12"
    if ours.signer_o and _normal(theirs.signer_o) == _normal(ours.signer_o):
        return (f"the customer's field is signed by {who}, a certificate of our own organisation "
                f"({ours.signer_o}, as our signature's)")
    return None


def other_signatory(theirs: SignatureCheck, signatory: str, customer_id: str) -> str | None:
    """Return a warning when the countersigner is not the registry's signatory of the customer.

    Taken in all the same: a company is bound by whoever may represent it, a director under its
    articles (art. 2:130 / 2:240 BW) or someone it authorised (volmacht, art. 3:60 BW); the
    registry names who signed before, not the only person who may. Refusing would turn away a
    valid acceptance; accepting in silence would hide a signature by someone who may lack that
    authority. The names are compared ignoring case and spacing.
    """
    if not signatory or _normal(theirs.signer_cn) == _normal(signatory):
        return None
    return (f"countersigned by {theirs.signer_cn or 'an unnamed certificate'}, not by {signatory} "
            f"(the registry's signatory of {customer_id}): taken in; check that "
            f"{theirs.signer_cn or 'the signer'} may sign for the customer")


def receive_countersigned(registry: Registry, pdf: bytes, name: str, provenance: ProvenanceCheck,
                          trust_roots: list[x509.Certificate] | None = None,
                          customer_id: str | None = None,
                          own_certificates: Sequence[x509.Certificate] = ()) -> Received:
    """Check, archive and record the countersigned copy `pdf` (`name`: how to call it in errors).

    `own_certificates` are the processor's configured signing certificates: never the customer's.
    """
    # Our root applies to our field only: the customer's countersignature need not chain to it.
    result = verify_pdf(pdf, {PROCESSOR_FIELD: trust_roots} if trust_roots else {}, provenance)
    theirs = countersignature(result, name)
    ours = next(s for s in result.signatures if s.field == PROCESSOR_FIELD)
    ours_too = processor_countersigned(ours, theirs, own_certificates)
    if ours_too:
        raise _refuse(name, f"{ours_too}; only the customer can accept the agreement")
    claim = result.provenance
    if customer_id is not None and claim.customer_id != customer_id:
        raise _refuse(name, f"it is the contract of customer {claim.customer_id}, not {customer_id}")
    cid = claim.customer_id
    warning = other_signatory(theirs, registry.customer(cid).signatory_name, cid)
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
    return Received(event, path, (f"{name}: {warning}",) if warning else ())
