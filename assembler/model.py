"""The model at the hub: frozen dataclasses that every reader produces and every writer consumes.

Nothing here imports from the rest of the package. Readers (`clauses.py`, `versions.py`, the
registry) build these objects; renderers, lint, diff and the notices read them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

# --- text -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """Where an element was read from."""

    path: str
    """Path relative to the project root, e.g. ``contracts/verwerkersovereenkomst/07-datalekken.md``."""
    line: int
    """1-based line of the element's first line in that file."""

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True)
class Span:
    """A run of inline text with one style."""

    text: str
    """The literal text (Markdown markup removed)."""
    style: str = ""
    """``""`` for plain, ``"em"`` for emphasis, ``"strong"`` for strong emphasis."""


@dataclass(frozen=True)
class Paragraph:
    """One paragraph of a clause or annex: styled spans in reading order."""

    spans: tuple[Span, ...]
    """The paragraph's inline content."""
    source: Source
    """File and line of the paragraph."""
    line_starts: tuple[int, ...] = ()
    """Offsets in `text` where the paragraph's 2nd, 3rd, … source line begins."""

    @property
    def text(self) -> str:
        """Return the paragraph as plain text."""
        return "".join(s.text for s in self.spans)

    def line_at(self, offset: int) -> int:
        """Return the source line of the character at `offset` in `text`."""
        return self.source.line + sum(1 for start in self.line_starts if start <= offset)


@dataclass(frozen=True)
class Clause:
    """A numbered clause ("7.3.") with one or more paragraphs."""

    number: str
    """The literal number without its final period: ``"7.3"``."""
    label: str
    """The number exactly as written, final period included: ``"7.3."`` (lint checks it)."""
    paragraphs: tuple[Paragraph, ...]
    """The clause's paragraphs; the first begins after the number."""
    source: Source
    """File and line where the clause begins."""

    @property
    def text(self) -> str:
        """Return the clause text (without its number), paragraphs separated by a blank line."""
        return "\n\n".join(p.text for p in self.paragraphs)

    @property
    def article_number(self) -> str:
        """Return the article part of the number: ``"7"`` for ``"7.3"``."""
        return self.number.split(".", 1)[0]


@dataclass(frozen=True)
class Article:
    """An article: heading "Artikel 7. Datalekken, …" and its clauses."""

    number: str
    """The literal article number: ``"7"``."""
    title: str
    """The heading text after the number."""
    clauses: tuple[Clause, ...]
    """The clauses in file order."""
    source: Source
    """File and line of the heading."""


@dataclass(frozen=True)
class Service:
    """A service VoIP Express offers; Bijlage 1 depends on which ones a customer uses."""

    id: str
    """Stable id, e.g. ``"sip-trunk"``."""
    label: str
    """Dutch label as a customer reads it."""


@dataclass(frozen=True)
class CatalogueItem:
    """A category of personal data or of data subjects in the Bijlage 1 catalogue."""

    id: str
    """Stable id, e.g. ``"belhistorie"``."""
    label: str
    """Dutch label, e.g. ``"Belhistorie"``."""
    services: tuple[str, ...]
    """Ids of the services this category applies to."""
    source: Source
    """Where the item is defined in the catalogue file."""


@dataclass(frozen=True)
class Catalogue:
    """The versioned catalogue behind Bijlage 1."""

    services: tuple[Service, ...]
    """Every service offered, in catalogue order."""
    data_categories: tuple[CatalogueItem, ...]
    """Categories of personal data, numbered (I), (II), … in this order."""
    data_subjects: tuple[CatalogueItem, ...]
    """Categories of data subjects, numbered (I), (II), … in this order."""
    path: str
    """Path of the catalogue file."""

    def lists(self) -> dict[str, tuple[CatalogueItem, ...]]:
        """Return the named lists an annex can include."""
        return {"data_categories": self.data_categories, "data_subjects": self.data_subjects}


@dataclass(frozen=True)
class AnnexBlock:
    """One block of an annex: a subheading, a paragraph, or a list drawn from the catalogue."""

    kind: str
    """``"heading"``, ``"paragraph"`` or ``"catalogue"``."""
    source: Source
    """File and line of the block."""
    paragraph: Paragraph | None = None
    """The heading or paragraph text (kinds ``heading`` and ``paragraph``)."""
    list_name: str | None = None
    """For ``catalogue``: ``"data_categories"`` or ``"data_subjects"``."""


@dataclass(frozen=True)
class Annex:
    """A Bijlage: heading "Bijlage 1: …" and blocks."""

    number: str
    """The literal annex number: ``"1"``."""
    title: str
    """The heading text after the number."""
    blocks: tuple[AnnexBlock, ...]
    """Subheadings, paragraphs and catalogue lists in file order."""
    source: Source
    """File and line of the heading."""


@dataclass(frozen=True)
class Term:
    """A defined term of the contract."""

    term: str
    """The term as written, capitalised: ``"Verwerker"``."""
    defined_by: str
    """``"text"`` (defined by "(hierna: …)" in the text) or ``"cover"`` (by the cover page)."""
    meaning: str = ""
    """For cover-defined terms: what the term means."""
    line: int = 0
    """Line of the term in contract.toml."""


@dataclass(frozen=True)
class Party:
    """A party to the contract as it appears on the cover page."""

    name: str
    """Display name: ``"VoIP Express (Focused2Create)"``."""
    kvk: str
    """Chamber of Commerce number, 8 digits, as text."""
    street: str = ""
    postcode: str = ""
    city: str = ""
    email: str = ""
    signatory_name: str = ""
    """Who signs for the party."""
    signatory_role: str = ""
    """The signatory's role, e.g. ``"Directeur"``."""


@dataclass(frozen=True)
class ContractMeta:
    """Metadata kept beside the clauses in ``contract.toml``."""

    id: str
    """Contract id; also its folder name: ``"verwerkersovereenkomst"``."""
    processor: Party
    """VoIP Express as processor."""
    terms: tuple[Term, ...]
    """The defined terms."""
    self_names: tuple[str, ...]
    """Names by which the text refers to itself ("Verwerkersovereenkomst")."""
    website: str = ""
    """Where the full text of every version is published."""
    legal_name: str = ""
    """The legal entity behind the trade name: ``"Focused2Create"``."""


@dataclass(frozen=True)
class Agreement:
    """A whole contract text at one state: preamble, articles, annexes and catalogue."""

    meta: ContractMeta
    """Metadata from contract.toml."""
    title: str
    """The title (the preamble's heading)."""
    preamble: tuple[Paragraph, ...]
    """Paragraphs before article 1."""
    articles: tuple[Article, ...]
    """Articles in file order."""
    annexes: tuple[Annex, ...]
    """Annexes (Bijlagen) in file order."""
    catalogue: Catalogue
    """The Bijlage 1 catalogue."""
    sha256: str
    """SHA-256 of the canonical text (see `clauses.canonical_text`)."""
    files: tuple[str, ...] = ()
    """Paths of the files the text was read from."""

    @property
    def contract(self) -> str:
        """Return the contract id."""
        return self.meta.id

    def clauses(self) -> tuple[Clause, ...]:
        """Return every clause in reading order."""
        return tuple(c for a in self.articles for c in a.clauses)

    def article(self, number: str) -> Article | None:
        """Return the article with that literal number, or None."""
        return next((a for a in self.articles if a.number == number), None)

    def clause(self, number: str) -> Clause | None:
        """Return the clause with that literal number, or None."""
        return next((c for c in self.clauses() if c.number == number), None)


# --- versions -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Version:
    """A released version, as pinned by its manifest in versions/<contract>/<version>.toml."""

    contract: str
    """Contract id."""
    number: str
    """Version number, ``"1.0"``."""
    effective: dt.date
    """The day the version takes effect."""
    status: str
    """``"released"`` (the only status a manifest is written with) or ``"withdrawn"``."""
    sha256: str
    """SHA-256 of the canonical text pinned at release."""
    released: dt.date | None = None
    """The day the manifest was written."""
    tree: str = ""
    """Git tree id of the contract folder at release: a fast path to find the text in history."""
    toelichting: dict[str, str] = field(default_factory=dict, hash=False, compare=False)
    """Per changed article number: the Dutch explanation the notice letter quotes."""
    path: str = ""
    """Path of the manifest file."""

    @property
    def key(self) -> tuple[int, ...]:
        """Return a sort key: ``"1.10"`` after ``"1.9"``."""
        return version_key(self.number)


def version_key(number: str) -> tuple[int, ...]:
    """Return the numeric sort key of a version number like ``"1.10"``."""
    return tuple(int(p) for p in number.split("."))


@dataclass(frozen=True)
class Resolved:
    """A ref resolved to a contract text: where it came from and what it is."""

    ref: str
    """What the user asked for: ``"1.0"``, ``"HEAD"``, a commit, or ``"worktree"``."""
    commit: str | None
    """The commit the text was read from; None for the work tree."""
    version: Version | None
    """The released version whose pinned hash this text has, if any."""
    agreement: Agreement
    """The parsed text."""

    @property
    def label(self) -> str:
        """Return how a reader names this text: the version number, or "concept"."""
        return self.version.number if self.version else "concept"


# --- check ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """One problem `check` found."""

    severity: str
    """``"error"`` or ``"warning"``."""
    path: str
    """File the problem is in."""
    line: int
    """1-based line, 0 when the problem concerns the file as a whole."""
    message: str
    """What is wrong, in English."""
    rule: str
    """Short rule id, e.g. ``"numbering"``, ``"reference"``, ``"term"``."""

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.severity}: {self.message}"


# --- redline (issue 3) ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Op:
    """One word-level edit: a run of text kept, inserted or deleted."""

    op: str
    """``"equal"``, ``"insert"`` or ``"delete"``."""
    text: str
    """The literal text of the run (whitespace included)."""


@dataclass(frozen=True)
class Change:
    """One change between two versions, at the level of an article, a clause or the annex."""

    kind: str
    """``"added"``, ``"removed"``, ``"changed"``, ``"renumbered"`` or ``"moved"``."""
    level: str
    """``"article"``, ``"clause"``, ``"annex"``, or ``"preamble"`` (title and preamble)."""
    old_number: str | None
    """Number in the old version (``"4.3"``, ``"4"``, annex item ``"VII"``); None when added."""
    new_number: str | None
    """Number in the new version; None when removed."""
    article: str
    """The article the change is in: its new number, or its old number for removals.

    ``"Bijlage 1"`` for annex changes, ``""`` for the preamble."""
    ops: tuple[Op, ...] = ()
    """Word-level edits whenever the text differs (also for renumbered and moved clauses)."""
    old_text: str = ""
    """The old text (without the number); empty when added."""
    new_text: str = ""
    """The new text (without the number); empty when removed."""
    related: tuple[str, ...] = ()
    """Numbers of clauses this one was split from / merged into (see `note`)."""
    note: str = ""
    """Machine-readable detail: ``"split-from"``, ``"merged-into"``, ``"relabelled"``,
    ``"services"``, ``"title"`` (article heading) or ``""``."""
    item: str = ""
    """For catalogue changes: ``"data_categories:belhistorie"``, ``"service:fax2mail"``."""
    services_added: tuple[str, ...] = ()
    """For catalogue items: service ids the item now also applies to."""
    services_removed: tuple[str, ...] = ()
    """For catalogue items: service ids the item no longer applies to."""

    @property
    def text_changed(self) -> bool:
        """Return whether the words changed (not only the number or place)."""
        return any(o.op != "equal" for o in self.ops)


@dataclass(frozen=True)
class ReferenceWarning:
    """A reference ("artikel 4.1") that a renumbering left pointing at another clause."""

    source: Source
    """Where the reference is in the new text."""
    clause: str
    """The new number of the clause (or ``"Bijlage 1"``) that contains the reference."""
    reference: str
    """The reference as written: ``"artikel 4.1"``."""
    target_old: str
    """What the reference meant in the old version (the old number)."""
    target_new: str | None
    """Where that old target is now (None: removed)."""
    message: str
    """One English sentence explaining the problem."""


@dataclass(frozen=True)
class Block:
    """One paragraph of the merged document: the new text with the old text's changes inline."""

    kind: str
    """``"title"``, ``"preamble"``, ``"article"`` (heading), ``"clause"``, ``"annex"`` (heading),
    ``"annex-heading"``, ``"annex-paragraph"`` or ``"annex-list"``."""
    status: str
    """``"equal"``, ``"changed"``, ``"inserted"`` (a whole new paragraph) or ``"deleted"``."""
    ops: tuple[Op, ...]
    """The paragraph's text as word-level edits; for equal blocks one ``equal`` op."""
    number: str = ""
    """Article or clause number this paragraph belongs to (new, or old for deleted blocks)."""
    note: str = ""
    """Why it is inserted / deleted when it is a move: ``"moved-from:4.3"``, ``"moved-to:2.6"``."""

    @property
    def old_text(self) -> str:
        """Return the paragraph as it was (empty for inserted blocks)."""
        return "".join(o.text for o in self.ops if o.op != "insert")

    @property
    def new_text(self) -> str:
        """Return the paragraph as it is (empty for deleted blocks)."""
        return "".join(o.text for o in self.ops if o.op != "delete")


@dataclass(frozen=True)
class Redline:
    """Everything every redline renderer needs: both texts, their identity, and the changes."""

    old: Resolved
    """The old text and where it came from (ref, commit, version)."""
    new: Resolved
    """The new text and where it came from."""
    changes: tuple[Change, ...]
    """Changes in reading order of the new text (removals at their old place)."""
    blocks: tuple[Block, ...]
    """The merged document: every paragraph of the new text, with deleted old paragraphs at
    their old place; joining ``old_text`` of non-inserted blocks gives the old text, and
    ``new_text`` of non-deleted blocks the new text."""
    warnings: tuple[ReferenceWarning, ...] = ()
    """References that renumbering left pointing at a different clause."""
    date: dt.date = dt.date(1980, 1, 1)
    """The date of the change (revision date in the DOCX, timestamp of the PDF)."""
    author: str = "VoIP Express"
    """Author of the tracked changes in the DOCX."""

    @property
    def contract(self) -> str:
        """Return the contract id."""
        return self.new.agreement.contract

    @property
    def backwards(self) -> bool:
        """Return whether NEW is an older released version than OLD."""
        o, n = self.old.version, self.new.version
        return bool(o and n and version_key(n.number) < version_key(o.number))

    @property
    def identical(self) -> bool:
        """Return whether the two texts are the same."""
        return not self.changes


# --- customers and contracts (issue 4) ------------------------------------------------------------


@dataclass(frozen=True)
class Customer:
    """A business customer as kept in the registry (personal data: never in git)."""

    customer_id: str
    """Opaque id, e.g. ``"C-1042"``; the only way the repository refers to a customer."""
    company_name: str
    kvk: str
    """Chamber of Commerce number: 8 digits, kept as text (leading zeros matter)."""
    street: str
    postcode: str
    """Normalised Dutch postcode: ``"1234 AB"``."""
    city: str
    contact_name: str
    contact_email: str
    signatory_name: str
    signatory_role: str
    services: tuple[str, ...]
    """Service ids from the catalogue."""
    version: str
    """The contract version the customer has signed / is on."""
    signed_on: dt.date
    btw_id: str = ""
    """VAT id ``NL123456789B01``, optional."""
    contact_salutation: str = ""
    """How the letter addresses the contact, e.g. ``"Geachte mevrouw Jansen"``; optional."""


@dataclass(frozen=True)
class SignatureBox:
    """Where a signature block landed in a rendered PDF, for placing a signature field."""

    page: int
    """0-based page index."""
    x1: float
    """Lower-left x, in PDF points from the page's lower-left corner."""
    y1: float
    x2: float
    """Upper-right x, in PDF points."""
    y2: float


# --- signing (issue 5) ----------------------------------------------------------------------------


@dataclass(frozen=True)
class TimestampCheck:
    """The RFC 3161 timestamp on a signature (PAdES B-T)."""

    time: dt.datetime
    """The time the timestamp server vouches for."""
    intact: bool
    """The token matches the signature it stamps."""
    valid: bool
    """Intact and cryptographically sound."""
    trusted: bool | None
    """The TSA chains to a given trust root; None when no trust roots were given."""


@dataclass(frozen=True)
class SignatureCheck:
    """What `verify` found about one signature in a PDF."""

    field: str
    """The signature field's name, e.g. ``"Verwerker"``."""
    intact: bool
    """The signed bytes are unchanged (the digest matches)."""
    valid: bool
    """Intact, and the signature over the digest is cryptographically valid."""
    signer_cn: str
    """Subject CN of the signing certificate."""
    signer_o: str
    """Subject O of the signing certificate, or empty."""
    signing_time: dt.datetime | None
    """The time the signer claims (not vouched for by a third party)."""
    timestamp: TimestampCheck | None
    """The signature timestamp, if there is one."""
    subfilter: str
    """``ETSI.CAdES.detached`` for PAdES."""
    digest: str
    """The message digest algorithm, e.g. ``"sha256"``."""
    coverage: str
    """``"whole file"``, ``"signed revision"`` (changes appended later) or ``"partial"``."""
    later_changes: str
    """Changes appended after signing: ``"none"``, ``"validation data"``, ``"form filling"``
    (e.g. the countersignature in the empty field), ``"annotations"``, ``"other"``, ``"unknown"``."""
    changes_allowed: bool
    """The later changes are of a kind the signature permits (validation data, form filling)."""
    trusted: bool | None
    """The certificate chains to a given trust root; None when no trust roots were given."""
    level: str
    """PAdES baseline level reached: ``"B-B"``, ``"B-T"`` or ``"B-LT"``."""
    revision_end: int = 0
    """Length of the file as signed (the end of the signed byte range)."""
    problem: str = ""
    """Why the signature could not be evaluated at all, if so."""

    @property
    def ok(self) -> bool:
        """Return whether this signature holds: valid, unmodified beyond what it allows, trusted if asked.

        A timestamp must be valid when there is one; whether its TSA chains to a ``--trust`` root
        is shown but does not decide (TSAs are usually under another root than the signer).
        """
        return (self.valid and self.changes_allowed and self.trusted is not False and not self.problem
                and (self.timestamp is None or self.timestamp.valid))


@dataclass(frozen=True)
class Provenance:
    """Whether a signed PDF's text is exactly the contract version it names."""

    status: str
    """``"match"``, ``"mismatch"`` or ``"not checked"``."""
    detail: str
    """One sentence saying what was compared, or why nothing was."""
    contract: str = ""
    version: str = ""
    customer_id: str = ""
    sha256: str = ""
    """The SHA-256 the PDF's metadata claims for the version text."""


@dataclass(frozen=True)
class VerifyResult:
    """Everything `verify` says about a PDF."""

    signatures: tuple[SignatureCheck, ...]
    """Every signature, in the order they were made."""
    empty_fields: tuple[str, ...]
    """Signature fields nobody has signed yet (e.g. the customer's)."""
    provenance: Provenance
    """Whether the text is the version it claims to be."""
    trust_checked: bool = False
    """Trust roots were given (``--trust``)."""

    @property
    def valid(self) -> bool:
        """Return whether the PDF is authentic: signed, every signature holds, provenance not refuted."""
        return (bool(self.signatures) and all(s.ok for s in self.signatures)
                and self.provenance.status != "mismatch")


# --- notices (issue 6) ----------------------------------------------------------------------------


@dataclass(frozen=True)
class NoticeDocument:
    """One document of a revision notice, as the ledger proves it."""

    kind: str
    """``letter``, ``email``, ``redline`` or ``contract``."""
    name: str
    """File name (the attachment's name in the e-mail)."""
    sha256: str
    """SHA-256 of the exact bytes."""
    size: int
    """Size in bytes."""


@dataclass(frozen=True)
class LedgerNotice:
    """One customer's notice of one version in the ledger."""

    version: str
    """The version announced."""
    customer_id: str
    from_version: str
    """The version the customer was on when the notice was built."""
    reference: str
    """Our reference ("kenmerk") printed on the letter: ``VWO-1.1-C-1042``."""
    address: str
    """The e-mail address the notice is (to be) sent to."""
    message_id: str
    """The stable Message-ID, angle brackets included."""
    eml_path: str
    """Where the built .eml is, relative to the project root when inside it."""
    eml_sha256: str
    """SHA-256 of the .eml bytes: what is sent is what was built."""
    state: str
    """``pending``, ``sending``, ``sent``, ``failed`` or ``unknown``."""
    built_at: str
    """When the notice was built (ISO 8601 UTC)."""
    sent_at: str | None = None
    """When the server accepted the message (ISO 8601 UTC)."""
    reply_code: int | None = None
    """The server's last reply code."""
    reply: str | None = None
    """The server's last reply text."""


@dataclass(frozen=True)
class LedgerEvent:
    """Something that happened to a notice after it was sent."""

    customer_id: str
    event: str
    """``bounced`` (the notice does not count as given), ``objected`` or ``terminated``."""
    on: dt.date
    """The day it happened."""
    recorded_at: str
    """When it was recorded (ISO 8601 UTC)."""


@dataclass(frozen=True)
class ClauseChange:
    """One changed clause for the letter's before/after table."""

    article: str
    """The article number the clause belongs to (in the new text; the old one when deleted)."""
    old_label: str
    """``"7.3."``, or ``""`` for an inserted clause."""
    old_text: str
    """The old text, or ``""`` for an inserted clause."""
    new_label: str
    """``"7.3."``, or ``""`` for a deleted clause."""
    new_text: str
    """The new text, or ``""`` for a deleted clause."""


@dataclass(frozen=True)
class PlanRow:
    """What `notices plan` says about one customer."""

    customer_id: str
    company_name: str
    current_version: str
    """The version the customer is on."""
    affected: bool
    """Whether the new version changes anything for this customer (their Bijlage 1 included)."""
    reason: str
    """Why (not) affected, in English: ``"articles 7, 11 change"``."""
    latest_send: dt.date
    """The last day to send the notice (art. 11.2, with the channel's delivery buffer)."""
    status: str
    """``on_time``, ``late``, ``notified`` or ``not_affected``."""
    ledger_state: str | None = None
    """The notice's state in the ledger, if built."""
    sent_at: str | None = None
    """When it was accepted by the SMTP server."""
    note: str = ""
    """Anything else worth knowing: a bounce, a notice sent too late."""
    annex_changes: bool = False
    """Whether the customer's own Bijlage 1 reads differently in the new version."""
    bounced_on: dt.date | None = None
    """The day the notice sent last bounced (it then does not count as given)."""


# --- site (issue 7) -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PublishedVersion:
    """A version as the published site shows it."""

    version: Version
    """The manifest."""
    agreement: Agreement
    """The pinned text."""
    state: str
    """``"in_force"`` (the current version), ``"announced"`` (takes effect later),
    ``"superseded"`` (a later version took over) or ``"withdrawn"``."""
    until: dt.date | None = None
    """For ``superseded``: the day the next version took effect."""
    previous: str | None = None
    """The version the redline on the site compares this one with (None for the first)."""
