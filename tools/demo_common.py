"""What every demo step uses: running the assembler as a user does, fresh project copies, local SMTP."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from assembler.agreement.history import Author
from assembler.agreement.project_copy import copy_project

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "build" / "demo"
DEMO_AUTHOR = Author("Demo", "demo@example.com", "2026-11-28T12:00:00Z")
"""Fixed, so the demo's redlines are the same on every run."""


def run(*args: str, root: Path = ROOT, env: dict[str, str] | None = None, check: bool = True) -> int:
    """Run `assembler ARGS…` in the project at `root` as a user would, echoing the command."""
    print(f"\n$ assembler {' '.join(args)}", flush=True)
    proc = subprocess.run([sys.executable, "-m", "assembler", *args], cwd=root,
                          env={**os.environ, "ASSEMBLER_ROOT": str(root), **(env or {})})
    if check and proc.returncode != 0:
        raise SystemExit(f"demo: 'assembler {' '.join(args)}' exited {proc.returncode}")
    return proc.returncode



def git(cwd: Path, *args: str) -> None:
    """Run git in `cwd` as the demo's fixed author, quietly."""
    stamp = "2026-11-28T12:00:00Z"  # fixed, so the demo's redlines are the same on every run
    env = {**os.environ, "GIT_AUTHOR_NAME": "Demo", "GIT_AUTHOR_EMAIL": "demo@example.com",
           "GIT_COMMITTER_NAME": "Demo", "GIT_COMMITTER_EMAIL": "demo@example.com",
           "GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp}
    subprocess.run(["git", "-c", "commit.gpgsign=false", *args], cwd=cwd, check=True, env=env,
                   stdout=subprocess.DEVNULL)


def project_copy(name: str) -> Path:
    """Return a fresh copy of contracts/ and versions/ in build/demo/NAME, committed as v1.0."""
    import shutil

    copy = OUT / name
    shutil.rmtree(copy, ignore_errors=True)
    return copy_project(ROOT, copy, author=DEMO_AUTHOR)



DEMO_REGISTRY = ROOT / "var" / "demo-registry.sqlite3"


def run_in(root: Path, *args: str, env: dict[str, str] | None = None, check: bool = True) -> int:
    """Run `assembler ARGS…` in the project at `root` with that project's own registry."""
    return run(*args, root=root, check=check,
               env={"ASSEMBLER_REGISTRY": str(root / "var" / "registry.sqlite3"), **(env or {})})


@contextmanager
def local_smtp() -> Iterator[tuple[dict[str, str], list[str]]]:
    """Run a local SMTP server (aiosmtpd) on 127.0.0.1 while in the block.

    Yields the environment that points the assembler at it and the list of recipients it
    receives, filled as messages arrive.
    """
    import socket

    from aiosmtpd.controller import Controller

    received: list[str] = []

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            received.append(envelope.rcpt_tos[0])
            return "250 2.0.0 Ok: queued"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    print(f"(a local SMTP server, aiosmtpd, on 127.0.0.1:{port})")
    try:
        yield ({"ASSEMBLER_SMTP_HOST": "127.0.0.1", "ASSEMBLER_SMTP_PORT": str(port),
                "ASSEMBLER_SMTP_SECURITY": "none", "ASSEMBLER_SMTP_SENDER": "privacy@example.nl"},
               received)
    finally:
        controller.stop()



def journey_project(name: str) -> Path:
    """Return a fresh copy of the project in build/demo/NAME with the example customers imported."""
    root = project_copy(name)
    run_in(root, "customers", "import", os.path.relpath(ROOT / "examples" / "customers.csv", root))
    return root


REDLINE_EDITS = [
    ("07-datalekken.md", "Een melding moet altijd worden gedaan, maar alleen als",
     "Een melding moet altijd binnen achtenveertig (48) uur worden gedaan, ook als nog niet "
     "vaststaat dat"),
    ("09-audit.md", "9.2. Deze audit mag plaatsvinden bij een concreet vermoeden van misbruik van "
     "persoonsgegevens.\n\n", ""),
    ("09-audit.md", "9.3. Verwerker zal", "9.2. Verwerker zal"),
    ("09-audit.md", "9.4. De bevindingen", "9.3. De bevindingen"),
    ("09-audit.md", "9.5. De kosten", "9.4. De kosten"),
    ("bijlage-1.toml", "\n[[data_subjects]]",
     '\n[[data_categories]]\nid = "gespreksopnamen"\nlabel = "Gespreksopnamen"\n'
     'services = ["gespreksopname"]\n\n[[data_subjects]]'),
]
"""The demo's concept edit: a reworded clause, a removed clause (the rest renumbered), and a
category added to Bijlage 1's catalogue."""
