"""What a breach notice says it does not know: still open, or in the final notice not established."""

from __future__ import annotations

import pytest

from assembler.incidents.wording import not_known


@pytest.mark.parametrize(("final", "pending", "sentence"), [
    (False, None, "Hoeveel betrokkenen het betreft, weten wij nog niet."),
    (False, "onderzoeken wij nog", "Hoeveel betrokkenen het betreft, onderzoeken wij nog."),
    (True, None, "Hoeveel betrokkenen het betreft, kon niet worden vastgesteld."),
    (True, "onderzoeken wij nog", "Hoeveel betrokkenen het betreft, kon niet worden vastgesteld."),
])
def test_not_known_per_phase(final: bool, pending: str | None, sentence: str) -> None:
    what = "Hoeveel betrokkenen het betreft"
    got = not_known(what, final) if pending is None else not_known(what, final, pending)
    assert got == sentence

