"""Word-level diff: tokens a lawyer reads as one, exact ops, readable regions."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from assembler.model import Op
from assembler.redline.words import tokenize, word_ops


def ops_old(ops: tuple[Op, ...]) -> str:
    """Return the old text the ops describe (what rejecting every change gives)."""
    return "".join(o.text for o in ops if o.op != "insert")


def ops_new(ops: tuple[Op, ...]) -> str:
    """Return the new text the ops describe (what accepting every change gives)."""
    return "".join(o.text for o in ops if o.op != "delete")


def test_tokens_keep_legal_units_whole_and_punctuation_apart() -> None:
    text = "buiten de E.U. / E.E.R. (48) uur, sub-verwerkers en artikel 11.2. PIA's (I) wet- en"
    tokens = [t for t in tokenize(text) if not t.isspace()]
    assert tokens == ["buiten", "de", "E.U. / E.E.R.", "(48)", "uur", ",", "sub-verwerkers", "en",
                      "artikel", "11.2", ".", "PIA's", "(I)", "wet-", "en"]


def test_a_changed_number_is_one_token_not_digits() -> None:
    ops = word_ops("zoals bedoeld in artikel 4.1.", "zoals bedoeld in artikel 4.12.")
    assert [(o.op, o.text) for o in ops if o.op != "equal"] == [("delete", "4.1"), ("insert", "4.12")]


def test_changes_read_as_phrases_not_character_soup() -> None:
    ops = word_ops("Een melding moet altijd worden gedaan, maar alleen als de gebeurtenis zich "
                   "daadwerkelijk voorgedaan heeft.",
                   "Een melding moet binnen achtenveertig (48) uur worden gedaan, ook als de "
                   "gebeurtenis zich mogelijk heeft voorgedaan.")
    changed = [(o.op, o.text) for o in ops if o.op != "equal"]
    assert ("insert", "binnen achtenveertig (48) uur") in changed
    assert ("delete", "maar alleen") in changed
    # Within a region the deletion comes first, and no region is a lone space.
    for a, b in zip(ops, ops[1:], strict=False):
        assert (a.op, b.op) != ("insert", "delete")
    assert all(o.text.strip() for o in ops if o.op != "equal")


def test_two_different_phrases_joined_by_a_short_word_become_one_replacement() -> None:
    ops = word_ops("alpha beta de gamma delta", "epsilon zeta de eta theta")
    assert [o.op for o in ops] == ["delete", "insert"]


def test_no_autojunk_in_long_texts() -> None:
    # difflib's autojunk treats tokens in >1% of a 200+ token text as junk and then
    # misses obvious matches; the long repeated clause must still diff to one insertion.
    base = " ".join(["de Verwerker verwerkt de persoonsgegevens"] * 60)
    ops = word_ops(base, base + " extra")
    assert [(o.op, o.text) for o in ops if o.op != "equal"] == [("insert", " extra")]


def test_identical_and_empty_texts() -> None:
    assert word_ops("gelijk", "gelijk") == (word_ops("gelijk", "gelijk")[0],)
    assert word_ops("", "") == ()
    assert ops_new(word_ops("", "nieuw")) == "nieuw"
    assert ops_old(word_ops("oud", "")) == "oud"


_WORDS = st.sampled_from(["de", "het", "Verwerker", "sub-verwerkers", "(48)", "E.U. / E.E.R.",
                          "11.2", "4.1", ",", ".", ";", "artikel", "één", "PIA's", "(I)", "\n\n",
                          "wet-", "en", "of", "persoonsgegevens", "  "])
_TEXT = st.lists(_WORDS, max_size=40).map(" ".join) | st.text(max_size=60)


@settings(max_examples=300, deadline=None)
@given(_TEXT, _TEXT)
def test_ops_rebuild_both_texts_exactly(old: str, new: str) -> None:
    ops = word_ops(old, new)
    assert ops_old(ops) == old
    assert ops_new(ops) == new
    assert all(o.text for o in ops)
    assert all(o.op in ("equal", "insert", "delete") for o in ops)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80))
def test_tokens_cover_every_character(text: str) -> None:
    assert "".join(tokenize(text)) == text
