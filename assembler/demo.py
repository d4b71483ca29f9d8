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


def step_redlines() -> None:
    """Redlines between versions."""
    # (issue 3: fills this in)


# --- customer contracts (issue 4) ---


DEMO_REGISTRY = ROOT / "var" / "demo-registry.sqlite3"


def step_contracts() -> None:
    """Customer contracts: the demo registry and per-customer DOCX and PDF."""
    registry = ["--registry", str(DEMO_REGISTRY.relative_to(ROOT))]
    if not DEMO_REGISTRY.exists():
        run(*registry, "customers", "import", "examples/customers.csv")
    else:
        print(f"\n(demo registry {DEMO_REGISTRY.relative_to(ROOT)} exists; not importing again)")
    run(*registry, "customers", "list")
    run(*registry, "customers", "show", "C-1042")
    run(*registry, "build", "--customer", "C-1042", "--format", "docx,pdf",
        "-o", str(OUT.relative_to(ROOT)))


# --- signing (issue 5) ---


def step_signing() -> None:
    """A signed PDF for one customer, and its verification."""
    # (issue 5: fills this in)


# --- notices (issue 6) ---


def step_notices() -> None:
    """Revision notices under art. 11.2."""
    # (issue 6: fills this in)


# --- site (issue 7) ---


def step_site() -> None:
    """The published history of the agreement."""
    # (issue 7: fills this in)


STEPS: list[Callable[[], None]] = [
    step_foundation,
    step_redlines,
    step_contracts,
    step_signing,
    step_notices,
    step_site,
]


def _placeholder() -> None:
    """Nothing."""


def main() -> None:
    """Run every demo step."""
    OUT.mkdir(parents=True, exist_ok=True)
    for step in STEPS:
        if step.__code__.co_code == _placeholder.__code__.co_code:
            continue  # a step no issue has filled in yet
        print(f"\n=== {step.__doc__}", flush=True)
        step()
    print(f"\nDemo done. Output in {OUT.relative_to(ROOT)}/")


if __name__ == "__main__":
    main()
