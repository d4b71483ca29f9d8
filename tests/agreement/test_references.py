"""The one reference scanner: what counts as a reference into the agreement, and where it is."""

from __future__ import annotations

from assembler.agreement.references import Reference, scan_references

SELF = ("Verwerkersovereenkomst",)


def test_clause_article_and_annex_references_with_their_positions() -> None:
    text = "Zie artikel 4.1, art. 11 en Bijlage 1."
    assert list(scan_references(text, SELF)) == [
        Reference("artikel 4.1", 4, "clause", "4.1"),
        Reference("art. 11", 17, "article", "11"),
        Reference("Bijlage 1", 28, "annex", "1"),
    ]


def test_references_to_laws_and_other_documents_are_skipped() -> None:
    text = ("artikel 28 AVG, artikel 3 van de Hoofdovereenkomst, "
            "artikel 2 van de Verwerkersovereenkomst")
    assert [r.written for r in scan_references(text, SELF)] == ["artikel 2"]


def test_a_plural_reference_counts_its_first_number_only() -> None:
    assert [r.target for r in scan_references("artikelen 4 en 5", SELF)] == ["4"]
