"""What a PDF that is not a contract is, by its metadata; and the provenance of a destruction statement.

assembler makes more PDFs than contracts: the destruction statement (art. 11.1), the notice
letters (revision, sub-processor, breach), the sub-processor list, the published version texts,
redlines and the dossier index. Only a contract carries the keywords a rebuild needs (contract,
version, commit, SHA-256, customer); the others are told apart by the title and keywords their
templates write, so that `verify` can say what a file is instead of calling it foreign.

A destruction statement is not rebuilt (it is dated by the clock of the day it was issued and
made once), but it is archived with its SHA-256 when it is issued (`customers.destruction`):
its provenance is that record. The file is the statement the registry records when its signed
revision is byte for byte the archived statement, or the archived statement signed afterwards
(one incremental update, as `assembler sign` adds).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from assembler.customers.archive import ARCHIVED, customer_archive
from assembler.customers.destruction import TITLE as STATEMENT_TITLE
from assembler.customers.lifecycle import customer_history
from assembler.customers.registry import open_registry
from assembler.errors import AssemblerError, RenderError
from assembler.model import PdfKind, Provenance
from assembler.render.pdf_read import pdf_keywords, pdf_title
from assembler.signing.verify import compare_signed

_BY_TITLE: tuple[tuple[PdfKind, re.Pattern[str]], ...] = (
    ("destruction statement", re.compile(re.escape(STATEMENT_TITLE) + "$")),
    ("dossier index", re.compile(r"Dossier .+ \S+$")),
    ("revision notice letter", re.compile(r"Wijziging .+ per .+ \(versie [^)]+\)$")),
    ("breach notice letter", re.compile(r".*datalek .+, kenmerk \S+$")),
    ("sub-processor notice letter", re.compile(r".*sub-verwerker.*", re.IGNORECASE)),
    ("redline", re.compile(r".+: wijzigingen .+ → .+$")),
)
"""Titles our templates write, most specific first (the sub-processor list goes by its keywords)."""


@dataclass(frozen=True)
class Identified:
    """What kind of our PDFs a file says it is."""

    kind: PdfKind
    title: str
    """Its title, as its metadata gives it."""
    customer_id: str = ""
    """The customer it names, where its keywords do (destruction statement, dossier index)."""
    version: str = ""
    """The agreement's version it names (``versie 1.0``), if any."""


def identify(pdf: bytes) -> Identified | None:
    """Return what kind of our non-contract PDFs `pdf` is by its title and keywords, or None."""
    try:
        title, keywords = pdf_title(pdf), pdf_keywords(pdf)
    except RenderError:
        return None
    customer = next((k[len("klant "):] for k in keywords if k.startswith("klant ")), "")
    version = next((k[len("versie "):] for k in keywords if k.startswith("versie ")), "")
    if any(k.startswith("assembler:register-sha256=") for k in keywords):
        return Identified("sub-processor list", title)
    if any(k.startswith("sha256=") for k in keywords) and version:
        return Identified("version text", title, version=version)
    for kind, pattern in _BY_TITLE:
        if pattern.match(title):
            if kind == "dossier index" and keywords[1:2] == ["dossier"]:
                customer = keywords[0]
            return Identified(kind, title, customer, version)
    return None


def other_provenance(registry_file: Path, signed_revision: bytes) -> Provenance:
    """Say what a PDF without contract metadata is and, for a destruction statement, check it."""
    found = identify(signed_revision)
    if found is None:
        return Provenance("not checked", "the PDF's metadata names no contract, version and customer, "
                          "so there is nothing to rebuild it from (provenance is checked for contracts "
                          "and destruction statements)")
    if found.kind != "destruction statement" or not found.customer_id:
        return Provenance("not checked", f"a {found.kind} ({found.title!r}), by its metadata; provenance "
                          "is checked for contracts and destruction statements only")
    return statement_provenance(registry_file, signed_revision, found)


def statement_provenance(registry_file: Path, signed_revision: bytes, found: Identified) -> Provenance:
    """Say whether `signed_revision` is the destruction statement the registry records for its customer."""
    cid = found.customer_id
    fields = {"version": found.version, "customer_id": cid,
              "sha256": hashlib.sha256(signed_revision).hexdigest()}
    what = f"a destruction statement of customer {cid}"
    if not registry_file.is_file():
        return Provenance("not checked", f"{what}; there is no registry at {registry_file} to hold it "
                          "against", **fields)
    try:
        with open_registry(registry_file) as registry:
            issued = [e for e in customer_history(registry, cid) if e.kind == "destroyed"]
    except AssemblerError:
        return Provenance("not checked", f"{what}, but {cid} is not in the registry", **fields)
    if not issued:
        return Provenance("not checked", f"{what}, but the registry {registry_file} records none "
                          f"for {cid}", **fields)
    for event in issued:
        name = event.evidence.removeprefix(ARCHIVED)
        said = (f"the destruction statement of {cid} issued on {event.on.isoformat()}, archived as "
                f"{name} (sha256 {event.sha256[:12]}…)")
        if fields["sha256"] == event.sha256:
            return Provenance("match", f"the signed file is byte for byte {said}", **fields)
        archived = customer_archive(registry_file, cid) / name
        if archived.is_file() and compare_signed(signed_revision, archived.read_bytes()) is None:
            return Provenance("match", f"the signed file is {said}, signed afterwards", **fields)
    event = issued[-1]
    return Provenance("mismatch", f"{what}, but not the one the registry records (issued on "
                      f"{event.on.isoformat()}, sha256 {event.sha256[:12]}…): the data are destroyed "
                      "once and that statement is its evidence", **fields)
