"""Run every benchmark script under bench/ (bench_*.py) in turn; each prints its own figures."""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> None:
    """Run the bench_*.py scripts named on the command line, or all of them."""
    wanted = set(sys.argv[1:])
    for script in sorted(HERE.glob("bench_*.py")):
        if wanted and script.stem.removeprefix("bench_") not in wanted:
            continue
        print(f"== {script.name}", flush=True)
        runpy.run_path(str(script), run_name="__main__")


if __name__ == "__main__":
    sys.path.insert(0, str(HERE.parent))
    main()
