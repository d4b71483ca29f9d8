"""`subprocessors build` in a pool: the workers start before the parent renders anything."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pypdf
import pytest
from click.testing import CliRunner
from freezegun import freeze_time

import assembler.subprocessors.build as build_module
from assembler.cli import main
from assembler.pool import WorkerPool
from tests.notices.conftest import add_customers, customer

CHANGE = "voorbeeld-transcriptie"


@freeze_time("2026-12-01 09:00:00")
def test_the_workers_start_before_the_lists_are_rendered(
        project_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Rendering starts Typst's threads, after which a process can no longer fork its workers and
    # falls back to a forkserver whose workers import everything again before the first notice.
    add_customers(project_dir, [customer(i, services=("gespreksopname",)) for i in range(1, 4)])
    monkeypatch.setattr(build_module, "POOL_THRESHOLD", 0)  # a pool even for 3 notices
    events: list[str] = []
    enter, render = WorkerPool.__enter__, build_module.lists_by_services

    def entered(pool: WorkerPool) -> WorkerPool:
        events.append(f"workers started ({pool.method})")
        return enter(pool)

    def rendered(*args: Any, **kwargs: Any) -> Any:
        events.append("lists rendered")
        return render(*args, **kwargs)

    monkeypatch.setattr(WorkerPool, "__enter__", entered)
    monkeypatch.setattr(build_module, "lists_by_services", rendered)
    result = CliRunner().invoke(main, ["subprocessors", "build", CHANGE],
                                env={"ASSEMBLER_ROOT": str(project_dir)}, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "built 3 sub-processor notice(s)" in result.output
    assert [e.split(" (")[0] for e in events] == ["workers started", "lists rendered"]
    assert "in-process" not in events[0]
    letters = sorted(p.name for p in (project_dir / "build" / "notices" / "subverwerkers" / CHANGE)
                     .rglob("*.pdf"))
    assert len(letters) == 3


@freeze_time("2026-12-01 09:00:00")
def test_each_letter_of_a_run_carries_its_own_reference(project_dir: Path) -> None:
    # One compiler lays out every letter of the run, reusing what did not change from the letter
    # before; the continuation header finds the customer's reference by query.
    add_customers(project_dir, [customer(i, services=("gespreksopname",)) for i in range(1, 4)])
    result = CliRunner().invoke(main, ["subprocessors", "build", CHANGE],
                                env={"ASSEMBLER_ROOT": str(project_dir)}, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    out = project_dir / "build" / "notices" / "subverwerkers" / CHANGE
    assert len(list(out.rglob("brief-*.pdf"))) == 3
    for i in range(1, 4):
        ref = f"SUB-{CHANGE}-C-{i:04d}"
        pdf = out / f"C-{i:04d}" / f"brief-{ref}.pdf"
        pages = [" ".join((p.extract_text() or "").split()) for p in pypdf.PdfReader(pdf).pages]
        assert f"Ons kenmerk: {ref}" in pages[0]
        assert len(pages) >= 2
        for page in pages[1:]:
            assert f"ons kenmerk {ref} · 1 december 2026" in page, page[:160]
