"""The lives of a pool's worker processes: how they start, and why none outlives the command.

How workers start: forked from the pool's process when that is safe, else from a forkserver. A
fork copies the imported modules, so a worker costs milliseconds instead of a fresh interpreter
that imports everything again (the 2–4 s a run used to spend before its first document). A fork
is safe only while the process has a single thread (`fork_is_safe`): a Typst compiler runs
threads of its own, and a child forked while one of them holds a lock hangs for ever (measured:
it does). So a process that has already compiled something (a test session, a long-lived
caller) falls back to the forkserver.

Every process a pool starts has ended when its `with` block is left: the workers are joined, and
a forkserver (with its resource tracker) is stopped (`stop_forkserver`). Workers also die with
their parent when it is killed (-9 included): on Linux each asks the kernel for SIGKILL when its
parent goes (``PR_SET_PDEATHSIG``); a forkserver's worker watches the pool's process (a pidfd)
and exits when it ends, after which the forkserver and resource tracker see their pipes close
and exit (`start_worker`).
"""

from __future__ import annotations

import ctypes
import os
import select
import signal
import sys
import threading
import time

PR_SET_PDEATHSIG = 1
"""prctl(2) option: the signal a process receives when its parent ends."""


def fork_is_safe() -> bool:
    """Return whether this process may fork workers: Linux, and only one thread running.

    Counted in /proc, not with `threading`, because threads started by Rust (Typst) are invisible
    to Python.
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        return len(os.listdir("/proc/self/task")) == 1
    except OSError:
        return False


def start_worker(parent: int, forked: bool) -> None:
    """Tie this worker's life to its `parent`'s (the process that made the pool)."""
    if forked and sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if os.getppid() != parent:  # the parent died before the request took effect
            os._exit(1)
    elif not forked:
        # A forkserver's worker is the forkserver's child, and the forkserver lives as long as
        # its workers hold the pipe it watches: so each worker watches the pool's process itself.
        threading.Thread(target=_exit_with, args=(parent,), daemon=True).start()


def _exit_with(pid: int) -> None:
    """End this process as soon as process `pid` has ended."""
    try:
        fd = os.pidfd_open(pid)
    except (AttributeError, OSError):  # not Linux >= 5.3: look twice a second
        while alive(pid):
            time.sleep(0.5)
    else:
        select.select([fd], [], [])
    os._exit(1)


def alive(pid: int) -> bool:
    """Return whether process `pid` runs (another user's counts: it cannot be signalled, but is there)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def stop_forkserver() -> None:
    """Stop the forkserver and the resource tracker, so that no process outlives the command.

    Both would otherwise run until this process exits (they watch a pipe to it).
    """
    from multiprocessing import forkserver, resource_tracker

    forkserver._forkserver._stop()  # type: ignore[attr-defined]
    resource_tracker._resource_tracker._stop()  # type: ignore[attr-defined]
