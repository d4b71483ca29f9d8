"""Writing files so that a failure never leaves half a file behind, nor a power cut an empty one.

The data is fsynced before the rename and the folder after it: without the first, a crash
soon after can leave the new name pointing at an empty file; without the second, the rename
itself can be lost. A bulk job syncs each folder once per chunk of customers instead of after
every file (`folder_syncs_deferred`), before the chunk's results are recorded.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

from assembler.errors import InputError, OutputError

MB = 1024 * 1024


_deferred: set[Path] | None = None
"""Folders whose renames still need a sync, while `folder_syncs_deferred` is active."""


@contextlib.contextmanager
def folder_syncs_deferred() -> Iterator[None]:
    """Sync each folder the atomic writes in this block renamed into once, when the block ends.

    A bulk job writes two or three files per customer into the same folder; syncing that folder
    after every rename costs a disk flush each time. Deferred, each folder is flushed once, when the
    block ends: the block is one chunk of a bulk job, and its results (the hashes the ledger
    records) are handed on only after it, so nothing is recorded as written before its rename is
    durable. Each file's own data are still flushed before its rename, so a crash never leaves a
    name pointing at an empty file. Not reentrant: an inner block joins the outer one.
    """
    global _deferred
    if _deferred is not None:
        yield
        return
    pending: set[Path] = set()
    _deferred = pending
    try:
        yield
    finally:
        _deferred = None
    for folder in sorted(pending, key=lambda f: len(f.parts), reverse=True):  # children first
        try:
            _fsync_folder(folder)
        except OSError as exc:
            raise OutputError(f"{folder}: cannot sync: {exc.strerror or exc}") from exc


def _sync_folder(folder: Path) -> None:
    """Make the renames in `folder` durable now, or at the end of a `folder_syncs_deferred` block."""
    if _deferred is not None:
        _deferred.add(folder)
    else:
        _fsync_folder(folder)


def _temp_beside(path: Path) -> tuple[int, Path]:
    """Create the folder of `path` if need be and a temporary file beside it; return (fd, path)."""
    try:
        missing = []
        folder = path.parent
        while not folder.is_dir() and folder != folder.parent:
            missing.append(folder)
            folder = folder.parent
        if missing:
            path.parent.mkdir(parents=True, exist_ok=True)
            for made in missing:  # each new folder's own name must last too
                _sync_folder(made.parent)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise OutputError(f"{path}: cannot write: {exc.strerror or exc}") from exc
    return fd, Path(tmp)


def _commit(tmp_path: Path, path: Path, mode: int | None) -> None:
    """Rename the finished, flushed `tmp_path` over `path` and sync the folder (now or later)."""
    if mode is not None:
        os.chmod(tmp_path, mode)
    os.replace(tmp_path, path)
    _sync_folder(path.parent)


@contextlib.contextmanager
def atomic_path(path: Path, mode: int | None = None) -> Iterator[Path]:
    """Yield a temporary path beside `path`; rename it over `path` only if the block succeeds."""
    path = Path(path)
    fd, tmp_path = _temp_beside(path)
    os.close(fd)
    try:
        yield tmp_path
        _fsync(tmp_path)
        _commit(tmp_path, path, mode)
    except OSError as exc:
        tmp_path.unlink(missing_ok=True)
        raise OutputError(f"{path}: cannot write: {exc.strerror or exc}") from exc
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_folder(folder: Path) -> None:
    """Make a rename in `folder` durable; Windows cannot open a folder and needs no such step."""
    if os.name == "nt":
        return
    _fsync(folder)


def atomic_write_bytes(path: Path, data: bytes, mode: int | None = None) -> None:
    """Write `data` to `path` atomically.

    Written and flushed through the temporary file's own descriptor: one open instead of three.
    """
    path = Path(path)
    fd, tmp_path = _temp_beside(path)
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        finally:
            os.close(fd)
        _commit(tmp_path, path, mode)
    except OSError as exc:
        tmp_path.unlink(missing_ok=True)
        raise OutputError(f"{path}: cannot write: {exc.strerror or exc}") from exc
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise


def atomic_write_text(path: Path, text: str, mode: int | None = None) -> None:
    """Write `text` (UTF-8, LF line ends) to `path` atomically."""
    atomic_write_bytes(path, text.encode("utf-8"), mode)


def read_limited(path: Path, limit: int, what: str) -> bytes:
    """Return the bytes of `path`, refusing (InputError) a file larger than `limit` bytes.

    Reads at most `limit` + 1 bytes, so `/dev/zero` or a mistaken multi-gigabyte file is
    refused at once instead of filling the memory.
    """
    try:
        with open(path, "rb") as f:
            data = f.read(limit + 1)
    except FileNotFoundError:
        raise InputError(str(path), None, "no such file") from None
    except OSError as exc:
        raise InputError(str(path), None, f"cannot read: {exc.strerror or exc}") from None
    if len(data) > limit:
        raise InputError(str(path), None, f"larger than {limit // MB} MB: too large for {what}")
    return data


def safe_name(text: str) -> str:
    """Return `text` usable as one file or folder name: only letters, digits, ``_.-``; no ``..``.

    A customer id ``../../x`` from a damaged registry must never name a path outside the
    output folder.
    """
    name = re.sub(r"[^A-Za-z0-9_.-]", "_", text)
    return "_" + name if name.startswith(".") or not name else name


def inside(folder: Path, name: str) -> Path:
    """Return ``folder / name``, refusing (OutputError) a path that would leave `folder`."""
    path = folder / name
    if not path.resolve().is_relative_to(folder.resolve()) or path.name != name:
        raise OutputError(f"{name!r}: not a file name inside {folder}")
    return path
