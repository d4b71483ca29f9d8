"""When the first document of `notices build` is in place, for a large registry: the start-up alone.

`notices build 1.1` for BENCH_FIRST_N customers (default 10,000) is started as a fresh process and
stopped (its process group killed) as soon as the first customer's document is in place in its
output folder (`bench_bulk.first_document_s`), alternating with the baseline (BENCH_BULK_BASELINE)
for BENCH_FIRST_ROUNDS rounds (default 3): what the start-up costs without waiting a minute and a
half for the rest each time. Also printed: when the first file of any kind appeared
(`bench_bulk.first_file_s`: the redline PDF every notice shares, which this process writes before
the workers get their first customers).
"""

from __future__ import annotations

import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import bench.bench_bulk as bulk  # noqa: E402
from bench.common import in_turn  # noqa: E402

N = int(os.environ.get("BENCH_FIRST_N", "10000"))
ROUNDS = int(os.environ.get("BENCH_FIRST_ROUNDS", "3"))


def first_file(code: Path, root: Path, out: Path) -> tuple[float | None, float | None]:
    """Start `notices build` with `code`; return when its first file and its first document
    appeared, then stop it."""
    start = time.perf_counter()
    proc = subprocess.Popen([str(bulk.python_of(code)), "-m", "assembler", "notices",
                             "build", "1.1", "-o", str(out)], cwd=code,
                            env={**os.environ, "ASSEMBLER_ROOT": str(bulk.project_for(code, root))},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    file = document = None
    while document is None and proc.poll() is None:
        file = bulk.first_file_s(out, start, file)
        document = bulk.first_document_s(out, start, None)
        time.sleep(0.01)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    return file, document


def main() -> None:
    """Print each round's first-file and first-document times and the medians, ours and the baseline's."""
    codes = [("ours", Path(__file__).resolve().parent.parent)]
    if bulk.BASELINE:
        codes.append(("baseline", Path(bulk.BASELINE)))
    seen: dict[str, tuple[list[float], list[float]]] = {label: ([], []) for label, _ in codes}
    with tempfile.TemporaryDirectory(prefix="bench-first-") as t:
        tmp = Path(t)
        root = bulk.NOTICES.make_project(tmp / "p", N)
        for r in range(ROUNDS):
            for label, code in in_turn(codes, r):
                file, document = first_file(code, root, tmp / f"o-{label}-{r}")
                print(f"round {r} {label}: first file after {file} s, first document after "
                      f"{document} s", flush=True)
                for times, value in zip(seen[label], (file, document), strict=True):
                    if value is not None:
                        times.append(value)
    for label, (files, documents) in seen.items():
        for what, times in (("first file", files), ("first document", documents)):
            if times:
                print(f"{label}: notices build {N}: {what} median {statistics.median(times):.2f} s "
                      f"({min(times):.2f}–{max(times):.2f})")


if __name__ == "__main__":
    main()
