"""The program's entry point: a command ends at once, with its exit code, and still cleans up."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from assembler.cli.entry import exit_code
from tests.conftest import ROOT

EXAMPLES = ROOT / "examples" / "customers.csv"


def _run(project: Path, tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSEMBLER_")}
    env.update({"PYTHONPATH": str(ROOT), "ASSEMBLER_ROOT": str(project), "TMPDIR": str(tmp)})
    return subprocess.run([sys.executable, "-m", "assembler", *args], cwd=project, capture_output=True,
                          text=True, env=env, timeout=120)


@pytest.mark.parametrize("code, expected", [(None, 0), (0, 0), (2, 2), (130, 130), ("gone", 1)])
def test_exit_codes_are_the_interpreters(code: object, expected: int,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    assert exit_code(code) == expected
    assert capsys.readouterr().err == ("gone\n" if code == "gone" else "")


def test_a_build_ends_with_its_output_flushed_and_typsts_folder_removed(project_dir: Path,
                                                                          tmp_path: Path) -> None:
    # The process ends without the interpreter's teardown: the exit handlers must still have run
    # (the one that removes Typst's private folder, which holds the customer's data), and all
    # output must have reached the pipe.
    temp = tmp_path / "temp"
    temp.mkdir()
    shutil.copy(EXAMPLES, project_dir / "customers.csv")
    imported = _run(project_dir, temp, "customers", "import", "customers.csv")
    assert imported.returncode == 0, imported.stderr
    built = _run(project_dir, temp, "build", "--customer", "C-1042", "--format", "pdf",
                 "-o", str(tmp_path / "out"))
    assert built.returncode == 0, built.stderr
    assert built.stdout.strip().endswith("C-1042-verwerkersovereenkomst-1.0.pdf")
    assert (tmp_path / "out" / "C-1042-verwerkersovereenkomst-1.0.pdf").stat().st_size > 10_000
    assert list(temp.iterdir()) == []


def test_an_error_keeps_its_exit_code_and_its_one_line(project_dir: Path, tmp_path: Path) -> None:
    proc = _run(project_dir, tmp_path, "show", "9.9")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.startswith("assembler: error: unknown version or ref '9.9'")


def test_a_profiler_still_gets_to_write_its_results(project_dir: Path, tmp_path: Path) -> None:
    stats = tmp_path / "versions.prof"
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSEMBLER_")}
    env.update({"PYTHONPATH": str(ROOT), "ASSEMBLER_ROOT": str(project_dir)})
    proc = subprocess.run([sys.executable, "-m", "cProfile", "-o", str(stats), "-m", "assembler",
                           "versions"], cwd=project_dir, capture_output=True, text=True, env=env,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "verwerkersovereenkomst 1.0" in proc.stdout
    assert stats.stat().st_size > 1000



GC_PROBE = """
import atexit, gc, json, sys
loaded = []  # per collection: had the command's module been loaded yet?
gc.callbacks.append(lambda phase, info: phase == "start"
                    and loaded.append("assembler.cli.agreement" in sys.modules))
atexit.register(lambda: print(json.dumps({"loaded": loaded, "enabled": gc.isenabled(),
                                          "frozen": gc.get_freeze_count()})))
import assembler.__main__
sys.argv = ["assembler", "versions"]
loaded.clear()  # the collections of this script's own imports
assembler.__main__.main()
"""


def test_the_program_loads_without_collecting_garbage_and_then_collects(project_dir: Path) -> None:
    # ~85 collections used to run while the modules loaded (15–20 ms of a bulk command's start),
    # none of which could free anything. The command itself must run with the collector on, and
    # what was loaded must be out of its way (frozen).
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSEMBLER_")}
    env.update({"PYTHONPATH": str(ROOT), "ASSEMBLER_ROOT": str(project_dir)})
    proc = subprocess.run([sys.executable, "-c", GC_PROBE], cwd=project_dir, capture_output=True,
                          text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    *out, last = proc.stdout.splitlines()
    seen = json.loads(last)
    assert any("verwerkersovereenkomst 1.0" in line for line in out)
    assert False not in seen["loaded"]
    assert seen["enabled"] is True
    assert seen["frozen"] > 20_000
