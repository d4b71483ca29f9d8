"""A customer's contract: the agreement at a version, both parties, the customer's own Bijlage 1.

`contract_data` is the one description of a customer's contract that both renderers read (the
Typst template and the DOCX template), so the two formats say the same thing. Every customer value
in it is a plain string; the renderers insert strings as text only.

A PDF traces back to its exact text through its document metadata: the keywords (PDF Info
``/Keywords`` and XMP ``pdf:Keywords``, the same string) carry ``assembler:contract=…``,
``assembler:version=…``, ``assembler:commit=…``, ``assembler:sha256=…`` and
``assembler:customer=…``; `read_contract_metadata` reads them back. These are standard properties,
so the file stays PDF/A-2b as Typst wrote it, with no XMP extension schema to declare.

The metadata Typst writes comes from the customer-independent data only (see contract.typ: that is
what lets Typst reuse its layout between customers, four times faster). The customer id is
written as a fixed-width placeholder and stamped into the PDF afterwards, in place: the XMP
packet and the Info dictionary are both uncompressed text in Typst's output, the id is written
exactly and the spare width becomes white space after the string (see `stamp_customer_id`), so no
byte offset moves; a placeholder that is not found exactly twice is an error rather than a PDF
without its customer.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from assembler.agreement.annex import annex_paragraphs, customer_catalogue, service_labels
from assembler.agreement.project import Project
from assembler.dutch import AMSTERDAM, format_date_nl, today_nl
from assembler.errors import ConfigError, RenderError
from assembler.fsutil import safe_name
from assembler.model import Agreement, Customer, Paragraph, Party, ProcessorSigning, Resolved, SignatureBox
from assembler.render import typst_pdf as pdf_render
from assembler.render.text_names import text_name_nl, version_line_nl, version_phrase_nl

FORMATS = ("pdf", "docx")
"""Formats `build_contract` can produce."""
KEYWORD_PREFIX = "assembler:"
"""Prefix of the keywords that carry the contract's provenance."""
TEMPLATE = "contract.typ"
ID_WIDTH = 64
"""Longest customer id (as the import enforces); the metadata placeholder is this wide."""
ID_PLACEHOLDER = "customer-id-placeholder".ljust(ID_WIDTH, "#")


@dataclass(frozen=True)
class BuiltContract:
    """One customer's contract, rendered."""

    customer_id: str
    contract: str
    version: str
    """The version label: ``"1.0"``, or ``"concept"`` for a text that is no released version."""
    commit: str | None
    """The commit the text was read from; None for the work tree."""
    sha256: str
    """SHA-256 of the canonical text."""
    pdf: bytes | None
    """The PDF/A-2b, when ``"pdf"`` was among the formats."""
    docx: bytes | None
    """The DOCX, when ``"docx"`` was among the formats."""
    processor_box: SignatureBox | None
    """Where the processor's signature block is in the PDF (None without PDF or without boxes)."""
    customer_box: SignatureBox | None
    """Where the customer's signature block is in the PDF."""

    @property
    def stem(self) -> str:
        """Return the file name without extension: ``C-1042-verwerkersovereenkomst-1.0``."""
        return safe_name(f"{self.customer_id}-{self.contract}-{self.version}")


def _spans(paragraph: Paragraph) -> list[dict[str, str]]:
    return [{"text": s.text, "style": s.style} for s in paragraph.spans]


def _party(party: Party) -> dict[str, str]:
    return {"name": party.name, "kvk": party.kvk, "street": party.street,
            "postcode": party.postcode, "city": party.city,
            "signatory_name": party.signatory_name, "signatory_role": party.signatory_role,
            "btw_id": ""}


def _customer(customer: Customer) -> dict[str, str]:
    return {"customer_id": customer.customer_id, "name": customer.company_name,
            "company_name": customer.company_name, "kvk": customer.kvk, "street": customer.street,
            "postcode": customer.postcode, "city": customer.city,
            "signatory_name": customer.signatory_name, "signatory_role": customer.signatory_role,
            "btw_id": customer.btw_id}


def provenance(resolved: Resolved, customer_id: str) -> dict[str, str]:
    """Return the fields that trace a document back to its text."""
    return {"contract": resolved.agreement.contract, "version": resolved.label,
            "commit": resolved.commit or "worktree", "sha256": resolved.agreement.sha256,
            "customer": customer_id}


SHARED_KEYS = frozenset({"pdf_keywords", "pdf_description", "contract", "title", "version",
                         "effective", "version_line", "text_name", "version_phrase", "sha256",
                         "short_hash", "commit", "processor", "preamble", "articles"})
"""The keys of `agreement_data`: the same for every customer of a version."""


def _keywords(prov: dict[str, str]) -> list[str]:
    return [f"{KEYWORD_PREFIX}{k}={v}" for k, v in prov.items()]


def agreement_data(resolved: Resolved) -> dict[str, Any]:
    """Return the customer-independent part of the contract data (shared by every customer)."""
    a: Agreement = resolved.agreement
    version = resolved.version
    prov = provenance(resolved, ID_PLACEHOLDER)
    number = resolved.number
    return {
        "pdf_keywords": _keywords(prov),
        "pdf_description": f"{text_name_nl(a.title, number)}; tekst SHA-256 {a.sha256}",
        "contract": a.contract,
        "title": a.title,
        "version": resolved.label,
        "effective": format_date_nl(version.effective) if version else "",
        "version_line": (f"Versie {resolved.label}, geldend vanaf {format_date_nl(version.effective)}"
                         if version else version_line_nl(None)),
        # the words for the reader; "version" stays the label of file names and metadata
        "text_name": text_name_nl(a.meta.self_names[0] if a.meta.self_names else a.title, number),
        "version_phrase": version_phrase_nl(number),
        "sha256": a.sha256,
        "short_hash": a.sha256[:12],
        "commit": resolved.commit or "worktree",
        "processor": _party(a.meta.processor),
        "preamble": [_spans(p) for p in a.preamble],
        "articles": [
            {"number": art.number, "title": art.title,
             "clauses": [{"label": cl.label, "paragraphs": [_spans(p) for p in cl.paragraphs]}
                         for cl in art.clauses]}
            for art in a.articles
        ],
    }


def contract_data(resolved: Resolved, customer: Customer, shared: dict[str, Any] | None = None,
                  signing: ProcessorSigning | None = None) -> dict[str, Any]:
    """Return everything a renderer needs for one customer's contract.

    With `signing` (the contract is signed right after it is rendered) the processor's Plaats
    and Datum lines carry the place and day of that signature; otherwise they stay blank.
    """
    a = resolved.agreement
    data = dict(shared if shared is not None else agreement_data(resolved))
    catalogue = customer_catalogue(a.catalogue, customer.services)
    prov = provenance(resolved, customer.customer_id)
    data["customer"] = _customer(customer)
    data["processor_signing"] = ({"place": signing.place, "date": format_date_nl(signing.day)}
                                 if signing else {"place": "", "date": ""})
    # What was filled in travels in the metadata, so that a rebuild for verification matches.
    data["signing_keywords"] = ([f"{KEYWORD_PREFIX}signed-place={signing.place}",
                                 f"{KEYWORD_PREFIX}signed-on={signing.day.isoformat()}",
                                 f"{KEYWORD_PREFIX}signatory={signing.signatory}"] if signing else [])
    data["services"] = service_labels(a, customer)
    data["services_text"] = ", ".join(data["services"])
    data["annexes"] = [{"number": ax.number, "title": ax.title,
                        "blocks": annex_paragraphs(ax, catalogue)} for ax in a.annexes]
    data["keywords"] = _keywords(prov)
    data["description"] = (f"{text_name_nl(a.title, resolved.number)} voor klant {customer.customer_id}; "
                           f"tekst SHA-256 {a.sha256}")
    return data


def read_contract_metadata(pdf: bytes) -> dict[str, str]:
    """Return the provenance a built contract PDF carries: contract, version, commit, sha256, customer.

    Read from the XMP ``pdf:Keywords`` (else the Info ``/Keywords``, which holds the same
    string); keys that are missing are absent from the result.
    """
    from assembler.render.pdf_read import pdf_keywords

    out: dict[str, str] = {}
    for keyword in pdf_keywords(pdf):
        if keyword.startswith(KEYWORD_PREFIX) and "=" in keyword:
            key, value = keyword[len(KEYWORD_PREFIX):].split("=", 1)
            out[key] = value.strip()
    return out


def _boxes(markers: list[dict[str, Any]]) -> tuple[SignatureBox, SignatureBox]:
    """Return the processor's and the customer's signature boxes from the template's markers."""
    found = {m["who"]: m for m in markers}
    boxes = []
    for who in ("processor", "customer"):
        if who not in found:
            raise RenderError(f"{TEMPLATE}: no <sig-box> marker for the {who}")
        m = found[who]
        top = m["ph"] - m["y"]  # Typst measures from the top of the page, PDF from the bottom
        boxes.append(SignatureBox(page=int(m["page"]) - 1, x1=m["x"], y1=top - m["h"],
                                  x2=m["x"] + m["w"], y2=top))
    return boxes[0], boxes[1]


def _typst_files(data: dict[str, Any]) -> dict[str, Any]:
    return {"shared.json": {k: v for k, v in data.items() if k in SHARED_KEYS},
            "customer.json": {k: v for k, v in data.items() if k not in SHARED_KEYS}}


def stamp_customer_id(pdf: bytes, customer_id: str) -> bytes:
    """Write `customer_id` over the metadata placeholder (XMP and Info), exactly, no offset moved.

    The Info string is plain ASCII, or UTF-16 in hexadecimal when the keywords hold any other
    character (a contract id with an accent); both forms are replaced. The placeholder's spare
    width goes after the end of the string that held it (after ``</pdf:Keywords>``, after the
    Info string's ``)`` or ``>``), where PDF and XML both allow white space: the keywords say
    exactly ``assembler:customer=C-1042`` and every byte offset after them stays where it was.
    """
    if len(customer_id) > ID_WIDTH or not customer_id.isascii():
        raise RenderError(f"customer id {customer_id!r}: at most {ID_WIDTH} ASCII characters")
    forms = [(ID_PLACEHOLDER.encode("ascii"), customer_id.encode("ascii"), False),
             (ID_PLACEHOLDER.encode("utf-16-be").hex().upper().encode("ascii"),
              customer_id.encode("utf-16-be").hex().upper().encode("ascii"), True)]
    spots = sorted((at, old, new, hexed) for old, new, hexed in forms for at in _find_all(pdf, old))
    if len(spots) != 2:
        raise RenderError(f"{TEMPLATE}: expected the customer id placeholder in the XMP and the "
                          f"Info dictionary, found it {len(spots)} time(s)")
    for at, old, new, hexed in reversed(spots):  # from the end, so earlier offsets hold
        end = _string_end(pdf, at + len(old), hexed)
        pdf = pdf[:at] + new + pdf[at + len(old):end] + b" " * (len(old) - len(new)) + pdf[end:]
    return pdf


def padded_form(pdf: bytes, customer_id: str) -> bytes | None:
    """Return a contract stamped by `stamp_customer_id` as one built before the keywords were exact.

    Until then the id was written over the placeholder padded with spaces to its width
    (``assembler:customer=C-1042`` and 58 spaces, inside the string), so a contract signed then
    differs from its rebuild only there. The length is the same either way: this moves the spare
    width from after each string back to just after the id. None when the id or the spare width
    is not where `stamp_customer_id` puts them.
    """
    key = f"{KEYWORD_PREFIX}customer={customer_id}"
    forms = [(key.encode("ascii"), b" ", False),
             (key.encode("utf-16-be").hex().upper().encode("ascii"), b"0020", True)]
    spots = sorted((at + len(text), pad, hexed) for text, pad, hexed in forms
                   for at in _find_all(pdf, text))
    spare = ID_WIDTH - len(customer_id)
    if len(spots) != 2 or spare < 0:
        return None
    for at, pad, hexed in reversed(spots):  # from the end, so earlier offsets hold
        end = _string_end(pdf, at, hexed)
        width = spare * len(pad)
        if pdf[end:end + width] != b" " * width:
            return None
        pdf = pdf[:at] + pad * spare + pdf[at:end] + pdf[end + width:]
    return pdf


def has_padded_id(pdf: bytes, customer_id: str) -> bool:
    """Return whether `pdf` carries its customer id in the padded form of `padded_form`."""
    return customer_id.isascii() and \
        f"{KEYWORD_PREFIX}customer={customer_id.ljust(ID_WIDTH)}".encode("ascii") in pdf


def _find_all(data: bytes, needle: bytes) -> list[int]:
    found, at = [], data.find(needle)
    while at != -1:
        found.append(at)
        at = data.find(needle, at + 1)
    return found


def _string_end(pdf: bytes, at: int, hexed: bool) -> int:
    """Return the offset just after the XMP element or PDF string that continues at `at`."""
    if pdf.rfind(b"<x:xmpmeta", 0, at) > pdf.rfind(b"</x:xmpmeta>", 0, at):
        return pdf.index(b">", pdf.index(b"</", at)) + 1
    if hexed:
        return pdf.index(b">", at) + 1
    end = pdf.index(b")", at)
    while (end - len(pdf[:end].rstrip(b"\\"))) % 2:  # an escaped "\)" is part of the string
        end = pdf.index(b")", end + 1)
    return end + 1


def render_pdf(data: dict[str, Any], day: dt.date,
               boxes: bool = False) -> tuple[bytes, tuple[SignatureBox, SignatureBox] | None]:
    """Return the PDF/A-2b of the contract in `data`, dated `day`, and its signature boxes.

    The boxes (where the processor's and the customer's signature blocks are) only with `boxes`.
    """
    template = pdf_render.file_data_template(TEMPLATE)
    pdf, markers = template.render_and_query(_typst_files(data), pdf_render.timestamp_of(day),
                                             "sig-box" if boxes else None)
    return stamp_customer_id(pdf, data["customer"]["customer_id"]), _boxes(markers) if boxes else None


def build_contract(project: Project, customer: Customer, version_ref: str | None = None,
                   formats: Sequence[str] = FORMATS, contract: str | None = None,
                   signing: ProcessorSigning | None = None,
                   created: dt.date | None = None) -> BuiltContract:
    """Render one customer's contract at `version_ref` (default: the customer's version).

    The signature blocks are located in the PDF too (one extra Typst pass), ready for signing;
    `ContractBuilder` is the way to build without them. `created` is the creation day the
    files carry (default: `creation_day`); a rebuild passes the one the original carries.
    """
    resolved = project.resolve(version_ref or customer.version, contract)
    return build_resolved(resolved, customer, formats, True, None, signing, created)


def creation_day() -> dt.date:
    """Return the day a contract built now says it was created: today in Amsterdam.

    ``SOURCE_DATE_EPOCH`` (the reproducible-builds convention, seconds since 1970) replaces the
    clock when set, so a pipeline can build the same bytes on any day. The day is written as
    00:00 UTC (`typst_pdf.timestamp_of`), the convention of every PDF here: read in UTC or in
    Amsterdam, it is the same date. It is not a legal fact: the contract's dates (effective,
    signed) are in its text; this one only says when the file was made.
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not epoch:
        return today_nl()
    try:
        return dt.datetime.fromtimestamp(int(epoch), AMSTERDAM).date()
    except (ValueError, OverflowError, OSError) as exc:
        raise ConfigError("SOURCE_DATE_EPOCH", None, f"{epoch!r} is not a number of seconds "
                          "since 1970-01-01") from exc


class ContractBuilder:
    """Builds many customers' contracts, resolving each version and its shared data once."""

    def __init__(self, project: Project, contract: str | None = None) -> None:
        self.project = project
        self.contract = project.contract(contract)
        self.created = creation_day()
        """The creation day of every contract this builder makes (one run, one day)."""
        self._resolved: dict[str, tuple[Resolved, dict[str, Any]]] = {}

    def resolve(self, ref: str) -> tuple[Resolved, dict[str, Any]]:
        """Return the text at `ref` and its customer-independent data (memoised)."""
        if ref not in self._resolved:
            resolved = self.project.resolve(ref, self.contract)
            self._resolved[ref] = (resolved, agreement_data(resolved))
        return self._resolved[ref]

    def build(self, customer: Customer, version_ref: str | None = None,
              formats: Sequence[str] = FORMATS, boxes: bool = True,
              signing: ProcessorSigning | None = None) -> BuiltContract:
        """Render one customer's contract (see `build_contract`), all created on one day."""
        resolved, shared = self.resolve(version_ref or customer.version)
        return build_resolved(resolved, customer, formats, boxes, shared, signing, self.created)


def build_resolved(resolved: Resolved, customer: Customer, formats: Sequence[str] = FORMATS,
                   boxes: bool = True, shared: dict[str, Any] | None = None,
                   signing: ProcessorSigning | None = None,
                   created: dt.date | None = None) -> BuiltContract:
    """Render one customer's contract from an already resolved text, created on `created`."""
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise RenderError(f"unknown format {unknown[0]!r} (known: {', '.join(FORMATS)})")
    data = contract_data(resolved, customer, shared, signing)
    pdf = docx = None
    processor_box = customer_box = None
    day = created or creation_day()
    if "pdf" in formats:
        pdf, found = render_pdf(data, day, boxes)
        if found:
            processor_box, customer_box = found
    if "docx" in formats:
        from assembler.render.contract_docx import render_contract_docx

        docx = render_contract_docx(data, day)
    return BuiltContract(customer.customer_id, resolved.agreement.contract, resolved.label,
                         resolved.commit, resolved.agreement.sha256, pdf, docx,
                         processor_box, customer_box)
