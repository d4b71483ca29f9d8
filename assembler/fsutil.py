"""Writing files so that a failure never leaves half a file behind, nor a power cut an empty one.

The data is fsynced before the rename and the folder after it: without the first, a crash
soon after can leave the new name pointing at an empty file; without the second, the rename
itself can be lost.
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


@contextlib.contextmanager
def atomic_path(path: Path, mode: int | None = None) -> Iterator[Path]:
    """Yield a temporary path beside `path`; rename it over `path` only if the block succeeds."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise OutputError(f"{path}: cannot write: {exc.strerror or exc}") from exc
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        if mode is not None:
            os.chmod(tmp_path, mode)
        _fsync(tmp_path)
        os.replace(tmp_path, path)
        _fsync_folder(path.parent)
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
    """Write `data` to `path` atomically."""
    with atomic_path(path, mode) as tmp:
        tmp.write_bytes(data)


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
