"""The start-up of each bulk command in instructions: a count that the shared machine cannot move.

A bulk run of 200 customers spends its first ~0.2 s on one core: Python's start, the imports of
the command, its plan. Wall and CPU times of that part scatter by ±20 % from run to run here, more
than any one change to it saves; the number of instructions it executes does not. Per command
this counts, with valgrind's callgrind, the instructions of `python -m assembler COMMAND --help`
(Python's start and every module the command imports before it does anything; click's help text
is the same few for all), with PYTHONHASHSEED=0, once for this checkout and, with
BENCH_BULK_BASELINE (a checkout with its own .venv), for that one; and of `python -c pass`, the
part no change of ours can touch. Prints millions of instructions and the ratio to the baseline.
Needs valgrind (`apt-get install valgrind`); prints why and stops without it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_bulk import BASELINE, python_of  # noqa: E402

COMMANDS = [["build"], ["notices", "build"], ["subprocessors", "build"], ["incidents", "build"],
            ["check"]]
"""The bulk commands, and `check` (what CI runs on every pull request) for comparison."""


def instructions(python: Path, args: list[str], cwd: Path) -> int:
    """Return the instructions callgrind counts for `python ARGS` (the main process only)."""
    env = {**os.environ, "PYTHONHASHSEED": "0", "ASSEMBLER_ROOT": str(cwd)}
    done = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
                           str(python), *args], cwd=cwd, env=env, capture_output=True, text=True,
                          check=True)
    found = re.search(r"Collected : (\d+)", done.stderr)
    if found is None:
        raise RuntimeError(f"callgrind printed no count: {done.stderr[-300:]}")
    return int(found.group(1))


def main() -> None:
    """Count each command's start-up for this checkout and the baseline; print them side by side."""
    if shutil.which("valgrind") is None:
        print("bench_start_up_instructions: valgrind is not installed; nothing measured")
        return
    here = Path(__file__).resolve().parent.parent
    codes = [("ours", here)] + ([("baseline", Path(BASELINE))] if BASELINE else [])
    pythons = {label: python_of(code) for label, code in codes}
    rows = [("python -c pass", ["-c", "pass"])] + [
        (f"{' '.join(c)} --help", ["-m", "assembler", *c, "--help"]) for c in COMMANDS]
    for name, args in rows:
        counts = {label: instructions(pythons[label], args, code) for label, code in codes}
        line = f"{name:<28} " + "  ".join(f"{label} {n / 1e6:7.1f} M" for label, n in counts.items())
        if "baseline" in counts:
            line += f"  ratio {counts['ours'] / counts['baseline']:.3f}"
        print(line, flush=True)


if __name__ == "__main__":
    main()
