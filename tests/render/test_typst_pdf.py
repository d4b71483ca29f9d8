"""Typst's private folders: customers' data never stays in the system's temp folder, after a pool or a kill -9."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from assembler.render import typst_pdf
from tests.conftest import ROOT

KILLED = """
import os, signal
from assembler.render.typst_pdf import FileDataTemplate
t = FileDataTemplate("notice_letter.typ")
(t._dir / "customer.json").write_text('{"company_name": "Bakkerij De Gouden Korrel B.V."}')
print(t._dir, flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_the_folder_of_a_killed_process_is_removed_at_the_next_start(monkeypatch: pytest.MonkeyPatch) -> None:
    proc = subprocess.run([sys.executable, "-c", KILLED], capture_output=True, text=True,
                          env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}, timeout=60)
    assert proc.returncode == -9
    left = Path(proc.stdout.strip())
    assert (left / "customer.json").is_file()  # kill -9: nobody could clean up
    monkeypatch.setattr(typst_pdf, "_swept", False)
    ours = typst_pdf.FileDataTemplate("notice_letter.typ")
    assert not left.exists()
    assert ours._dir.is_dir()  # a live process's folder is left alone



POOL = """
import os, sys, threading, time
from assembler.pool import PoolOptions, WorkerPool
from tests.render.worker_folder import folder_of_a_worker

if sys.argv[1] == "forkserver":  # a second thread makes forking unsafe: the pool uses a forkserver
    threading.Thread(target=time.sleep, args=(60,), daemon=True).start()
with WorkerPool(PoolOptions(2, chunk=1)) as pool:
    print(pool.method)
    seen = set(pool.map(range(6), folder_of_a_worker, init=int, initargs=()))
for pid, folder in sorted(seen):
    print(pid, os.path.exists(folder))
"""


@pytest.mark.parametrize("start", ["fork", "forkserver"])
def test_a_workers_folder_is_removed_when_the_pool_ends(start: str) -> None:
    # A worker ends without running `atexit` (multiprocessing), so a `weakref.finalize` alone
    # left its folder, with its last customer's name and address, until the next run swept it.
    proc = subprocess.run([sys.executable, "-c", POOL, start], capture_output=True, text=True,
                          env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}, timeout=120)
    assert proc.returncode == 0, proc.stderr
    method, *workers = proc.stdout.splitlines()
    assert method == start and workers
    assert [line.split()[1] for line in workers] == ["False"] * len(workers)
