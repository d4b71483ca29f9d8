"""`subprocessors build` after the latest send day: refused, or with --late the customer's own deadline."""

from __future__ import annotations

import re
from pathlib import Path

from freezegun import freeze_time

from assembler.render.pdf_read import page_texts
from tests.subprocessors.test_notices import CHANGE, run, sub_project

__all__ = ["sub_project"]

LETTER = Path("build/notices/subverwerkers") / CHANGE / "C-0001" / f"brief-SUB-{CHANGE}-C-0001.pdf"


@freeze_time("2026-12-20 09:00:00")
def test_build_after_the_latest_send_day_is_refused_without_late(sub_project: Path) -> None:
    result = run(sub_project, "subprocessors", "build", CHANGE)
    assert result.exit_code == 1
    assert result.output.strip() == (
        "assembler: error: 2 sub-processor notice(s) can no longer go out 30 days before the "
        "effective date (voorbeeld-transcriptie; latest send day 2026-12-12, today 2026-12-20): "
        "move `effective` later in the register, or build them with `subprocessors build --late` "
        "(their letters then give the customer until 2027-01-18 to object)")
    assert not (sub_project / LETTER).exists()
    status = run(sub_project, "subprocessors", "status", CHANGE)
    assert status.output.strip() == f"0 notice(s) of {CHANGE}"


@freeze_time("2026-12-20 09:00:00")
def test_a_late_letter_gives_the_customer_the_full_period_to_object(sub_project: Path) -> None:
    result = run(sub_project, "subprocessors", "build", CHANGE, "--late")
    assert result.exit_code == 0, result.output
    assert "late: the letters give until 2027-01-18 to object (30 days from today)" in result.output
    assert "built 2 sub-processor notice(s)" in result.output
    text = re.sub(r"\s+", " ", " ".join(page_texts((sub_project / LETTER).read_bytes())))
    assert "Bezwaar mogelijk tot en met: 18 januari 2027" in text
    assert "U kunt tot en met 18 januari 2027 bezwaar maken" in text
    assert ("Daarom kunt u tot en met 18 januari 2027 bezwaar maken, ook als wij Voorbeeld "
            "Spraakanalyse Ltd. vanaf 11 januari 2027 al inschakelen") in text
    assert "Maakt u geen bezwaar" not in text


def test_status_of_an_unknown_change_is_an_error(sub_project: Path) -> None:
    result = run(sub_project, "subprocessors", "status", "nosuch")
    assert result.exit_code == 2
    assert result.output.strip() == (
        "assembler: error: no sub-processor 'nosuch' in contracts/verwerkersovereenkomst/"
        "subverwerkers.toml and no notices of it in the ledger")
