"""Run `assembler ARGS` and note when each process did its first and last job (for bench_start_up).

Usage: ``python bench/start_up_probe.py OUT MODULE:FUNCTION ARGS...``, with the python of the
checkout under test (its `assembler` is the one imported). The command starts as
``python -m assembler`` starts it (its ``__main__``, run by `runpy`), and nothing of it is
imported before: FUNCTION, the function a bulk job calls once per customer, is wrapped as soon
as its module has been loaded (an import hook, `_WrapOnLoad`). Each process that called it
appends one JSON line to OUT when it ends: its first call's start and its last call's end, in
seconds since the command's process started, how many calls, its CPU (user + system, all its
threads) and the part of it spent before the first call. The command's own process adds a line
with ``"end"``, when its command returned.
"""

from __future__ import annotations

import functools
import importlib.abc
import importlib.machinery
import json
import os
import resource
import runpy
import sys
import time
from collections.abc import Sequence
from types import ModuleType
from typing import Any, NoReturn


def _since_start() -> float:
    """Return the seconds since this process started (its start time from /proc)."""
    with open("/proc/self/stat", encoding="ascii") as f:
        started = int(f.read().rsplit(")", 1)[1].split()[19])
    with open("/proc/uptime", encoding="ascii") as f:
        up = float(f.read().split()[0])
    return up - started / os.sysconf("SC_CLK_TCK")


T0 = time.perf_counter() - _since_start()
"""The command's start on this process's clock; forked workers inherit it."""
OUT, TARGET, ARGS = sys.argv[1], sys.argv[2], sys.argv[3:]
seen: dict[str, Any] = {}


def _cpu() -> float:
    """Return this process's CPU so far (user + system, all its threads)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _note(**extra: object) -> None:
    line = {"pid": os.getpid(), **seen, "cpu": _cpu(), **extra}
    with open(OUT, "a", encoding="utf-8") as f:
        f.write(json.dumps(line) + "\n")


def _wrap(module: Any, name: str) -> None:
    work = getattr(module, name)

    @functools.wraps(work)  # the pool sends it by name: its workers find this wrapper
    def timed(*args: object, **kwargs: object) -> object:
        start = time.perf_counter() - T0
        if "first" not in seen:
            seen.update(first=start, cpu_before=_cpu())
        try:
            return work(*args, **kwargs)
        finally:
            seen["last"] = time.perf_counter() - T0
            seen["calls"] = seen.get("calls", 0) + 1

    setattr(module, name, timed)


_real_exit = os._exit


def _exit(status: int) -> NoReturn:  # how pool workers (and the command, without teardown) end
    if seen or os.getpid() == PARENT:
        _note(**({"end": time.perf_counter() - T0} if os.getpid() == PARENT else {}))
    _real_exit(status)


class _WrapOnLoad(importlib.abc.MetaPathFinder):
    """Find MODULE as the path finder does, and wrap its FUNCTION once the module has run."""

    def __init__(self, module: str, function: str) -> None:
        self.module, self.function = module, function

    def find_spec(self, fullname: str, path: Sequence[str] | None,
                  target: ModuleType | None = None) -> importlib.machinery.ModuleSpec | None:
        if fullname != self.module:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path, target)
        if spec is None or spec.loader is None:
            return spec
        loader, function = spec.loader, self.function

        class Wrapping(importlib.abc.Loader):
            def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
                return loader.create_module(spec)

            def exec_module(self, module: ModuleType) -> None:
                loader.exec_module(module)
                _wrap(module, function)

        spec.loader = Wrapping()
        return spec


PARENT = os.getpid()
module_name, function = TARGET.split(":")
sys.meta_path.insert(0, _WrapOnLoad(module_name, function))
os._exit = _exit
sys.argv = ["assembler", *ARGS]
runpy.run_module("assembler", run_name="__main__", alter_sys=True)  # ends with os._exit, `_exit`
