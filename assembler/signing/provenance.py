"""Where a built contract came from, checked by rebuilding it.

A contract PDF carries its provenance in its keywords (see `customers.document.read_contract_metadata`):
contract, version, commit, sha256 and customer. `check_provenance` rebuilds that contract for
that customer and compares the signed revision with the rebuild byte for byte; `locate_blocks` uses the
same rebuild to find where the signature blocks are in a PDF about to be signed.

A PDF without contract metadata is one of our other documents or a foreign one
(`document_kinds.other_provenance` says which, and checks a destruction statement against the
registry's archive).

A rebuild needs the customer in the registry (their name, address and services are part of
the text). Without it the text is not compared ("not checked"), but the SHA-256 the PDF claims
is still held against the version's pinned hash.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from assembler.agreement.project import Project
from assembler.customers.document import (
    BuiltContract,
    build_contract,
    has_padded_id,
    padded_form,
    read_contract_metadata,
)
from assembler.customers.registry import open_registry
from assembler.errors import AssemblerError, SigningError
from assembler.model import ProcessorSigning, Provenance, SignatureBox
from assembler.render.pdf_read import pdf_created
from assembler.signing.verify import compare_bytes, compare_signed


@dataclass(frozen=True)
class Claim:
    """What a PDF's metadata says it is."""

    contract: str
    version: str
    """A version number, or ``"concept"``."""
    commit: str
    """The commit the text was read from, or ``"worktree"``."""
    sha256: str
    customer_id: str
    signing: ProcessorSigning | None = None
    """What the processor's Plaats and Datum lines were filled with at signing, if anything."""
    created: dt.date | None = None
    """The creation day the PDF carries (its XMP ``CreateDate``); a rebuild is made with it."""

    @property
    def label(self) -> str:
        """Return ``verwerkersovereenkomst 1.0 for customer C-1042``."""
        return f"{self.contract} {self.version} for customer {self.customer_id}"


def read_claim(pdf: bytes) -> Claim | None:
    """Return the provenance a PDF's metadata claims, or None for a PDF we did not build."""
    try:
        meta = read_contract_metadata(pdf)
    except AssemblerError:
        return None
    if not all(meta.get(k) for k in ("contract", "version", "customer")):
        return None
    signing = None
    if meta.get("signed-on"):
        try:
            signing = ProcessorSigning(meta.get("signed-place", ""),
                                       dt.date.fromisoformat(meta["signed-on"]), meta.get("signatory", ""))
        except ValueError:
            return None
    created = pdf_created(pdf)
    return Claim(meta["contract"], meta["version"], meta.get("commit", ""), meta.get("sha256", ""),
                 meta["customer"], signing, created.date() if created else None)


def rebuild(project: Project, registry_file: Path, claim: Claim) -> BuiltContract | str:
    """Return the contract `claim` names, built afresh; or, in English, why it cannot be."""
    if claim.contract not in project.contracts():
        return f"contract {claim.contract!r} is not in this repository"
    if not registry_file.is_file():
        return f"customer {claim.customer_id} not in the registry (there is no registry at {registry_file})"
    try:
        with open_registry(registry_file) as registry:
            customer = registry.customer(claim.customer_id)
    except AssemblerError:
        return f"customer {claim.customer_id} not in the registry"
    if claim.version != "concept":
        ref = claim.version
    elif claim.commit and claim.commit != "worktree":
        ref = claim.commit
    else:
        return "a concept built from uncommitted files cannot be rebuilt"
    try:
        return build_contract(project, customer, ref, formats=("pdf",), contract=claim.contract,
                              signing=claim.signing, created=claim.created)
    except AssemblerError as exc:
        return f"cannot rebuild {claim.label}: {exc}"


def check_pin(project: Project, claim: Claim) -> str | None:
    """Return why the SHA-256 the PDF claims is not its version's pinned hash, or None when it is."""
    if claim.version == "concept":
        return None
    version = next((v for v in project.versions(claim.contract) if v.number == claim.version), None)
    if version is None:
        return f"version {claim.version} of {claim.contract} is not released in this repository"
    if version.sha256 != claim.sha256:
        return (f"the PDF says its text has SHA-256 {claim.sha256[:12]}…, but version {claim.version} "
                f"is pinned to {version.sha256[:12]}…")
    return None


def check_provenance(project: Project, registry_file: Path, signed_revision: bytes) -> Provenance:
    """Say whether the signed text is exactly the contract, version and customer it names."""
    claim = read_claim(signed_revision)
    if claim is None:
        from assembler.signing.document_kinds import other_provenance

        return other_provenance(registry_file, signed_revision)
    fields = {"contract": claim.contract, "version": claim.version, "customer_id": claim.customer_id,
              "sha256": claim.sha256}
    if claim.contract not in project.contracts():
        return Provenance("not checked", f"contract {claim.contract!r} is not in this repository",
                          **fields)
    pin_problem = check_pin(project, claim)
    if pin_problem and "not released" in pin_problem:
        return Provenance("not checked", pin_problem, **fields)
    if pin_problem:
        return Provenance("mismatch", pin_problem, **fields)
    pinned = "" if claim.version == "concept" else f"; SHA-256 {claim.sha256[:12]}… is the pinned hash"
    built = rebuild(project, registry_file, claim)
    if isinstance(built, str):
        return Provenance("not checked", f"{built}; the text was not compared{pinned}", **fields)
    difference, legacy = compare_rebuild(signed_revision, built, claim, compare_signed)
    if difference:
        return Provenance("mismatch", f"the signed file is not {claim.label}: {difference}{legacy}",
                          **fields)
    return Provenance("match", f"the signed file is byte for byte {claim.label}, rebuilt now"
                               f"{legacy}{pinned}", **fields)


LEGACY_NOTE = ("; it was built before the keywords were exact (its customer id padded with spaces "
               "inside them), so the rebuild was made in that form")
"""What a provenance result adds when the rebuild took the padded keyword form (`padded_form`)."""


def compare_rebuild(pdf: bytes, built: BuiltContract, claim: Claim,
                    compare: Callable[[bytes, bytes], str | None]) -> tuple[str | None, str]:
    """Return how `pdf` differs from the rebuild `built` (None: not at all), and a note on the form.

    A contract built before the keywords were exact carries its customer id padded with spaces
    inside the keywords, the rest of its bytes as a rebuild makes them now; such a file is
    compared with the rebuild put into that form (`customers.document.padded_form`), and the
    note says so. Only the form of the id changes: any other difference still shows.
    """
    rebuilt = built.pdf or b""
    difference = compare(pdf, rebuilt)
    if difference is None or not has_padded_id(pdf, claim.customer_id):
        return difference, ""
    padded = padded_form(rebuilt, claim.customer_id)
    if padded is None:
        return difference, ""
    return compare(pdf, padded), LEGACY_NOTE


def locate_blocks(project: Project, registry_file: Path, pdf: bytes
                  ) -> tuple[SignatureBox, SignatureBox] | str | None:
    """Return the signature blocks of one of our contracts: None for a foreign PDF, or why not.

    The boxes come from rebuilding the contract; `pdf` must be that rebuild byte for byte, so a
    signature never lands on a PDF that is not what it claims (a white box over an article
    leaves the text the same, not the bytes).
    """
    claim = read_claim(pdf)
    if claim is None:
        return None
    built = rebuild(project, registry_file, claim)
    if isinstance(built, str):
        return built
    difference, legacy = compare_rebuild(pdf, built, claim, compare_bytes)
    if difference:
        raise SigningError(f"refusing to sign: the PDF says it is {claim.label}, but it is not "
                           f"that contract as rebuilt now: {difference}{legacy}")
    if built.processor_box is None or built.customer_box is None:
        return "the contract template reports no signature blocks"
    return built.processor_box, built.customer_box
