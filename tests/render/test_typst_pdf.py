"""Typst's private folders: customers' data never stays in the system's temp folder after a kill -9."""

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
