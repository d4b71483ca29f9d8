"""Checks on a parsed agreement: numbering, references, defined terms, catalogue ids.

Each rule is a function ``(agreement) -> Iterable[Finding]``; `check_agreement` runs them all.
Checks that need git or the manifests (a released text edited) live in `workflow/check.py`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator

from assembler.agreement.references import ReferenceKind, scan_references
from assembler.model import Agreement, Finding, Paragraph, Source
from assembler.render.font_coverage import describe, unshowable

Rule = Callable[[Agreement], Iterable[Finding]]

_DEFINITION = re.compile(r"\(hierna:\s*(?:de\s+|het\s+)?(?P<term>[^)]+?)\s*\)")


def _at(paragraph: Paragraph, offset: int) -> Source:
    return Source(paragraph.source.path, paragraph.line_at(offset))


def _error(src: Source, rule: str, message: str) -> Finding:
    return Finding("error", src.path, src.line, message, rule)


def _warning(src: Source, rule: str, message: str) -> Finding:
    return Finding("warning", src.path, src.line, message, rule)


def _paragraphs(agreement: Agreement) -> Iterator[Paragraph]:
    yield from agreement.preamble
    for clause in agreement.clauses():
        yield from clause.paragraphs
    for annex in agreement.annexes:
        for block in annex.blocks:
            if block.paragraph is not None:
                yield block.paragraph


def _span(first: str, last: str, count: int) -> str:
    """Return the missing numbers `first` … `last` (`count` of them) in few words, whatever `count`.

    A clause numbered 7.99999999999999999999. would otherwise have every number before it joined
    into one string, until the memory runs out.
    """
    if count == 1:
        return first
    if count == 2:
        return f"{first}, {last}"
    return f"{first} to {last}"


def check_article_numbers(agreement: Agreement) -> Iterator[Finding]:
    """Articles are numbered 1, 2, 3 … in file order; a gap is a warning (v1.0 lacks 6)."""
    seen: dict[int, Source] = {}
    previous = 0
    for article in agreement.articles:
        n = int(article.number)
        if n in seen:
            yield _error(article.source, "numbering",
                         f"article {n} appears twice (first at {seen[n]})")
            continue
        seen[n] = article.source
        if n < previous:
            yield _error(article.source, "numbering",
                         f"article {n} is out of order: it comes after article {previous}")
            continue
        if n > previous + 1:
            missing = _span(str(previous + 1), str(n - 1), n - previous - 1)
            word = "article" if n == previous + 2 else "articles"
            yield _warning(article.source, "numbering",
                           f"{word} {missing} missing: article {previous or '(start)'} "
                           f"is followed by article {n}")
        previous = n
        if not article.clauses:
            yield _error(article.source, "numbering", f"article {n} has no clauses")


def check_clause_numbers(agreement: Agreement) -> Iterator[Finding]:
    """Clauses of article N are N.1, N.2 … with a final period, in order, none twice."""
    for article in agreement.articles:
        expected = 1
        seen: dict[str, Source] = {}
        for clause in article.clauses:
            if clause.article_number != article.number:
                yield _error(clause.source, "numbering",
                             f"clause {clause.number} is in article {article.number}; "
                             f"its number must start with {article.number}.")
                continue
            if clause.label != clause.number + ".":
                yield _error(clause.source, "numbering",
                             f"clause number '{clause.label}' must end with a period: "
                             f"'{clause.number}.'")
            if clause.number in seen:
                yield _error(clause.source, "numbering",
                             f"clause {clause.number} appears twice (first at {seen[clause.number]})")
                continue
            seen[clause.number] = clause.source
            minor = int(clause.number.split(".")[1])
            if minor < expected:
                yield _error(clause.source, "numbering",
                             f"clause {clause.number} is out of order")
            elif minor > expected:
                gap = _span(f"{article.number}.{expected}", f"{article.number}.{minor - 1}",
                            minor - expected)
                yield _error(clause.source, "numbering",
                             f"clause {gap} missing before {clause.number}")
            expected = max(expected, minor + 1)


def check_annex_numbers(agreement: Agreement) -> Iterator[Finding]:
    """Annexes are numbered Bijlage 1, 2, … in file order."""
    for expected, annex in enumerate(agreement.annexes, 1):
        if annex.number != str(expected):
            yield _error(annex.source, "numbering",
                         f"Bijlage {annex.number} should be Bijlage {expected}")


def check_references(agreement: Agreement) -> Iterator[Finding]:
    """Every "artikel N(.M)", "art. N.M" and "Bijlage N" in the text points at something."""
    exists: dict[ReferenceKind, set[str]] = {
        "article": {a.number for a in agreement.articles},
        "clause": {c.number for c in agreement.clauses()},
        "annex": {a.number for a in agreement.annexes},
    }
    what = {"article": "article {}, which", "clause": "clause {}, which", "annex": "an annex that"}
    for paragraph in _paragraphs(agreement):
        for ref in scan_references(paragraph.text, agreement.meta.self_names):
            if ref.target not in exists[ref.kind]:
                yield _error(_at(paragraph, ref.start), "reference",
                             f"'{ref.written}' refers to {what[ref.kind].format(ref.target)} "
                             "does not exist")


def check_terms(agreement: Agreement) -> Iterator[Finding]:
    """Terms listed in contract.toml are defined, and terms defined in the text are listed."""
    listed = {t.term: t for t in agreement.meta.terms}
    defined: dict[str, Source] = {}
    for paragraph in _paragraphs(agreement):
        for m in _DEFINITION.finditer(paragraph.text):
            term = m.group("term")
            if term in defined:
                yield _error(_at(paragraph, m.start()), "term",
                             f"term '{term}' is defined twice (first at {defined[term]})")
                continue
            defined[term] = _at(paragraph, m.start())
            if term not in listed:
                yield _warning(_at(paragraph, m.start()), "term",
                               f"term '{term}' is defined here but not listed in contract.toml")
    meta_path = next((f for f in agreement.files if f.endswith("/contract.toml")), "contract.toml")
    for term in agreement.meta.terms:
        if term.defined_by == "text" and term.term not in defined:
            yield Finding("error", meta_path, term.line,
                          f"defined term '{term.term}' is never defined in the text "
                          f"(expected '(hierna: {term.term})')", "term")


def check_catalogue(agreement: Agreement) -> Iterator[Finding]:
    """Catalogue ids are unique and every service a category names exists."""
    cat = agreement.catalogue
    services = {s.id for s in cat.services}
    for name, items in cat.lists().items():
        seen: set[str] = set()
        for item in items:
            if item.id in seen:
                yield _error(item.source, "catalogue", f"{name} id '{item.id}' appears twice")
            seen.add(item.id)
            for sid in item.services:
                if sid not in services:
                    yield _error(item.source, "catalogue",
                                 f"{name} '{item.id}' names unknown service '{sid}' "
                                 f"(known: {', '.join(sorted(services))})")
            if not item.services:
                yield _warning(item.source, "catalogue",
                               f"{name} '{item.id}' applies to no service; no customer will see it")
    listed = {b.list_name for a in agreement.annexes for b in a.blocks if b.kind == "catalogue"}
    for name, items in cat.lists().items():
        if items and name not in listed:
            yield Finding("warning", cat.path, 0,
                          f"catalogue list '{name}' is not included in any annex", "catalogue")


_UNSHOWABLE = ("Cc", "Cf", "Cs", "Cn", "Co")
"""Unicode categories a clause must not contain: control, format, surrogate, unassigned, private."""


def check_characters(agreement: Agreement) -> Iterator[Finding]:
    """Clauses hold no control or unassigned characters (U+0001, U+000B, U+007F, U+FFFE …).

    They do not render (or render differently per reader) and would make the signed text
    differ from what a reader sees. Nor do they hold a character no font of the PDFs has a
    glyph for (a CJK or Thai word, a rare symbol): the PDF/A build of every contract would stop
    on it (`render.font_coverage`).
    """
    for paragraph in _paragraphs(agreement):
        for offset, ch in enumerate(paragraph.text):
            if ch not in "\n\t" and unicodedata.category(ch) in _UNSHOWABLE and ch != "\u00ad":
                yield _error(_at(paragraph, offset), "characters",
                             f"contains the character U+{ord(ch):04X} ({unicodedata.name(ch, 'unnamed')}"
                             "), which cannot be shown; remove it")
        for offset, ch in unshowable(paragraph.text):
            yield _error(_at(paragraph, offset), "characters",
                         f"contains {describe(ch)}, which no font of the PDFs can show; "
                         "write it otherwise or remove it")


RULES: tuple[Rule, ...] = (
    check_article_numbers,
    check_clause_numbers,
    check_annex_numbers,
    check_references,
    check_terms,
    check_catalogue,
    check_characters,
)


def check_agreement(agreement: Agreement) -> list[Finding]:
    """Run every text rule; return the findings sorted by file and line."""
    findings = [f for rule in RULES for f in rule(agreement)]
    return sorted(findings, key=lambda f: (f.path, f.line))
