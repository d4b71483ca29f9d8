"""A job for a pool's worker that makes its Typst folder: importable without the test session's setup.

`tests/conftest.py` compiles with Typst when imported, which starts threads; a pool's script that
imported it could no longer fork.
"""

from __future__ import annotations

import os

from assembler.render import typst_pdf


def folder_of_a_worker(_: int) -> tuple[int, str]:
    """Make this worker's private folder (as its first render does); return its pid and the folder."""
    folder = typst_pdf.file_data_template("notice_letter.typ")._dir
    assert folder.is_dir() and folder.name.startswith(f"{typst_pdf.FOLDER_PREFIX}{os.getpid()}-")
    return os.getpid(), str(folder)
