"""What a new version changes, as the notices, `release` and `check` ask it: all from the redline.

"Changed" means what the redline (`diff.py`, issue 3) says it means: clauses aligned by content,
so a renumbered clause is renumbered, not deleted and inserted; an article counts as changed when
anything in it changed. These are thin questions over a `Redline`, so the letters, the toelichting
check and the redline PDF can never disagree about what changed.
"""

from __future__ import annotations

from collections.abc import Iterable

from .diff import affects_customer, annex_changes_for, changed_articles, customer_annex_text, diff_agreements
from .model import ClauseChange, Redline, Resolved

ANNEX_NOTE = "bijlage-1"
"""The [toelichting] key (and `--note` key) explaining changes to Bijlage 1."""


def changed_articles_between(old: Resolved, new: Resolved) -> list[str]:
    """Return the numbers (in `new`) of the articles that change from `old` to `new`, in order."""
    return changed_articles(diff_agreements(old, new))


def explained_parts(redline: Redline) -> list[str]:
    """Return what the new version's [toelichting] must explain: each changed article's number,
    then `ANNEX_NOTE` when Bijlage 1 (its text or catalogue) changes."""
    parts = changed_articles(redline)
    if any(c.level == "annex" for c in redline.changes):
        parts.append(ANNEX_NOTE)
    return parts


def clause_changes(redline: Redline) -> list[ClauseChange]:
    """Return the clauses added, changed, renumbered, moved or removed, in the redline's order."""
    return [ClauseChange(article=c.article,
                         old_label=f"{c.old_number}." if c.old_number else "",
                         old_text=c.old_text if c.old_number else "",
                         new_label=f"{c.new_number}." if c.new_number else "",
                         new_text=c.new_text if c.new_number else "")
            for c in redline.changes if c.level == "clause"]


def removed_articles(redline: Redline) -> list[str]:
    """Return the numbers (in the old version) of the articles removed entirely."""
    return [c.old_number for c in redline.changes
            if c.level == "article" and c.kind == "removed" and c.old_number]


def annex_changes(redline: Redline, services: Iterable[str]) -> bool:
    """Return whether a customer's own Bijlage 1 (for `services`) reads differently."""
    services = tuple(services)
    return bool(annex_changes_for(redline, services)) or (
        customer_annex_text(redline.old.agreement, services)
        != customer_annex_text(redline.new.agreement, services))


def customer_change(redline: Redline, services: Iterable[str]) -> str | None:
    """Return what the redline changes for a customer using `services`, or None for nothing.

    The articles and the preamble change for everyone; Bijlage 1 only when the customer's own
    lists (the categories of their services) read differently.
    """
    services = tuple(services)
    if not affects_customer(redline, services):
        return None
    reasons = []
    articles = changed_articles(redline)
    if articles:
        reasons.append(("article " if len(articles) == 1 else "articles ") + ", ".join(articles))
    gone = removed_articles(redline)
    if gone:
        reasons.append(("removed article " if len(gone) == 1 else "removed articles ")
                       + ", ".join(gone))
    if any(c.level == "preamble" for c in redline.changes):
        reasons.append("the preamble")
    others = [c for c in redline.changes if c.level not in ("article", "clause", "preamble",
                                                              "annex")]
    if others:
        reasons.append("the text")
    if annex_changes(redline, services) or not reasons:
        reasons.append("their Bijlage 1")
    return " and ".join(reasons)
