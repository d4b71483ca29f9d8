"""The program's entry point (`assembler`, `python -m assembler`): run a command, then end at once.

A command that loaded Typst, docxtpl and GitPython spends ~0.1 s after its last line freeing
every module and object, one by one (measured: 75–100 ms on the machine of the README's
figures), before the process may end: for a bulk job of 200 customers that is a twentieth of its
time, for a short command a third. None of that freeing is needed. So after the command has
returned, what any exit does first is done here too: the threads still running are waited for and
the exit handlers run (`atexit`: the finalizers that remove Typst's private folders, the pool's
clean-up); then standard output and error are flushed, and the process
ends with `os._exit`, with the command's exit code. Every file the commands write is closed and
synced by the time they return (`assembler.fsutil`), and the registry's transactions are
committed inside their `with` blocks, so nothing waits for the teardown.

Nor is collecting garbage while the program loads: its imports make some hundred thousand objects
(modules, classes, functions) that live until the process ends, and the cyclic garbage
collector, which starts a collection whenever 700 more objects were made than freed, ran ~85
collections that freed nothing: 15–20 ms of a bulk command's ~0.3 s start, before anything else
can begin (measured with `gc.callbacks`). So `assembler.__main__` turns it off before the first
module is imported; it is on again once the command begins, and what exists then is frozen
(`collect_from_here`), so that no later collection scans it again.
"""

from __future__ import annotations

import atexit
import gc
import os
import sys
import threading
from typing import NoReturn


def exit_code(code: object) -> int:
    """Return the process exit code of a `SystemExit` code, as the interpreter does.

    None is 0; a number is itself; anything else (``sys.exit("message")``) is printed on stderr and
    is 1.
    """
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


def _flush() -> bool:
    """Flush stdout and stderr; return False when a reader went away (a closed pipe)."""
    ok = True
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BrokenPipeError:  # `assembler customers list | head -1`: end quietly, as click does
            ok = False
        except (OSError, ValueError):  # a stream already closed, or gone: nothing left to say
            pass
    return ok


def collect_from_here() -> None:
    """Turn the garbage collector on for what the command makes from now on (see the module).

    Everything made so far is kept out of every later collection (`gc.freeze`): it lives until
    the process ends. Does nothing when the collector is already on: the CLI called from Python,
    as the tests do, rather than through `assembler.__main__.main`.
    """
    if not gc.isenabled():
        gc.freeze()
        gc.enable()


def run() -> NoReturn:
    """Run the command line with the process's arguments and end the process with its exit code."""
    from assembler.cli import main

    try:
        main(prog_name="assembler")
        code = 0
    except SystemExit as exc:
        code = exit_code(exc.code)
    # What an ordinary exit does before it frees anything, in the same order: wait for the
    # threads still running (a flush in the background), then run the exit handlers.
    threading._shutdown()  # type: ignore[attr-defined]  # noqa: SLF001
    atexit._run_exitfuncs()  # noqa: SLF001
    if not _flush() and code == 0:
        code = 1  # as click exits when stdout's reader went away
    if sys.getprofile() is not None or sys.gettrace() is not None:
        # Under a profiler or a debugger (`python -m cProfile -m assembler …`), which writes its
        # results after the program: end as usual.
        sys.exit(code)
    os._exit(code)
