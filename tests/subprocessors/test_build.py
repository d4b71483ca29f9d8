"""`subprocessors build` in a pool: the workers start before anything is rendered, and render the lists."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pypdf
import pytest
from click.testing import CliRunner
from freezegun import freeze_time

import assembler.subprocessors.build as build_module
from assembler.cli import main
from assembler.pool import WorkerPool
from assembler.subprocessors import list_cache
from tests.notices.conftest import add_customers, customer
from tests.subprocessors.test_list_cache import attachments

CHANGE = "voorbeeld-transcriptie"


@freeze_time("2026-12-01 09:00:00")
def test_the_workers_start_first_and_render_the_lists(
        project_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Rendering starts Typst's threads, after which a process can no longer fork its workers and
    # falls back to a forkserver whose workers import everything again before the first notice.
    # So the pool starts before anything is rendered, and its workers render the lists.
    add_customers(project_dir, [customer(1, services=("gespreksopname",)),
                                customer(2, services=("gespreksopname", "hosted-telefonie")),
                                customer(3, services=("gespreksopname",))])
    monkeypatch.setattr(build_module, "POOL_THRESHOLD", 0)  # a pool even for 3 notices
    events: list[str] = []
    enter, render = WorkerPool.__enter__, list_cache.render_subprocessor_list
    command = os.getpid()

    def entered(pool: WorkerPool) -> WorkerPool:
        events.append(f"workers started ({pool.method})")
        return enter(pool)

    def rendering(*args: Any, **kwargs: Any) -> Any:
        if os.getpid() == command:  # a forked worker runs this too, but has its own `events`
            events.append("a list rendered by the command's own process")
        return render(*args, **kwargs)

    monkeypatch.setattr(WorkerPool, "__enter__", entered)
    monkeypatch.setattr(list_cache, "render_subprocessor_list", rendering)
    result = CliRunner().invoke(main, ["subprocessors", "build", CHANGE],
                                env={"ASSEMBLER_ROOT": str(project_dir)}, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "built 3 sub-processor notice(s)" in result.output
    assert [e.split(" (")[0] for e in events] == ["workers started"]
    assert "in-process" not in events[0]
    lists = {cid: attachments(project_dir, cid)["lijst-sub-verwerkers-2026-12-01.pdf"]
             for cid in ("C-0001", "C-0002", "C-0003")}
    assert lists["C-0001"] == lists["C-0003"] != lists["C-0002"]
    out = project_dir / "build" / "notices" / "subverwerkers" / CHANGE
    assert len(sorted(out.rglob("brief-*.pdf"))) == 3


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
