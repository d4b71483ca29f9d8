"""Parsed texts kept on disk between commands: a command that reads a text read before parses nothing.

Parsing a contract folder costs a command ~30 ms of its start: ~25 ms to import markdown-it,
~5 ms a text. Nearly every command reads the text of the work tree or of a released version,
and that text rarely changes between two commands, so each parse is kept, under
``var/cache/parsed/``, and the next command that reads the same text loads it (~0.3 ms).

An entry is found by everything that decides its parse: the contract folder's files (their git
tree id, a hash of their names and bytes), the folder's name, and the code that parses (every
module of `assembler` by path, size and modification time, the versions of markdown-it and
mdurl, and Python's: `_code_fingerprint`). A changed file, another checkout or another version
of the parser finds no entry and parses again, so an entry can only be the parse the command
would have made. A text that does not parse is not kept: its error is reported every time.

An entry is written under a temporary name and renamed, and starts with the SHA-256 of the
rest; it is read with an unpickler that makes nothing but the classes of `assembler.model.agreement`.
A damaged or foreign file (a crash while writing it, which the rename makes unlikely and the hash
detects, or anything else found there) is not trusted: the text is parsed again and the entry
replaced. The cache is a copy of what the files say, so nothing is lost with it: it is not
fsynced, and a project where it cannot be written (a read-only checkout) simply parses.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import importlib.util
import io
import os
import pickle
import shutil
import sys
import tempfile
from pathlib import Path

import assembler
from assembler.db import make_private
from assembler.model import agreement as model

_DIGEST = hashlib.sha256().digest_size


def cache_folder(root: Path) -> Path:
    """Return the folder that holds the project's parsed texts for this code."""
    return root / "var" / "cache" / "parsed" / _code_fingerprint()


def load(root: Path, folder: str, tree: str) -> model.Agreement | None:
    """Return the kept parse of contract `folder` with git tree id `tree`, or None."""
    try:
        data = (cache_folder(root) / _entry_name(folder, tree)).read_bytes()
    except OSError:
        return None
    payload = data[_DIGEST:]
    if hashlib.sha256(payload).digest() != data[:_DIGEST]:
        return None
    try:
        agreement = _ModelUnpickler(io.BytesIO(payload)).load()
    except Exception:  # noqa: BLE001 (any file that does not load as a text is parsed again)
        return None
    return agreement if isinstance(agreement, model.Agreement) else None


def keep(root: Path, folder: str, tree: str, agreement: model.Agreement) -> None:
    """Keep the parse `agreement` of contract `folder` with git tree id `tree`; never fail."""
    payload = pickle.dumps(agreement, protocol=pickle.HIGHEST_PROTOCOL)
    target = cache_folder(root)
    try:
        if not target.is_dir():
            make_private(root / "var")  # the registry's folder: private, as the registry makes it
            _forget_other_code(target)
            target.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(hashlib.sha256(payload).digest() + payload)
            os.replace(tmp, target / _entry_name(folder, tree))
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError:
        pass  # a project that cannot keep it parses next time too


def _entry_name(folder: str, tree: str) -> str:
    return hashlib.sha256(f"{folder}\0{tree}".encode()).hexdigest()[:40] + ".pickle"


def _forget_other_code(target: Path) -> None:
    """Remove the entries other versions of the code kept beside `target`: this code never reads them."""
    try:
        others = [p for p in target.parent.iterdir() if p.name != target.name]
    except OSError:
        return
    for other in others:
        shutil.rmtree(other, ignore_errors=True)


@functools.cache
def _code_fingerprint() -> str:
    """Return a hash of the Python version, of the path, size and time of every module of
    `assembler`, and of the version of markdown-it and mdurl (their ``__init__.py``).

    Times and sizes rather than contents: reading every module would cost more than the parse
    it saves, and an edit, a checkout or an install changes a file's time.
    """
    h = hashlib.sha256(sys.version.encode())
    for dirpath, dirnames, filenames in os.walk(Path(assembler.__file__).parent):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
        for name in sorted(filenames):
            if name.endswith(".py"):
                st = os.stat(os.path.join(dirpath, name))
                h.update(f"{dirpath}/{name}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    for name in ("markdown_it", "mdurl"):  # each names its version in its __init__.py
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.origin:
            h.update(Path(spec.origin).read_bytes())
    return h.hexdigest()[:16]


class _ModelUnpickler(pickle.Unpickler):
    """An unpickler that makes the dataclasses of `assembler.model.agreement` and nothing else."""

    def find_class(self, module: str, name: str) -> type:
        if module == model.__name__:
            found = getattr(model, name, None)
            if isinstance(found, type) and dataclasses.is_dataclass(found):
                return found
        raise pickle.UnpicklingError(f"{module}.{name}: not a class of a parsed text")
