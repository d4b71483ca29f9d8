"""The agreement as plain text, and its canonical form (what the SHA-256 of a version covers).

The canonical text is the plain text a reader sees (title, preamble, articles with their literal
numbers, annexes with the catalogue lists written out), without the "Versie …" line, followed by
the catalogue's service mapping, one line per entry. Markdown markup, line wrapping inside a
paragraph and file names do not count: re-wrapping a clause does not change a version's hash;
changing a word, a number or which services a category applies to does.
"""

from __future__ import annotations

from collections.abc import Sequence

from assembler.dutch import join_nl
from assembler.model import Agreement, Annex, AnnexBlock, Article, Catalogue, CatalogueItem, Paragraph

_ROMAN = [(1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
          (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]


def roman(n: int) -> str:
    """Return `n` as an upper-case Roman numeral: 4 → ``"IV"``."""
    out = []
    for value, letters in _ROMAN:
        while n >= value:
            out.append(letters)
            n -= value
    return "".join(out)


def enumerate_nl(labels: Sequence[str]) -> str:
    """Return a Dutch enumeration as in the source: ``(I) a, (II) b en (III) c.``."""
    parts = [f"({roman(i)}) {label}" for i, label in enumerate(labels, 1)]
    if not parts:
        return "(geen)."
    return join_nl(parts) + "."


def catalogue_list_text(items: Sequence[CatalogueItem]) -> str:
    """Return a catalogue list as the paragraph a reader sees."""
    return enumerate_nl([i.label for i in items])


def annex_block_text(block: AnnexBlock, catalogue: Catalogue) -> str:
    """Return one annex block as plain text, the catalogue lists written out."""
    if block.kind == "catalogue" and block.list_name:
        return catalogue_list_text(catalogue.lists()[block.list_name])
    assert block.paragraph is not None
    return block.paragraph.text


def clause_texts(article: Article) -> list[str]:
    """Return an article's clauses as paragraphs, the number before the first one."""
    out = []
    for clause in article.clauses:
        for i, paragraph in enumerate(clause.paragraphs):
            out.append(f"{clause.label} {paragraph.text}" if i == 0 else paragraph.text)
    return out


def body_paragraphs(
    title: str,
    preamble: Sequence[Paragraph],
    articles: Sequence[Article],
    annexes: Sequence[Annex],
    catalogue: Catalogue,
    version_line: str | None = None,
) -> list[str]:
    """Return the agreement as a list of plain-text paragraphs in reading order.

    `version_line` ("Versie 1.1", `text_names.version_line_nl`) follows the title when given.
    """
    out = [title]
    if version_line:
        out.append(version_line)
    out.extend(p.text for p in preamble)
    for article in articles:
        out.append(f"Artikel {article.number}. {article.title}")
        out.extend(clause_texts(article))
    for annex in annexes:
        out.append(f"Bijlage {annex.number}: {annex.title}")
        out.extend(annex_block_text(b, catalogue) for b in annex.blocks)
    return out


def agreement_text(agreement: Agreement, version_line: str | None = None) -> str:
    """Return the agreement as plain text, paragraphs separated by blank lines."""
    paragraphs = body_paragraphs(agreement.title, agreement.preamble, agreement.articles,
                                 agreement.annexes, agreement.catalogue, version_line)
    return "\n\n".join(paragraphs) + "\n"


def canonical_text(
    title: str,
    preamble: Sequence[Paragraph],
    articles: Sequence[Article],
    annexes: Sequence[Annex],
    catalogue: Catalogue,
) -> str:
    """Return the canonical text whose SHA-256 identifies a version (see the module docstring)."""
    lines = ["\n\n".join(body_paragraphs(title, preamble, articles, annexes, catalogue)), "",
             "-- catalogus --"]
    lines += [f"dienst {s.id}: {s.label}" for s in catalogue.services]
    for name, items in catalogue.lists().items():
        lines += [f"{name} {i.id}: {i.label} [{', '.join(i.services)}]" for i in items]
    return "\n".join(lines) + "\n"
