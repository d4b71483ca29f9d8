"""Questions later steps ask of a redline: which articles changed, and what a customer sees change.

"Changed" means what the redline says it means: clauses aligned by content, so a renumbered
clause is renumbered, not deleted and inserted; an article counts as changed when anything in it
changed. The notices, the toelichting check, `release` and the redline PDF all ask here, so they
can never disagree about what changed.

`changed_articles` feeds the per-article toelichting of a notice; `annex_changes_for` and
`affects_customer` say whether a new version changes anything in one customer's contract, whose
Bijlage 1 lists only the catalogue items of the services that customer uses.
"""

from __future__ import annotations

from collections.abc import Iterable

from assembler.agreement.annex import applies_to, customer_catalogue
from assembler.model import Agreement, Change, ClauseChange, Redline
from assembler.render.plain_text import catalogue_list_text

ANNEX_NOTE = "bijlage-1"
"""The [toelichting] key (and `--note` key) explaining changes to Bijlage 1."""


def changed_articles(redline: Redline) -> list[str]:
    """Return the numbers, in the NEW version, of the articles with any change, in order.

    An article counts when it was added, renumbered, moved or retitled, or when one of its
    clauses was added, changed, renumbered or moved into it, or removed or moved out of it.
    Articles that were removed entirely are not in the new version and are not listed; nor is
    Bijlage 1 (ask `annex_changes_for`).
    """
    amap_old_to_new = {c.old_number: c.new_number for c in redline.changes
                       if c.level == "article" and c.old_number and c.new_number}
    new_articles = {art.number for art in redline.new.agreement.articles}

    def continuing(old_article: str) -> str | None:
        """Return the new number of old article `old_article`, if it still exists."""
        art = amap_old_to_new.get(old_article, old_article)
        ok = art in new_articles and _same_article(redline, old_article, art)
        return art if ok else None

    found: set[str] = set()
    for c in redline.changes:
        if c.level == "article" and c.new_number:
            found.add(c.new_number)
        elif c.level == "clause":
            if c.new_number:
                found.add(c.article)
            if c.old_number and (c.kind == "removed" or c.kind == "moved"):
                source = continuing(c.old_number.split(".", 1)[0])
                if source:
                    found.add(source)
    return sorted(found, key=int)


def _same_article(redline: Redline, old: str, new: str) -> bool:
    """Return whether old article `old` continues as new article `new`."""
    removed = any(c.level == "article" and c.kind == "removed" and c.old_number == old
                  for c in redline.changes)
    return not removed


def annex_changes_for(redline: Redline, services: Iterable[str]) -> tuple[Change, ...]:
    """Return the annex changes a customer using `services` (service ids) sees in their Bijlage 1.

    A customer's Bijlage 1 lists only the catalogue items that apply to one of their services, so:
    an item added, removed or relabelled counts when it applies (before or after) to one of
    them; a change of an item's services counts when it makes the item appear or disappear for
    them; a change to the annex's own prose counts for everyone; a service relabelled does not
    show in Bijlage 1 and never counts.
    """
    wanted = set(services)
    out = []
    for c in redline.changes:
        if c.level != "annex" or c.item_list == "service":
            continue
        if not c.item_list:
            out.append(c)
            continue
        name, item_id = c.item_list, c.item_id
        old_item = next((i for i in redline.old.agreement.catalogue.lists()[name] if i.id == item_id),
                        None)
        new_item = next((i for i in redline.new.agreement.catalogue.lists()[name] if i.id == item_id),
                        None)
        before = old_item is not None and applies_to(old_item, wanted)
        after = new_item is not None and applies_to(new_item, wanted)
        if (before != after) or (before and after and c.note == "relabelled"):
            out.append(c)
    return tuple(out)


def customer_annex_text(agreement: Agreement, services: Iterable[str]) -> list[str]:
    """Return a customer's catalogue lists as written in their Bijlage 1, one string per list."""
    own = customer_catalogue(agreement.catalogue, services)
    return [catalogue_list_text(list(items)) for items in own.lists().values()]


def changes_for(redline: Redline, services: Iterable[str]) -> tuple[Change, ...]:
    """Return the changes that matter to a customer using `services`: every change to the articles
    and the preamble, and the annex changes visible in their own Bijlage 1."""
    services = tuple(services)
    visible = set(annex_changes_for(redline, services))
    return tuple(c for c in redline.changes if c.level != "annex" or c in visible)


def affects_customer(redline: Redline, services: Iterable[str]) -> bool:
    """Return whether the new version changes anything in the text a customer using `services`
    signs: any article or preamble change, or any change to their own Bijlage 1 (including the
    order of its items)."""
    services = tuple(services)
    if changes_for(redline, services):
        return True
    return (customer_annex_text(redline.old.agreement, services)
            != customer_annex_text(redline.new.agreement, services))


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
