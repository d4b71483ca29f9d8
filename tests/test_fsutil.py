"""Atomic writes: all or nothing, and durable (file and folder fsynced) before they count."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from assembler import fsutil


def test_atomic_write_fsyncs_the_file_before_the_rename_and_the_folder_after(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    events: list[str] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        target = Path(os.readlink(f"/proc/self/fd/{fd}"))
        events.append("fsync folder" if target.is_dir() else f"fsync {target.read_bytes()!r}")
        real_fsync(fd)

    def replace(src: str | Path, dst: str | Path) -> None:
        events.append("rename")
        real_replace(src, dst)

    monkeypatch.setattr(fsutil.os, "fsync", fsync)
    monkeypatch.setattr(fsutil.os, "replace", replace)
    fsutil.atomic_write_bytes(tmp_path / "brief.pdf", b"%PDF-1.7 inhoud")
    assert events == ["fsync b'%PDF-1.7 inhoud'", "rename", "fsync folder"]
    assert (tmp_path / "brief.pdf").read_bytes() == b"%PDF-1.7 inhoud"


def test_a_failed_write_leaves_neither_the_file_nor_a_temporary_one(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError), fsutil.atomic_path(tmp_path / "brief.pdf") as tmp:
        tmp.write_bytes(b"half")
        raise RuntimeError("render failed")
    assert list(tmp_path.iterdir()) == []
