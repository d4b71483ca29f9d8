"""`make demo`: the main job on the embedded defaults, step by step, printing what it does.

Each step is a function; later issues add theirs to STEPS. Everything the demo writes goes to
build/demo/ and var/ (both ignored by git).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "build" / "demo"


def run(*args: str, check: bool = True) -> int:
    """Run `assembler ARGS…` as a user would, echoing the command."""
    print(f"\n$ assembler {' '.join(args)}", flush=True)
    proc = subprocess.run([sys.executable, "-m", "assembler", *args], cwd=ROOT,
                          env={**os.environ, "ASSEMBLER_ROOT": str(ROOT)})
    if check and proc.returncode != 0:
        raise SystemExit(f"demo: 'assembler {' '.join(args)}' exited {proc.returncode}")
    return proc.returncode


def step_foundation() -> None:
    """The agreement: its versions, its check, and version 1.0 as text."""
    run("versions")
    run("check")
    run("show", "1.0", "--format", "text")


# --- redlines (issue 3) ---


# --- customer contracts (issue 4) ---


# --- signing (issue 5) ---


# --- notices (issue 6) ---


# --- site (issue 7) ---


STEPS: list[Callable[[], None]] = [
    step_foundation,
]


def main() -> None:
    """Run every demo step."""
    OUT.mkdir(parents=True, exist_ok=True)
    for step in STEPS:
        print(f"\n=== {step.__doc__}", flush=True)
        step()
    print(f"\nDemo done. Output in {OUT.relative_to(ROOT)}/")


if __name__ == "__main__":
    main()
