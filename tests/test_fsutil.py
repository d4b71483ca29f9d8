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


def _recording_fsyncs(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record each fsync as the path it flushed, and each rename."""
    events: list[str] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        events.append(f"fsync {os.readlink(f'/proc/self/fd/{fd}')}")
        real_fsync(fd)

    def replace(src: str | Path, dst: str | Path) -> None:
        events.append(f"rename {dst}")
        real_replace(src, dst)

    monkeypatch.setattr(fsutil.os, "fsync", fsync)
    monkeypatch.setattr(fsutil.os, "replace", replace)
    return events


def test_deferred_folder_syncs_flush_each_folder_once_after_its_renames(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "out").mkdir()
    events = _recording_fsyncs(monkeypatch)
    with fsutil.write_batch():
        for customer in ("C-1", "C-2"):
            for name in ("brief.pdf", "mail.eml"):
                fsutil.atomic_write_bytes(tmp_path / "out" / customer / name, b"x")
        assert not [e for e in events if e.endswith(("/C-1", "/C-2", "/out"))]  # not yet
    folders = [e for e in events if e.endswith(("/C-1", "/C-2", "/out"))]
    # each customer's folder once (its two renames), and the output folder (two new folders) once
    assert sorted(folders) == sorted(f"fsync {tmp_path}/out{s}" for s in ("/C-1", "/C-2", ""))
    last_rename = max(i for i, e in enumerate(events) if e.startswith("rename"))
    assert all(events.index(f) > last_rename for f in folders)
    # every file's data is still flushed before its own rename
    renames = [e for e in events if e.startswith("rename")]
    assert len(renames) == 4
    for rename in renames:
        i = events.index(rename)
        assert events[i - 1].startswith("fsync ") and ".tmp" in events[i - 1]


def test_a_write_into_a_new_folder_also_syncs_the_folder_holding_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    events = _recording_fsyncs(monkeypatch)
    fsutil.atomic_write_bytes(tmp_path / "a" / "b" / "brief.pdf", b"x")
    assert f"fsync {tmp_path}/a/b" in events
    assert f"fsync {tmp_path}/a" in events
    assert f"fsync {tmp_path}" in events
    assert (tmp_path / "a" / "b" / "brief.pdf").read_bytes() == b"x"


def test_a_batch_whose_flush_fails_says_which_file_and_leaves_no_trace_of_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        if os.readlink(f"/proc/self/fd/{fd}").endswith(".tmp") and "mail" in os.readlink(
                f"/proc/self/fd/{fd}"):
            raise OSError(28, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr(fsutil.os, "fsync", fsync)
    with pytest.raises(fsutil.OutputError, match=r"mail\.eml: cannot write: No space left"):
        with fsutil.write_batch():
            fsutil.atomic_write_bytes(tmp_path / "brief.pdf", b"brief")
            fsutil.atomic_write_bytes(tmp_path / "mail.eml", b"mail")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["brief.pdf"]


def test_staged_writes_stay_out_of_place_until_committed_then_flush_before_each_rename(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    with fsutil.staged_writes() as staged:
        for customer in ("C-1", "C-2"):
            fsutil.atomic_write_bytes(out / customer / "mail.eml", customer.encode(), 0o640)
    # written in full under temporary names, nothing under its own name yet
    assert not list(out.glob("*/mail.eml"))
    assert sorted(p.read_bytes() for p in out.glob("*/.mail.eml.*.tmp")) == [b"C-1", b"C-2"]
    events = _recording_fsyncs(monkeypatch)
    fsutil.commit_staged(staged)
    assert [(out / c / "mail.eml").read_bytes() for c in ("C-1", "C-2")] == [b"C-1", b"C-2"]
    assert not list(out.glob("*/*.tmp"))
    assert (out / "C-1" / "mail.eml").stat().st_mode & 0o777 == 0o640
    renames = [i for i, e in enumerate(events) if e.startswith("rename")]
    assert len(renames) == 2
    assert all(events[i - 1].startswith("fsync ") and events[i - 1].endswith(".tmp") for i in renames)
    folders = {e for e in events[renames[-1]:] if e.startswith("fsync") and not e.endswith(".tmp")}
    # each folder once, the new ones' parents too
    assert folders == {f"fsync {out}/C-1", f"fsync {out}/C-2", f"fsync {out}", f"fsync {tmp_path}"}


def test_staged_writes_of_a_failed_block_or_a_discarded_one_leave_nothing(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError), fsutil.staged_writes():
        fsutil.atomic_write_bytes(tmp_path / "brief.pdf", b"brief")
        raise RuntimeError("render failed")
    assert list(tmp_path.iterdir()) == []
    with fsutil.staged_writes() as staged:
        fsutil.atomic_write_bytes(tmp_path / "brief.pdf", b"brief")
    fsutil.discard_staged(staged)
    assert list(tmp_path.iterdir()) == []


def test_a_commit_that_fails_names_the_file_and_removes_what_is_not_in_place(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        if "mail" in os.readlink(f"/proc/self/fd/{fd}"):
            raise OSError(28, "No space left on device")
        real_fsync(fd)

    (tmp_path / "mail.eml").write_bytes(b"the previous mail")
    with fsutil.staged_writes() as staged:
        for name in ("brief.pdf", "mail.eml", "z.pdf"):
            fsutil.atomic_write_bytes(tmp_path / name, name.encode())
    monkeypatch.setattr(fsutil.os, "fsync", fsync)
    with pytest.raises(fsutil.OutputError, match=r"mail\.eml: cannot write: No space left"):
        fsutil.commit_staged(staged)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["brief.pdf", "mail.eml"]
    assert (tmp_path / "mail.eml").read_bytes() == b"the previous mail"


def test_an_atomic_folder_replaces_the_old_one_whole_and_only_on_success(tmp_path: Path) -> None:
    out = tmp_path / "dossier"
    out.mkdir()
    (out / "old.txt").write_bytes(b"old")
    with pytest.raises(RuntimeError), fsutil.atomic_folder(out) as new:
        fsutil.atomic_write_bytes(new / "a" / "new.txt", b"new")
        raise RuntimeError("failed half way")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dossier"]  # nothing left beside it
    assert [p.name for p in out.iterdir()] == ["old.txt"]
    with fsutil.atomic_folder(out) as new:
        fsutil.atomic_write_bytes(new / "a" / "new.txt", b"new")
        assert not (out / "a").exists()  # not in place before the block ends
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*")) == ["a", "a/new.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dossier"]
    assert oct(out.stat().st_mode & 0o777) == "0o700"


def test_overwriting_in_place_leaves_exactly_the_new_bytes_in_the_same_file(tmp_path: Path) -> None:
    path = tmp_path / "customer.json"
    fsutil.overwrite_in_place(path, b'{"company_name": "Voorbeeldbedrijf Lange Naam B.V."}')
    inode = path.stat().st_ino
    fsutil.overwrite_in_place(path, b'{"company_name": "Kort B.V."}')  # shorter: the rest is cut off
    assert path.read_bytes() == b'{"company_name": "Kort B.V."}'
    big = bytes(range(256)) * 4096  # 1 MiB: written whole even if one write takes only part
    fsutil.overwrite_in_place(path, big)
    assert path.read_bytes() == big and path.stat().st_ino == inode
    assert oct(path.stat().st_mode & 0o777) == "0o600"
