"""Dutch text for customers: enumerations."""

from __future__ import annotations

from assembler.dutch import join_nl


def test_join_nl_writes_a_dutch_enumeration() -> None:
    assert [join_nl([]), join_nl(["a"]), join_nl(["a", "b"]), join_nl(["a", "b", "c"])] == [
        "", "a", "a en b", "a, b en c"]
