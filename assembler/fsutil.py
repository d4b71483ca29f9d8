"""Writing files so that a failure never leaves half a file behind, nor a power cut an empty one.

The data is fsynced before the rename and the folder after it: without the first, a crash
soon after can leave the new name pointing at an empty file; without the second, the rename
itself can be lost. A bulk job lets a background thread do the flushing while it renders the
next customer, and syncs each folder once per chunk of customers (`write_batch`), before the
chunk's results are recorded; a worker process of a bulk job leaves even that to the process
that records them (`staged_writes`, `commit_staged`), and goes on with the next chunk.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

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


class _Batch:
    """The writes of one `write_batch` block: their flushes under way, the folders to sync.

    With `staged`, the block only writes: its files and folders are collected there instead.
    """

    def __init__(self, staged: Staged | None = None) -> None:
        self.staged = staged
        self.folders: set[Path] = staged.folders if staged is not None else set()
        self.flusher = ThreadPoolExecutor(1, thread_name_prefix="assembler-flush")
        self.pending: list[tuple[Path, Future[None]]] = []

    def finish(self) -> None:
        """Wait for every flush and rename, then sync each folder once; raise the first failure."""
        self.flusher.shutdown(wait=True)
        failed = next(((path, f.exception()) for path, f in self.pending if f.exception()), None)
        if failed is not None:
            path, exc = failed
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
            raise OutputError(f"{path}: cannot write: {reason}") from exc
        _sync_folders(self.folders)


_batch: _Batch | None = None
"""The active `write_batch` block of this process, if any."""


@contextlib.contextmanager
def write_batch() -> Iterator[None]:
    """Finish the `atomic_write_bytes` of this block in the background; all are durable at its end.

    A bulk job writes two or three files per customer. Each must be flushed to disk before its
    rename, and its folder after the rename: a few milliseconds of waiting per customer, during
    which a worker's core would idle. In a batch, `atomic_write_bytes` writes the temporary file
    and returns; a background thread flushes and renames it while the next customer's letter is
    rendered, and each folder is synced once, when the block ends. The block is one chunk of a
    bulk job, whose results (the hashes the ledger records) are handed on only after it: so
    nothing is recorded before its file is durable under its name, and a crash still never leaves
    a name pointing at an empty or half file. Inside the block a file appears under its name only
    by the block's end. Not reentrant: an inner block joins the outer one.
    """
    global _batch
    if _batch is not None:
        yield
        return
    batch = _batch = _Batch()
    try:
        yield
    except BaseException:
        batch.flusher.shutdown(wait=True)
        raise
    finally:
        _batch = None
    batch.finish()


@contextlib.contextmanager
def staged_writes() -> Iterator[Staged]:
    """Leave the `atomic_write_bytes` of this block written but neither durable nor in place.

    For a worker process of a bulk job: waiting at the end of each chunk until its files are on
    disk (`write_batch`) idles its core for as long as the disk takes (measured: 50–450 ms per
    worker in a 3 s run). Here each file is written in full under its temporary name and closed;
    the yielded `Staged` lists them, and the worker hands it on with the chunk's results. The
    process that records those results first calls `commit_staged` (it waits for the disk while
    the workers render), so nothing is recorded before its file is durable under its name, as
    with `write_batch`. If the block fails, its files are removed. Not reentrant.
    """
    global _batch
    if _batch is not None:
        raise RuntimeError("staged_writes inside another batch of writes")
    staged = Staged()
    _batch = _Batch(staged)
    try:
        yield staged
    except BaseException:
        discard_staged(staged)
        raise
    finally:
        _batch = None


def commit_staged(staged: Staged) -> None:
    """Flush each staged file, rename it over its path, then sync each folder once.

    On failure the files not yet in place are removed, and OutputError names the file or folder.
    """
    for i, (tmp_path, path, mode) in enumerate(staged.files):
        try:
            _fsync(tmp_path)
            if mode is not None:
                os.chmod(tmp_path, mode)
            os.replace(tmp_path, path)
        except OSError as exc:
            discard_staged(Staged(staged.files[i:]))
            raise OutputError(f"{path}: cannot write: {exc.strerror or exc}") from exc
    _sync_folders(staged.folders)


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
    """Make the renames in `folder` durable now, or at the end of a `write_batch` block."""
    if _batch is not None:
        _batch.folders.add(folder)
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
    """Write `data` to `path` atomically (in a `write_batch`: durable by the end of the block).

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
    if _batch is not None and _batch.staged is not None:
        os.close(fd)
        _batch.staged.files.append((tmp_path, path, mode))
        _batch.folders.add(path.parent)
        return
    if _batch is not None:
        _batch.folders.add(path.parent)
        _batch.pending.append((path, _batch.flusher.submit(_flush_and_rename, fd, tmp_path, path, mode)))
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
