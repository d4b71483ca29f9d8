"""Run the command line with its stderr on a terminal (a pty), as a user at a shell sees it."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path


def run_on_terminal(args: list[str], cwd: Path, env: dict[str, str],
                    timeout: float = 120) -> tuple[int, str, str]:
    """Run `assembler ARGS` with stderr on a pty and stdout on a pipe.

    Return (exit code, what the terminal showed, stdout): the progress bars are drawn only when
    stderr is a terminal, and a summary on stdout stays clean for scripts.
    """
    controller, terminal = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "assembler", *args], cwd=cwd,
                            env={"COLUMNS": "100", **env}, stdout=subprocess.PIPE,
                            stderr=terminal, text=True)
    os.close(terminal)
    chunks = []
    while True:
        try:
            chunk = os.read(controller, 4096)
        except OSError:  # the other end closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(controller)
    stdout = proc.stdout.read() if proc.stdout else ""
    code = proc.wait(timeout)
    return code, b"".join(chunks).decode("utf-8", "replace"), stdout
