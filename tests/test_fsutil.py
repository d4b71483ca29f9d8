"""Atomic writes: all or nothing, and durable (file and folder fsynced) before they count."""

from __future__ import annotations

import os
import re
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
    """Record each fsync as the path it flushed, each syncfs as the folder it was given, and each rename."""
    events: list[str] = []
    real_fsync, real_replace, real_syncfs = os.fsync, os.replace, fsutil._syncfs

    def fsync(fd: int) -> None:
        events.append(f"fsync {os.readlink(f'/proc/self/fd/{fd}')}")
        real_fsync(fd)

    def replace(src: str | Path, dst: str | Path) -> None:
        events.append(f"rename {dst}")
        real_replace(src, dst)

    def syncfs(folder: Path) -> None:
        events.append(f"syncfs {folder}")
        real_syncfs(folder)

    monkeypatch.setattr(fsutil.os, "fsync", fsync)
    monkeypatch.setattr(fsutil.os, "replace", replace)
    monkeypatch.setattr(fsutil, "_syncfs", syncfs)
    return events


def _without_syncfs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make fsutil fsync each file and folder, as on a kernel whose syncfs hides write errors."""
    monkeypatch.setattr(fsutil, "_libc_syncfs", lambda: None)


def _flush_with(syncfs: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make fsutil flush with syncfs (skipped where it cannot report errors) or with fsync."""
    if syncfs and fsutil._libc_syncfs() is None:
        pytest.skip("needs Linux >= 5.8 (syncfs reports errors)")
    if not syncfs:
        _without_syncfs(monkeypatch)


def _write_two_customers(out: Path) -> None:
    for customer in ("C-1", "C-2"):
        for name in ("brief.pdf", "mail.eml"):
            fsutil.atomic_write_bytes(out / customer / name, f"{customer} {name}".encode())


@pytest.mark.skipif(fsutil._libc_syncfs() is None, reason="needs Linux >= 5.8 (syncfs reports errors)")
def test_a_batch_syncs_the_data_before_any_rename_and_the_names_after_all_of_them(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "out").mkdir()
    events = _recording_fsyncs(monkeypatch)
    with fsutil.write_batch():
        _write_two_customers(tmp_path / "out")
        assert events == []  # nothing flushed, nothing in place yet
        assert not list((tmp_path / "out").glob("*/brief.pdf"))
    assert events[0] == events[-1] == f"syncfs {tmp_path}/out/C-1"  # one file system: once each
    assert [e.split("/")[-2:] for e in events[1:-1]] == [
        ["C-1", "brief.pdf"], ["C-1", "mail.eml"], ["C-2", "brief.pdf"], ["C-2", "mail.eml"]]
    assert (tmp_path / "out" / "C-2" / "mail.eml").read_bytes() == b"C-2 mail.eml"


def test_without_syncfs_a_batch_flushes_each_file_before_its_rename_and_each_folder_once_after(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _without_syncfs(monkeypatch)
    (tmp_path / "out").mkdir()
    events = _recording_fsyncs(monkeypatch)
    with fsutil.write_batch():
        _write_two_customers(tmp_path / "out")
        assert events == []
    folders = [e for e in events if e.endswith(("/C-1", "/C-2", "/out"))]
    # each customer's folder once (its two renames), and the output folder (two new folders) once
    assert sorted(folders) == sorted(f"fsync {tmp_path}/out{s}" for s in ("/C-1", "/C-2", ""))
    last_rename = max(i for i, e in enumerate(events) if e.startswith("rename"))
    assert all(events.index(f) > last_rename for f in folders)
    renames = [i for i, e in enumerate(events) if e.startswith("rename")]
    assert len(renames) == 4
    assert all(events[i - 1].startswith("fsync ") and events[i - 1].endswith(".tmp") for i in renames)


def test_a_write_into_a_new_folder_also_syncs_the_folder_holding_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    events = _recording_fsyncs(monkeypatch)
    fsutil.atomic_write_bytes(tmp_path / "a" / "b" / "brief.pdf", b"x")
    assert f"fsync {tmp_path}/a/b" in events
    assert f"fsync {tmp_path}/a" in events
    assert f"fsync {tmp_path}" in events
    assert (tmp_path / "a" / "b" / "brief.pdf").read_bytes() == b"x"


@pytest.mark.parametrize("syncfs", [True, False])
def test_a_batch_whose_flush_fails_says_where_and_leaves_no_trace_of_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, syncfs: bool) -> None:
    _flush_with(syncfs, monkeypatch)
    real_fsync = os.fsync

    def failing_fsync(fd: int) -> None:
        if "mail" in os.readlink(f"/proc/self/fd/{fd}"):
            raise OSError(28, "No space left on device")
        real_fsync(fd)

    def failing_syncfs(folder: Path) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(fsutil.os, "fsync", failing_fsync)
    monkeypatch.setattr(fsutil, "_syncfs", failing_syncfs)
    (tmp_path / "mail.eml").write_bytes(b"the previous mail")
    expected = (rf"{re.escape(str(tmp_path))}: cannot write: Input/output error" if syncfs
                else r"mail\.eml: cannot write: No space left")
    with pytest.raises(fsutil.OutputError, match=expected):
        with fsutil.write_batch():
            fsutil.atomic_write_bytes(tmp_path / "brief.pdf", b"brief")
            fsutil.atomic_write_bytes(tmp_path / "mail.eml", b"mail")
    # syncfs fails before any rename; a failed fsync stops at its file, the one before is in place
    left = ["mail.eml"] if syncfs else ["brief.pdf", "mail.eml"]
    assert sorted(p.name for p in tmp_path.iterdir()) == left
    assert (tmp_path / "mail.eml").read_bytes() == b"the previous mail"


@pytest.mark.parametrize("syncfs", [True, False])
def test_staged_writes_stay_out_of_place_until_committed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, syncfs: bool) -> None:
    _flush_with(syncfs, monkeypatch)
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
    if syncfs:
        assert [e for e in events if not e.startswith("rename")] == [f"syncfs {out}/C-1"] * 2
        assert events[0].startswith("syncfs") and events[-1].startswith("syncfs")
    else:
        assert all(events[i - 1].startswith("fsync ") and events[i - 1].endswith(".tmp")
                   for i in renames)
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


def test_a_commit_whose_rename_fails_names_the_file_and_removes_what_is_not_in_place(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_replace = os.replace

    def replace(src: str | Path, dst: str | Path) -> None:
        if str(dst).endswith("mail.eml"):
            raise OSError(28, "No space left on device")
        real_replace(src, dst)

    (tmp_path / "mail.eml").write_bytes(b"the previous mail")
    with fsutil.staged_writes() as staged:
        for name in ("brief.pdf", "mail.eml", "z.pdf"):
            fsutil.atomic_write_bytes(tmp_path / name, name.encode())
    monkeypatch.setattr(fsutil.os, "replace", replace)
    with pytest.raises(fsutil.OutputError, match=r"mail\.eml: cannot write: No space left"):
        fsutil.commit_staged(staged)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["brief.pdf", "mail.eml"]
    assert (tmp_path / "mail.eml").read_bytes() == b"the previous mail"


def test_syncfs_is_really_called_and_reports_success(tmp_path: Path) -> None:
    if fsutil._libc_syncfs() is None:
        pytest.skip("needs Linux >= 5.8 (syncfs reports errors)")
    fsutil._syncfs(tmp_path)  # a real syncfs(2) of the file system holding tmp_path: no error
    with pytest.raises(OSError):
        fsutil._syncfs(tmp_path / "missing")


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
