"""Typst: the only module that imports typst.

Data reaches a template only through ``sys.inputs.data``, one JSON string, which the template
reads with ``json(bytes(sys.inputs.data))``: a string in JSON is always literal text, so a customer
name like ``#read("/etc/passwd")`` prints as itself and never runs. On the way in, every string
gets its no-break spaces (``render.typography.keep_together``: dates, "48 uur", "artikel 7", …),
so no template and no caller can forget them; document metadata stays plain (keywords and
descriptions are left alone, and the templates write the title with ordinary spaces). Fonts are
only those embedded in the typst wheel and those shipped in ``templates/fonts/``
(``ignore_system_fonts``), so every machine produces the same bytes; the creation timestamp is
passed in, never read from the clock.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import tempfile
from functools import cache
from multiprocessing.util import Finalize
from pathlib import Path
from typing import Any

import typst

from assembler.errors import RenderError
from assembler.fsutil import overwrite_in_place
from assembler.pool.processes import alive
from assembler.render.stream_ends import unambiguous_stream_ends
from assembler.render.typography import METADATA_KEYS, keep_together_in

TEMPLATES = Path(__file__).resolve().parent / "templates"
FONTS = TEMPLATES / "fonts"
PDF_STANDARDS: list[typst.PDFStandard] = ["a-2b", "ua-1"]
"""What every PDF claims and meets: PDF/A-2b (archiving) and PDF/UA-1 (accessible, tagged)."""
"""Fonts shipped in the repository, as fallbacks for what the embedded fonts lack (emoji)."""


def timestamp_of(day: dt.date) -> dt.datetime:
    """Return the fixed creation timestamp used for documents of a given day: midnight UTC."""
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


FOLDER_PREFIX = "assembler-typst-"
"""Private folders are named ``assembler-typst-<pid>-<random>``: the pid tells whose they are."""
_swept = False


def remove_stale_folders() -> None:
    """Remove the private folders of processes that ended without cleaning up (kill -9), once per run.

    They hold customers' names and addresses (the JSON a template reads), so they must not stay
    in the system's temporary folder; a killed process cannot remove its own, so the next one
    does it when it starts rendering.
    """
    global _swept
    if _swept or os.name == "nt":  # Windows cannot probe a pid with signal 0
        return
    _swept = True
    for folder in Path(tempfile.gettempdir()).glob(f"{FOLDER_PREFIX}*-*"):
        pid = folder.name[len(FOLDER_PREFIX):].split("-", 1)[0]
        if pid.isdigit() and int(pid) != os.getpid() and not alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


def _json(data: Any) -> str:
    """Return `data` as the JSON a template reads, its text typeset (no-break spaces bound)."""
    return json.dumps(keep_together_in(data, METADATA_KEYS), ensure_ascii=False)


class Template:
    """A Typst template under render/templates/, compiled with a reused compiler (fonts load once)."""

    def __init__(self, name: str) -> None:
        path = TEMPLATES / name
        if not path.is_file():
            raise RenderError(f"no Typst template {name!r} in {TEMPLATES}")
        self.name = name
        fonts = [str(FONTS)] if FONTS.is_dir() else []
        self._compiler = typst.Compiler(str(path), root=str(TEMPLATES), font_paths=fonts,
                                        ignore_system_fonts=True)

    def render(self, data: dict[str, Any], timestamp: dt.datetime, pdf_a: bool = True) -> bytes:
        """Return the PDF of the template filled with `data` (PDF/A-2b and PDF/UA-1 if `pdf_a`)."""
        try:
            pdf = self._compiler.compile(
                format="pdf",
                sys_inputs={"data": _json(data)},
                pdf_standards=list(PDF_STANDARDS) if pdf_a else [],
                timestamp=timestamp,
            )
        except typst.TypstError as exc:
            raise RenderError(f"Typst template {self.name}: {exc.message}") from exc
        assert isinstance(pdf, bytes)
        return unambiguous_stream_ends(pdf)

    def query(self, data: dict[str, Any], label: str) -> list[Any]:
        """Return the values of the ``metadata(...) <label>`` elements the template places.

        Templates use this to report, for instance, where a signature block landed.
        """
        try:
            self._compiler.compile(format="pdf", sys_inputs={"data": _json(data)})
            out = self._compiler.query(f"<{label}>", field="value", format="json")
        except typst.TypstError as exc:
            raise RenderError(f"Typst template {self.name}: {exc.message}") from exc
        result: list[Any] = json.loads(out)
        return result


@cache
def template(name: str) -> Template:
    """Return the (cached) template `name`, e.g. ``"contract.typ"``."""
    return Template(name)


class FileDataTemplate:
    """A template that reads its data from JSON files, for many documents sharing most of their data.

    Typst reuses its layout from one compile to the next only for what did not change, and a new
    ``sys.inputs`` counts as a change of everything (it is part of Typst's standard library). So a
    template that renders thousands of documents reads ``json("shared.json")`` (the same for all)
    and ``json("customer.json")`` (one document's part) from a private folder holding only a copy of
    the template and those files: JSON strings stay literal text, exactly as with ``sys.inputs``,
    and the template cannot see the project. For a customer's contract this makes a compile about
    four times faster (measured in bench/bench_contracts.py).
    """

    def __init__(self, name: str) -> None:
        source = TEMPLATES / name
        if not source.is_file():
            raise RenderError(f"no Typst template {name!r} in {TEMPLATES}")
        self.name = name
        remove_stale_folders()
        self._dir = Path(tempfile.mkdtemp(prefix=f"{FOLDER_PREFIX}{os.getpid()}-"))
        # Removed when the template goes, or when the process ends: multiprocessing's finalizers
        # run at a normal exit and also when a pool's worker process ends (which skips `atexit`
        # and so `weakref.finalize`); one made by another process (forked) never runs here.
        Finalize(self, shutil.rmtree, (self._dir, True), exitpriority=0)
        shutil.copyfile(source, self._dir / name)
        fonts = [str(FONTS)] if FONTS.is_dir() else []
        self._compiler = typst.Compiler(str(self._dir / name), root=str(self._dir),
                                        font_paths=fonts, ignore_system_fonts=True)
        self._written: dict[str, bytes] = {}

    def _write(self, files: dict[str, Any]) -> None:
        """Write the changed data files over the old ones, in place.

        In place, not through a new file and a rename: a rename frees the old file's inode, and
        on ext4 without a journal each new file the run creates later is allocated past the
        recently freed ones (the kernel's ``recently_deleted``: ~5 % of a bulk run's CPU, seen
        with ``perf record``); and over the old bytes, not truncated first (`overwrite_in_place`).
        Nothing reads these files but this process's compiler, which re-reads them at each
        compile and compares their content (typst-py's file fingerprint).
        """
        for filename, value in files.items():
            data = _json(value).encode("utf-8")
            if self._written.get(filename) != data:
                overwrite_in_place(self._dir / filename, data)
                self._written[filename] = data

    def render(self, files: dict[str, Any], timestamp: dt.datetime, pdf_a: bool = True) -> bytes:
        """Return the PDF of the template with `files` (name -> JSON value) beside it."""
        return self.render_and_query(files, timestamp, None, pdf_a)[0]

    def render_and_query(self, files: dict[str, Any], timestamp: dt.datetime, label: str | None,
                         pdf_a: bool = True) -> tuple[bytes, list[Any]]:
        """Return the PDF and the values of the ``metadata(...) <label>`` elements it places.

        The query runs first, then the compile: typst-py (0.15) re-reads changed files at the
        start of a compile but not after a query, so a compile that follows a query of other data
        would silently render the old files (a test pins this order).
        """
        self._write(files)
        try:
            values: list[Any] = []
            if label is not None:
                values = json.loads(self._compiler.query(f"<{label}>", field="value", format="json"))
            pdf = self._compiler.compile(format="pdf", pdf_standards=list(PDF_STANDARDS) if pdf_a else [],
                                         timestamp=timestamp)
        except typst.TypstError as exc:
            raise RenderError(f"Typst template {self.name}: {exc.message}") from exc
        assert isinstance(pdf, bytes)
        return unambiguous_stream_ends(pdf), values


@cache
def file_data_template(name: str) -> FileDataTemplate:
    """Return the (cached, one per process) file-data template `name`."""
    return FileDataTemplate(name)
