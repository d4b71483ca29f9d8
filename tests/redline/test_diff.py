"""diff_agreements on the fixture pair: every kind of change a lawyer makes, found as such."""

from __future__ import annotations

import dataclasses

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assembler.agreement.project import Project
from assembler.model import Agreement, Article, Change, Clause, Paragraph, Redline, Resolved, Span
from assembler.redline.diff import (
    affects_customer,
    annex_changes_for,
    changed_articles,
    changes_for,
    diff_agreements,
)
from assembler.render.plain_text import body_paragraphs


def _find(redline: Redline, **fields: object) -> list[Change]:
    return [c for c in redline.changes
            if all(getattr(c, k) == v for k, v in fields.items())]


def _one(redline: Redline, **fields: object) -> Change:
    found = _find(redline, **fields)
    assert len(found) == 1, f"{fields}: {found}"
    return found[0]


def _texts(a: Agreement) -> list[str]:
    return body_paragraphs(a.title, a.preamble, a.articles, a.annexes, a.catalogue)


def test_inserted_clause_renumbers_the_rest_without_a_cascade(redline: Redline) -> None:
    added = _one(redline, level="clause", new_number="1.1")
    assert added.kind == "added" and added.old_number is None and added.note == ""
    for old, new in (("1.1", "1.2"), ("1.2", "1.3"), ("1.3", "1.4")):
        c = _one(redline, level="clause", old_number=old)
        assert (c.kind, c.new_number, c.ops) == ("renumbered", new, ())
    assert not _find(redline, level="clause", kind="changed", article="1")


def test_moved_clauses(redline: Redline) -> None:
    to_2 = _one(redline, level="clause", old_number="11.6")
    assert (to_2.kind, to_2.new_number, to_2.article, to_2.text_changed) == ("moved", "2.6", "2", False)
    to_6 = _one(redline, level="clause", old_number="11.3")
    assert (to_6.kind, to_6.new_number, to_6.article) == ("moved", "6.1", "6")


def test_split_clause_keeps_its_number_and_the_rest_is_added(redline: Redline) -> None:
    kept = _one(redline, level="clause", old_number="4.1")
    assert (kept.kind, kept.new_number) == ("changed", "4.1")
    assert [o.op for o in kept.ops] == ["equal", "delete"]
    assert kept.ops[1].text.strip().startswith("De lijst van sub-verwerkers")
    tail = _one(redline, level="clause", new_number="4.2")
    assert (tail.kind, tail.note, tail.related) == ("added", "split-from", ("4.1",))


def test_merged_clause(redline: Redline) -> None:
    kept = _one(redline, level="clause", old_number="8.1")
    assert (kept.kind, kept.new_number) == ("changed", "8.1")
    assert [o.op for o in kept.ops] == ["equal", "insert"]
    gone = _one(redline, level="clause", old_number="8.2")
    assert (gone.kind, gone.new_number, gone.note, gone.related) == ("removed", None, "merged-into",
                                                                      ("8.1",))


def test_inserted_article_and_removed_clause(redline: Redline) -> None:
    art = _one(redline, level="article", new_number="6")
    assert (art.kind, art.new_text) == ("added", "Bewaartermijnen")
    assert _one(redline, level="clause", new_number="6.2").kind == "added"
    removed = _one(redline, level="clause", old_number="9.2")
    assert (removed.kind, removed.note, removed.article) == ("removed", "", "9")
    assert [c.kind for c in _find(redline, level="clause", article="9")] == [
        "removed", "renumbered", "renumbered", "renumbered"]
    # Articles whose number did not change are not reported as articles.
    assert [c.new_number for c in _find(redline, level="article")] == ["6"]


def test_word_level_change(redline: Redline) -> None:
    c = _one(redline, level="clause", old_number="7.2")
    assert c.kind == "changed"
    assert ("insert", "binnen achtenveertig (48) uur ") in [(o.op, o.text) for o in c.ops]


def test_dangling_and_split_references_are_reported(redline: Redline) -> None:
    by_ref = {(w.clause, w.reference): w for w in redline.warnings}
    annex = by_ref[("Bijlage 1", "artikel 1.1")]
    assert (annex.target_old, annex.target_new) == ("1.1", "1.2")
    assert annex.source.path.endswith("bijlage-1.md")
    assert "is 1.2 in 1.1" in annex.message and "another clause" in annex.message
    assert "split into 4.1 and 4.2" in by_ref[("4.4", "artikel 4.1")].message
    assert len(redline.warnings) == 3  # the third: 'artikel 4.1' in 10.1 (also split)


def test_catalogue_changes(redline: Redline) -> None:
    annex = {c.item: c for c in redline.changes if c.level == "annex"}
    assert annex["data_categories:gespreksopnamen"].kind == "added"
    assert annex["data_categories:gespreksopnamen"].new_number == "VIII"
    relabel = annex["data_categories:belhistorie"]
    assert (relabel.kind, relabel.note, relabel.old_text, relabel.new_text) == (
        "changed", "relabelled", "Belhistorie", "Belhistorie (CDR's)")
    services = annex["data_categories:wachtwoord"]
    assert (services.note, services.services_removed, services.services_added) == (
        "services", ("fax2mail",), ())
    assert annex["data_subjects:medewerkers"].kind == "added"
    assert len(annex) == 4


def test_changed_articles_for_the_toelichting(redline: Redline) -> None:
    # 3, 5 and 10 are untouched; 8 lost a clause; 11 lost two and renumbered the rest.
    assert changed_articles(redline) == ["1", "2", "4", "6", "7", "8", "9", "11"]


def test_what_a_customer_sees_in_bijlage_1(redline: Redline) -> None:
    # fax2mail only: loses Wachtwoord, sees Belhistorie relabelled; not the new categories.
    fax = {c.item for c in annex_changes_for(redline, ["fax2mail"])}
    assert fax == {"data_categories:wachtwoord", "data_categories:belhistorie"}
    # gespreksopname: gains Gespreksopnamen, sees the relabel; Wachtwoord still applies.
    rec = {c.item for c in annex_changes_for(redline, ["gespreksopname"])}
    assert rec == {"data_categories:belhistorie", "data_categories:gespreksopnamen"}
    hosted = {c.item for c in annex_changes_for(redline, ["hosted-telefonie"])}
    assert "data_subjects:medewerkers" in hosted
    assert affects_customer(redline, ["fax2mail"])
    assert all(c.level != "annex" or c in annex_changes_for(redline, ["fax2mail"])
               for c in changes_for(redline, ["fax2mail"]))


def test_annex_only_change_matters_only_to_customers_who_see_it(pair_project: Project) -> None:
    old = pair_project.resolve("1.0")
    cat = old.agreement.catalogue
    items = tuple(dataclasses.replace(i, services=i.services + ("nieuwe-dienst",))
                  if i.id == "naw" else i for i in cat.data_categories)
    extra = dataclasses.replace(items[0], id="locatie", label="Locatiegegevens",
                                services=("mobiel",))
    new_cat = dataclasses.replace(cat, data_categories=items + (extra,))
    new = dataclasses.replace(old, ref="worktree", version=None,
                              agreement=dataclasses.replace(old.agreement, catalogue=new_cat))
    r = diff_agreements(old, new)
    assert not affects_customer(r, ["sip-trunk"])
    assert affects_customer(r, ["mobiel"])
    assert changed_articles(r) == []


def test_identical_versions_have_no_changes(pair_project: Project) -> None:
    one = pair_project.resolve("1.0")
    r = diff_agreements(one, pair_project.resolve("HEAD~1"))
    assert r.identical and r.changes == () and r.warnings == ()
    assert all(b.status == "equal" for b in r.blocks)


def test_backwards_diff_is_the_mirror_image(redline: Redline, backwards: Redline) -> None:
    assert backwards.backwards and not redline.backwards
    assert len(backwards.changes) == len(redline.changes)
    fwd = {(c.old_number, c.new_number) for c in redline.changes if c.level == "clause"}
    back = {(c.new_number, c.old_number) for c in backwards.changes if c.level == "clause"}
    assert fwd == back


def test_renumbered_article_is_one_change_not_one_per_clause(pair_project: Project) -> None:
    old = pair_project.resolve("1.0")
    a = old.agreement
    art7 = a.article("7")
    assert art7 is not None
    renumbered = dataclasses.replace(art7, number="6", clauses=tuple(
        dataclasses.replace(c, number="6" + c.number[1:], label="6" + c.label[1:])
        for c in art7.clauses))
    articles = tuple(renumbered if x.number == "7" else x for x in a.articles)
    new = dataclasses.replace(old, ref="worktree", version=None,
                              agreement=dataclasses.replace(a, articles=articles))
    r = diff_agreements(old, new)
    assert [(c.level, c.kind, c.old_number, c.new_number) for c in r.changes] == [
        ("article", "renumbered", "7", "6")]
    assert changed_articles(r) == ["6"]


def test_blocks_rebuild_both_texts(redline: Redline) -> None:
    assert [b.old_text for b in redline.blocks if b.status != "inserted"] == _texts(
        redline.old.agreement)
    assert [b.new_text for b in redline.blocks if b.status != "deleted"] == _texts(
        redline.new.agreement)


# --- property: any edit of the text, the merged document rebuilds both sides -------------------


def _edit(article: Article, data: st.DataObject, k: int) -> Article:
    clauses = list(article.clauses)
    for _ in range(data.draw(st.integers(0, 2), label=f"edits {k}")):
        op = data.draw(st.sampled_from(["delete", "insert", "reword", "swap"]))
        if op == "delete" and len(clauses) > 1:
            clauses.pop(data.draw(st.integers(0, len(clauses) - 1)))
        elif op == "insert":
            at = data.draw(st.integers(0, len(clauses)))
            src = clauses[0].source
            text = data.draw(st.sampled_from(["Nieuwe bepaling over sub-verwerkers.",
                                              "Verwerker meldt binnen (48) uur.", "Kort."]))
            clauses.insert(at, Clause("0.0", "0.0.", (Paragraph((Span(text),), src),), src))
        elif op == "reword":
            i = data.draw(st.integers(0, len(clauses) - 1))
            c = clauses[i]
            p0 = c.paragraphs[0]
            words = p0.text.split(" ")
            j = data.draw(st.integers(0, len(words) - 1))
            words[j] = data.draw(st.sampled_from(["niet", "altijd", "E.U. / E.E.R.", "11.2", ""]))
            clauses[i] = dataclasses.replace(c, paragraphs=(
                Paragraph((Span(" ".join(words)),), p0.source), *c.paragraphs[1:]))
        elif op == "swap" and len(clauses) > 1:
            i = data.draw(st.integers(0, len(clauses) - 2))
            clauses[i], clauses[i + 1] = clauses[i + 1], clauses[i]
    renumber = data.draw(st.booleans(), label="renumber")
    if renumber:
        clauses = [dataclasses.replace(c, number=f"{article.number}.{n}",
                                       label=f"{article.number}.{n}.")
                   for n, c in enumerate(clauses, 1)]
    return dataclasses.replace(article, clauses=tuple(clauses))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_any_edit_rebuilds_old_and_new_exactly(pair_project: Project, data: st.DataObject) -> None:
    old: Resolved = pair_project.resolve("1.0")
    a = old.agreement
    articles = [_edit(art, data, k) for k, art in enumerate(a.articles)]
    if data.draw(st.booleans(), label="move a clause to another article"):
        src, dst = data.draw(st.sampled_from([(3, 0), (9, 1), (0, 9)]))
        moved, rest = articles[src].clauses[-1], articles[src].clauses[:-1]
        if rest:
            articles[src] = dataclasses.replace(articles[src], clauses=rest)
            articles[dst] = dataclasses.replace(articles[dst], clauses=articles[dst].clauses + (moved,))
    b = dataclasses.replace(a, articles=tuple(articles))
    r = diff_agreements(old, dataclasses.replace(old, ref="worktree", version=None, agreement=b))
    assert [x.old_text for x in r.blocks if x.status != "inserted"] == _texts(a)
    assert [x.new_text for x in r.blocks if x.status != "deleted"] == _texts(b)
    for c in r.changes:
        if c.ops:
            assert "".join(o.text for o in c.ops if o.op != "insert") == c.old_text
            assert "".join(o.text for o in c.ops if o.op != "delete") == c.new_text
    if _texts(a) == _texts(b):
        assert r.identical


def test_an_article_that_only_lost_a_clause_to_another_counts_as_changed(
        pair_project: Project) -> None:
    old = pair_project.resolve("1.0")
    a = old.agreement
    art10, art11 = a.article("10"), a.article("11")
    assert art10 is not None and art11 is not None
    last = art11.clauses[-1]  # 11.6, moved to the end of article 10 as 10.2
    moved = dataclasses.replace(last, number="10.2", label="10.2.")
    articles = tuple(dataclasses.replace(x, clauses=x.clauses + (moved,)) if x.number == "10"
                     else dataclasses.replace(x, clauses=x.clauses[:-1]) if x.number == "11"
                     else x for x in a.articles)
    new = dataclasses.replace(old, ref="worktree", version=None,
                              agreement=dataclasses.replace(a, articles=articles))
    r = diff_agreements(old, new)
    assert [(c.kind, c.old_number, c.new_number) for c in r.changes] == [("moved", "11.6", "10.2")]
    assert changed_articles(r) == ["10", "11"]
