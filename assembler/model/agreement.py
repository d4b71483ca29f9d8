"""The agreement as text: clauses, articles, the Bijlage 1 catalogue, parties and terms."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

SpanStyle = Literal["", "em", "strong"]
"""How a run of inline text is styled: plain, emphasis or strong emphasis."""
AnnexBlockKind = Literal["heading", "paragraph", "catalogue"]
"""What one block of an annex is."""
ListName = Literal["data_categories", "data_subjects"]
"""The catalogue lists an annex can include."""
TermSource = Literal["text", "cover"]
"""Where a defined term is defined: in the text ("(hierna: …)") or by the cover page."""


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
    style: SpanStyle = ""
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

    def lists(self) -> dict[ListName, tuple[CatalogueItem, ...]]:
        """Return the named lists an annex can include."""
        return {"data_categories": self.data_categories, "data_subjects": self.data_subjects}


@dataclass(frozen=True)
class AnnexBlock:
    """One block of an annex: a subheading, a paragraph, or a list drawn from the catalogue."""

    kind: AnnexBlockKind
    """``"heading"``, ``"paragraph"`` or ``"catalogue"``."""
    source: Source
    """File and line of the block."""
    paragraph: Paragraph | None = None
    """The heading or paragraph text (kinds ``heading`` and ``paragraph``)."""
    list_name: ListName | None = None
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
    defined_by: TermSource
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
    """SHA-256 of the canonical text (see `render.plain_text.canonical_text`)."""
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
