"""What a new version changes: changed articles, changed clauses, and whether a customer is affected.

The notices, `release` and `check` ask these questions; the answers come from the redline model of
`diff.py` where it exists, so that "changed" means the same everywhere.
"""

from __future__ import annotations

from collections.abc import Iterable

from .model import Agreement, Article, Catalogue, ClauseChange, version_key
from .text import annex_block_text


def _article_text(article: Article) -> list[str]:
    return [article.title] + [f"{c.label} {c.text}" for c in article.clauses]


def changed_articles_between(old: Agreement, new: Agreement) -> list[str]:
    """Return the numbers of the articles whose text differs between `old` and `new`, in order.

    An article added, removed, retitled or with any clause changed counts.
    """
    old_by = {a.number: _article_text(a) for a in old.articles}
    new_by = {a.number: _article_text(a) for a in new.articles}
    numbers = set(old_by) | set(new_by)
    changed = [n for n in numbers if old_by.get(n) != new_by.get(n)]
    return sorted(changed, key=version_key)


def clause_changes(old: Agreement, new: Agreement) -> list[ClauseChange]:
    """Return the changed, inserted and deleted clauses, in the new text's order (deleted ones last)."""
    old_by = {c.number: c for c in old.clauses()}
    new_by = {c.number: c for c in new.clauses()}
    out = []
    for clause in new.clauses():
        before = old_by.get(clause.number)
        if before is None:
            out.append(ClauseChange(clause.article_number, "", "", clause.label, clause.text))
        elif before.text != clause.text:
            out.append(ClauseChange(clause.article_number, before.label, before.text, clause.label,
                                    clause.text))
    for clause in old.clauses():
        if clause.number not in new_by:
            out.append(ClauseChange(clause.article_number, clause.label, clause.text, "", ""))
    return out


def customer_catalogue(catalogue: Catalogue, services: Iterable[str]) -> Catalogue:
    """Return the catalogue as a customer's Bijlage 1 shows it: only categories of their services."""
    wanted = set(services)
    return Catalogue(
        services=tuple(s for s in catalogue.services if s.id in wanted),
        data_categories=tuple(i for i in catalogue.data_categories if wanted & set(i.services)),
        data_subjects=tuple(i for i in catalogue.data_subjects if wanted & set(i.services)),
        path=catalogue.path)


def _annex_text(agreement: Agreement, services: Iterable[str]) -> list[str]:
    catalogue = customer_catalogue(agreement.catalogue, services)
    return [f"{a.number} {a.title}" for a in agreement.annexes] + [
        annex_block_text(b, catalogue) for a in agreement.annexes for b in a.blocks]


def customer_change(old: Agreement, new: Agreement, services: Iterable[str]) -> str | None:
    """Return what `new` changes for a customer on `old` with `services`, or None for nothing.

    The articles and preamble change for everyone; Bijlage 1 only when the customer's own list
    (the categories of their services) reads differently.
    """
    services = tuple(services)
    reasons = []
    articles = changed_articles_between(old, new)
    if articles:
        reasons.append(("article " if len(articles) == 1 else "articles ") + ", ".join(articles))
    if (old.title, [p.text for p in old.preamble]) != (new.title, [p.text for p in new.preamble]):
        reasons.append("the preamble")
    if _annex_text(old, services) != _annex_text(new, services):
        reasons.append("their Bijlage 1")
    return " and ".join(reasons) if reasons else None
