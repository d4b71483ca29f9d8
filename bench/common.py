"""Timing helpers for the bench scripts: medians over repeated runs, fresh-process wall time."""

from __future__ import annotations

import functools
import os
import re
import select
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

from assembler.agreement.history import Author
from assembler.agreement.project_copy import copy_project

ROOT = Path(__file__).resolve().parent.parent

BENCH_AUTHOR = Author("b", "b@example.com")
"""Who the benches' throwaway commits are by."""


def git(cwd: Path, *args: str) -> None:
    """Run git in `cwd` with a fixed identity (the benches make throwaway repositories)."""
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                   env={**os.environ, "GIT_AUTHOR_NAME": "b", "GIT_AUTHOR_EMAIL": "b@example.com",
                        "GIT_COMMITTER_NAME": "b", "GIT_COMMITTER_EMAIL": "b@example.com"})


def fresh_repo(dest: Path) -> Path:
    """Copy this project's contracts/ and versions/ to `dest`, as a git repository with one commit."""
    return copy_project(ROOT, dest, message="1.0", author=BENCH_AUTHOR)


def edit_clause(folder: Path, i: int) -> Path:
    """Make edit number `i`: append "(wijziging i)" to the first sentence end of one article file
    (a different file each time, round the articles); return the file."""
    files = sorted(p for p in folder.glob("[01]*.md") if p.name != "00-preambule.md")
    f = files[i % len(files)]
    text = f.read_text(encoding="utf-8")
    f.write_text(re.sub(r"\.\n", f" (wijziging {i}).\n", text, count=1), encoding="utf-8")
    return f


@functools.cache
def compiled(code: Path, python: str = sys.executable) -> Path:
    """Return `code`, a checkout, once `python` has its modules' bytecode on disk.

    Where PYTHONDONTWRITEBYTECODE is set (this machine's shells set it), a checkout that never had
    its modules compiled (a fresh baseline worktree), or whose files changed since, compiles them
    from source in every process it starts: measured, 25–30 ms of each start that is not the
    code's. So each checkout is compiled once, before the first process a bench starts with it.
    """
    subprocess.run([python, "-m", "compileall", "-q", str(code / "assembler")], check=True,
                   stdout=subprocess.DEVNULL, env={k: v for k, v in os.environ.items()
                                                   if k != "PYTHONDONTWRITEBYTECODE"})
    return code


def wait_sampling(proc: subprocess.Popen[str], start: float,
                  sample: Callable[[], float]) -> float:
    """Wait for `proc` to end, calling `sample()` meanwhile; return the seconds from `start` to its end.

    `sample` returns how long to wait before it is called again. The end is seen as it happens
    (Linux: a pidfd that becomes readable then), not at the next sample: a loop of poll and
    sleep(50 ms) read each wall up to 50 ms late, 25 ms on average, which is 2 % of a run of 200
    notices on two cores and half that in their share of the CPU bound.
    """
    fd = os.pidfd_open(proc.pid)
    try:
        while not select.select([fd], [], [], sample())[0]:
            pass
        end = time.perf_counter()
    finally:
        os.close(fd)
    proc.wait()
    return end - start


T = TypeVar("T")


def in_turn(variants: Sequence[T], round_no: int) -> list[T]:
    """Return `variants` in the order round `round_no` runs them: reversed every other round.

    On this machine the order of two runs moves their figures: 15 paired runs of two codes gave
    a wall ratio of 0.98 with one first and 1.00 with the other first. So no variant always goes
    first. (It does not remove the scatter between sets of rounds: the same code came out 3–4
    points of share apart in sets run either way.)
    """
    return list(variants) if round_no % 2 == 0 else list(reversed(variants))


def median_ms(fn: Callable[[], object], runs: int = 30, warmup: int = 3) -> float:
    """Return the median wall time of `fn()` in milliseconds."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def with_and_without(fn: Callable[[], object], switched: Sequence[tuple[object, str]],
                     replacement: object, rounds: int, runs: int, warmup: int) -> tuple[float, float]:
    """Return the median ms of `fn()` as it is, and with the `switched` attributes replaced.

    Each entry of `switched` is (module, attribute name); `replacement` stands in for all of them
    (a function that returns its input unchanged: the step switched off). The two alternate,
    `rounds` times, so that load from other processes hits both alike; the attributes are put
    back after each round, whatever happens.
    """
    saved = [getattr(module, name) for module, name in switched]
    kept, off = [], []
    for _ in range(rounds):
        kept.append(median_ms(fn, runs=runs, warmup=warmup))
        for module, name in switched:
            setattr(module, name, replacement)
        try:
            off.append(median_ms(fn, runs=runs, warmup=warmup))
        finally:
            for (module, name), value in zip(switched, saved, strict=True):
                setattr(module, name, value)
    return statistics.median(kept), statistics.median(off)


def process_s(args: list[str], runs: int = 5, cwd: Path = ROOT, env: dict[str, str] | None = None) -> float:
    """Return the median wall time, in seconds, of running `python -m assembler ARGS` afresh."""
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "assembler", *args], cwd=cwd, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       env={**os.environ, **(env or {})})
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def report(name: str, value: float, unit: str, target: str, ok: bool) -> None:
    """Print one figure: name, median, target and whether it is met."""
    print(f"{name:<58} {value:>10.2f} {unit:<6} target {target:<10} {'ok' if ok else 'MISSED'}",
          flush=True)
