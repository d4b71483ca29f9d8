"""Clause pairing by content: the same answer whether every pair is scored or only the likely ones."""

from __future__ import annotations

import pytest

from assembler.agreement.project import Project
from assembler.model import Redline
from assembler.redline import align
from assembler.redline.diff import diff_agreements


def test_a_large_rewrite_pairs_clauses_as_scoring_every_pair_does(
        pair_project: Project, redline: Redline, monkeypatch: pytest.MonkeyPatch) -> None:
    # Force the path a rewrite of hundreds of clauses takes (only pairs sharing a rare word are
    # scored) onto the fixture pair: every kind of change must come out as before.
    monkeypatch.setattr(align, "EXHAUSTIVE_PAIRS", 0)
    quick = diff_agreements(pair_project.resolve("1.0"), pair_project.resolve("1.1"))
    assert quick.changes == redline.changes
    assert {c.kind for c in quick.changes} >= {"added", "removed", "changed", "renumbered", "moved"}


def test_only_texts_sharing_a_rare_word_are_scored() -> None:
    old = [f"de verwerker meldt {w} binnen een termijn".split() for w in ("lek", "audit", "kosten")]
    new = [["de", "verwerker", "meldt", "audit", "onverwijld"]]
    pairs = list(align._candidates(old, new, [0, 1, 2], [0]))  # 3 pairs: below the bound, all scored
    assert pairs == [(0, [0, 1, 2])]
    with pytest.MonkeyPatch.context() as m:
        m.setattr(align, "EXHAUSTIVE_PAIRS", 0)
        assert list(align._candidates(old, new, [0, 1, 2], [0])) == [(0, [1])]
