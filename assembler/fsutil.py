"""Writing files so that a failure never leaves half a file behind, nor a power cut an empty one.

The data is flushed before the rename and the folder after it: without the first, a crash
soon after can leave the new name pointing at an empty file; without the second, the rename
itself can be lost. One file is flushed with fsync (file, then folder). A bulk job writes a
chunk of customers' files under temporary names first (`staged_writes`) and makes them durable
together (`commit_staged`): one syncfs for their data, the renames, one syncfs for the names,
before the chunk's results are recorded. A pool's worker leaves that to the process that records
the results and goes on with its next chunk; a run in one process does it at each chunk's end
(`write_batch`).
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import cast

from assembler.errors import InputError, OutputError

MB = 1024 * 1024


@dataclass
class Staged:
    """Files of a `staged_writes` block: written in full under temporary names, not yet durable.

    `commit_staged` makes them durable and puts them in place; `discard_staged` removes them.
    """

    files: list[tuple[Path, Path, int | None]] = field(default_factory=list)
    """(temporary path, path, mode) of each file, in the order written."""
    folders: set[Path] = field(default_factory=set)
    """The folders whose entries must be synced once the files are in place."""


_staged: Staged | None = None
"""The active `staged_writes` block of this process, if any."""


@contextlib.contextmanager
def staged_writes() -> Iterator[Staged]:
    """Leave the `atomic_write_bytes` of this block written but neither durable nor in place.

    Each file is written in full under its temporary name and closed; the yielded `Staged` lists
    them. For a pool's worker, which hands it on with the chunk's results: the process that
    records those results first calls `commit_staged` (it waits for the disk while the workers
    render; a worker that waited at each chunk's end idled its core for 50–450 ms of a 3 s run),
    so nothing is recorded before its file is durable under its name. If the block fails, its
    files are removed. Not reentrant.
    """
    global _staged
    if _staged is not None:
        raise RuntimeError("staged_writes inside another batch of writes")
    staged = _staged = Staged()
    try:
        yield staged
    except BaseException:
        discard_staged(staged)
        raise
    finally:
        _staged = None


@contextlib.contextmanager
def write_batch() -> Iterator[None]:
    """Make the `atomic_write_bytes` of this block durable together, at its end (`commit_staged`).

    A chunk of a bulk job run in one process: two syncfs at its end instead of an fsync per file
    and per folder (400 files in 200 folders: ~70 ms against ~220 ms, a third of the CPU). A file
    appears under its name only by the block's end. An inner block joins the outer one.
    """
    if _staged is not None:
        yield
        return
    with staged_writes() as staged:
        yield
    commit_staged(staged)


@cache
def _libc_syncfs() -> Callable[[int], int] | None:
    """Return libc's syncfs(2) if it reports write errors (Linux >= 5.8), else None.

    Before 5.8 syncfs returned 0 even when writing back failed, which would let a lost file be
    recorded as written; there, and off Linux, each file is fsynced instead.
    """
    try:
        if sys.platform.startswith("linux") and tuple(
                int(n) for n in os.uname().release.split(".")[:2]) >= (5, 8):
            return cast(Callable[[int], int], ctypes.CDLL(None, use_errno=True).syncfs)
    except (ValueError, OSError, AttributeError):
        pass
    return None


def _syncfs(folder: Path) -> None:
    """Write back everything of the file system holding `folder` and wait for it (OSError)."""
    if (syncfs := _libc_syncfs()) is None:
        raise OSError(errno.ENOSYS, "syncfs cannot report write errors here")
    fd = os.open(folder, os.O_RDONLY)
    try:
        if syncfs(fd) != 0:
            raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()))
    finally:
        os.close(fd)


def commit_staged(staged: Staged) -> None:
    """Make each staged file durable, rename it over its path, and make the renames durable.

    With syncfs: once for every file's data, then the renames, then once for the names (per file
    system the files are on). Else an fsync per file before its rename and per folder after.
    On failure the files not yet in place are removed, and OutputError names a file or folder.
    """
    if not staged.files:
        return
    where, placed, systems = staged.files[0][1], 0, []  # `where`: what the error names
    try:
        systems = _file_systems(staged) if _libc_syncfs() is not None else []
        for where in systems:  # every file's data, before any rename
            _syncfs(where)
        for tmp_path, where, mode in staged.files:
            if not systems:
                _fsync(tmp_path)
            if mode is not None:
                os.chmod(tmp_path, mode)
            os.replace(tmp_path, where)
            placed += 1
        for where in systems:  # the renames
            _syncfs(where)
    except OSError as exc:
        discard_staged(Staged(staged.files[placed:]))
        raise OutputError(f"{where}: cannot write: {exc.strerror or exc}") from exc
    if not systems:
        _sync_folders(staged.folders)


def _file_systems(staged: Staged) -> list[Path]:
    """Return one folder of each file system the staged files are on."""
    seen: dict[int, Path] = {}
    for folder in sorted({tmp.parent for tmp, _, _ in staged.files}):
        seen.setdefault(os.stat(folder).st_dev, folder)
    return list(seen.values())


def discard_staged(staged: Staged) -> None:
    """Remove the staged files that are not in place: a run that failed will not record them."""
    for tmp_path, _, _ in staged.files:
        tmp_path.unlink(missing_ok=True)


def _sync_folders(folders: set[Path]) -> None:
    """Sync each of `folders` once, children first; OutputError names the one that fails."""
    for folder in sorted(folders, key=lambda f: len(f.parts), reverse=True):
        try:
            _fsync_folder(folder)
        except OSError as exc:
            raise OutputError(f"{folder}: cannot sync: {exc.strerror or exc}") from exc


def _sync_folder(folder: Path) -> None:
    """Make the renames in `folder` durable now, or when the staged files are committed."""
    if _staged is not None:
        _staged.folders.add(folder)
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


@contextlib.contextmanager
def atomic_folder(path: Path, mode: int = 0o700) -> Iterator[Path]:
    """Yield a new empty folder beside `path`; put it in the place of `path` if the block succeeds.

    For output that must be exactly one set of files (a dossier): the block writes into the new
    folder (with `atomic_write_bytes`, so each file and its folder entry is durable), and only
    then is the new folder renamed to `path`, an existing `path` first renamed aside and removed
    once the new one is in place. A failure in the block removes the new folder and leaves `path`
    as it was. POSIX has no portable exchange of two folders, so a crash exactly between the two
    renames leaves the previous folder under a hidden name beside `path` (``.<name>.*.old``),
    never a half-written one under `path`.
    """
    try:
        # a symlink to a folder: the folder it names is replaced; a symlink loop cannot be
        # resolved (RuntimeError before Python 3.13, OSError ELOOP from then on)
        path = Path(path).resolve()
    except OSError as exc:
        raise OutputError(f"{path}: cannot write: {exc.strerror or exc}") from exc
    except RuntimeError as exc:
        raise OutputError(f"{path}: cannot write: a loop of symbolic links") from exc
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        new = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".new", dir=path.parent))
        os.chmod(new, mode)  # mkdtemp's 0700 is the default; a caller may want another
    except FileExistsError as exc:  # "File exists" alone would not say which one is in the way
        raise OutputError(f"{path}: cannot write: {exc.filename} is a file, not a folder") from exc
    except OSError as exc:
        raise OutputError(f"{path}: cannot write: {exc.strerror or exc}") from exc
    try:
        yield new
        _swap_in(new, path)
    except OSError as exc:
        shutil.rmtree(new, ignore_errors=True)
        raise OutputError(f"{path}: cannot write: {exc.strerror or exc}") from exc
    except BaseException:
        shutil.rmtree(new, ignore_errors=True)
        raise


def _swap_in(new: Path, path: Path) -> None:
    """Rename folder `new` to `path`, replacing (and then removing) a folder already there."""
    old = None
    if path.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".old", dir=path.parent))
        os.replace(path, old)  # a folder may be renamed over an empty one
    try:
        os.replace(new, path)
    except BaseException:
        if old is not None:
            os.replace(old, path)
        raise
    _fsync_folder(path.parent)
    if old is not None:
        try:
            shutil.rmtree(old)
        except OSError as exc:
            raise OutputError(f"{path}: written, but the previous folder, renamed to {old}, could "
                              f"not be removed: {exc.strerror or exc}") from exc


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
    """Write `data` to `path` atomically (in a `write_batch`: durable by the end of the block;
    in `staged_writes`: once committed).

    Written and flushed through the temporary file's own descriptor: one open instead of three.
    """
    path = Path(path)
    fd, tmp_path = _temp_beside(path)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    except BaseException as exc:
        os.close(fd)
        tmp_path.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise OutputError(f"{path}: cannot write: {exc.strerror or exc}") from exc
        raise
    if _staged is not None:
        os.close(fd)
        _staged.files.append((tmp_path, path, mode))
        _staged.folders.add(path.parent)
        return
    try:
        _flush_and_rename(fd, tmp_path, path, mode)
    except OSError as exc:
        raise OutputError(f"{path}: cannot write: {exc.strerror or exc}") from exc
    _fsync_folder(path.parent)


def _flush_and_rename(fd: int, tmp_path: Path, path: Path, mode: int | None) -> None:
    """Flush and close the written temporary file, then rename it over `path` (not the folder)."""
    try:
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        if mode is not None:
            os.chmod(tmp_path, mode)
        os.replace(tmp_path, path)
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise


def atomic_write_text(path: Path, text: str, mode: int | None = None) -> None:
    """Write `text` (UTF-8, LF line ends) to `path` atomically."""
    atomic_write_bytes(path, text.encode("utf-8"), mode)


def overwrite_in_place(path: Path, data: bytes) -> None:
    """Make the file at `path` hold exactly `data`, writing over its old bytes (no rename, no fsync).

    For scratch files one process rewrites thousands of times (a compiler's input): opening with
    truncation frees the file's blocks and allocates new ones at each write, ~0.35 ms on ext4;
    writing over the old bytes and cutting off what is left is ~40 times cheaper. Not atomic: a
    reader in between may see old and new bytes mixed, so only for files nobody else reads.
    """
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        done = 0
        while done < len(data):
            done += os.pwrite(fd, memoryview(data)[done:], done)
        os.ftruncate(fd, len(data))
    finally:
        os.close(fd)


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
