"""`assembler diff` as a user runs it: formats, files, and every kind of bad input."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from tests.redline.pair import git


def run(cwd: Path, *args: str, **kw: object) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2]), "NO_COLOR": "1"}
    env.pop("ASSEMBLER_ROOT", None)
    streams = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, **kw}
    return subprocess.run([sys.executable, "-m", "assembler", *args], cwd=cwd, env=env,
                          text=True, **streams)  # type: ignore[call-overload]


def test_text_summary_first(pair_dir: Path) -> None:
    proc = run(pair_dir, "diff", "1.0", "1.1")
    assert proc.returncode == 0, proc.stderr
    first = proc.stdout.splitlines()[0]
    assert first.startswith("verwerkersovereenkomst 1.0 → 1.1: 27 changes (6 added, 2 removed")
    assert "\x1b[" not in proc.stdout  # not a terminal: no colour


def test_every_format_to_a_file(pair_dir: Path, tmp_path: Path) -> None:
    for fmt, magic in (("text", b"verwerkersovereenkomst"), ("markdown", b"### Redline"),
                       ("json", b"{"), ("html", b"<!DOCTYPE html>"), ("pdf", b"%PDF-"),
                       ("docx", b"PK")):
        out = tmp_path / "sub" / f"redline.{fmt}"
        proc = run(pair_dir, "diff", "1.0", "1.1", "--format", fmt, "-o", str(out))
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout == ""
        assert proc.stderr.strip() == f"wrote {out} ({fmt}, 27 changes)"
        assert out.read_bytes().startswith(magic)
    data = json.loads((tmp_path / "sub" / "redline.json").read_text(encoding="utf-8"))
    assert data["from"]["version"] == "1.0" and data["to"]["version"] == "1.1"


def test_identical_versions_say_no_changes(pair_dir: Path) -> None:
    proc = run(pair_dir, "diff", "1.0", "HEAD~1")
    assert proc.returncode == 0
    commit = git(pair_dir, "rev-parse", "HEAD~1").strip()
    assert proc.stdout == (f"verwerkersovereenkomst 1.0 → HEAD~1 ({commit[:12]}) = 1.0: "
                           "no changes (the texts are identical)\n")
    md = run(pair_dir, "diff", "1.1", "1.1", "--format", "markdown")
    assert md.returncode == 0 and "no changes" in md.stdout and "| Article |" not in md.stdout


def test_new_older_than_old_is_allowed_and_said(pair_dir: Path) -> None:
    proc = run(pair_dir, "diff", "1.1", "1.0")
    assert proc.returncode == 0
    assert proc.stdout.splitlines()[0].endswith("; note: 1.0 is OLDER than 1.1")


def test_unknown_version_or_ref(pair_dir: Path) -> None:
    proc = run(pair_dir, "diff", "1.0", "9.9")
    assert proc.returncode == 2
    assert proc.stderr.startswith("assembler: error: unknown version or ref '9.9'")
    assert "Traceback" not in proc.stderr and proc.stdout == ""
    proc = run(pair_dir, "diff", "no-such-branch", "1.0")
    assert proc.returncode == 2 and "'no-such-branch'" in proc.stderr


def test_unwritable_output_leaves_nothing(pair_dir: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    target = blocker / "redline.pdf"
    proc = run(pair_dir, "diff", "1.0", "1.1", "--format", "pdf", "-o", str(target))
    assert proc.returncode == 1
    assert proc.stderr.startswith(f"assembler: error: {target}: cannot write")
    assert "Traceback" not in proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file"]


def test_existing_output_survives_a_failed_run(pair_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "redline.html"
    out.write_text("previous", encoding="utf-8")
    proc = run(pair_dir, "diff", "1.0", "nope", "--format", "html", "-o", str(out))
    assert proc.returncode == 2
    assert out.read_text(encoding="utf-8") == "previous"
    assert [p.name for p in tmp_path.iterdir()] == ["redline.html"]


def test_binary_formats_refuse_a_terminal_but_go_down_a_pipe(pair_dir: Path) -> None:
    leader, follower = pty.openpty()
    try:
        proc = run(pair_dir, "diff", "1.0", "1.1", "--format", "docx", stdout=follower)
    finally:
        os.close(follower)
        os.close(leader)
    assert proc.returncode == 2
    assert proc.stderr.strip() == ("assembler: error: --format docx is binary: pass -o FILE "
                                   "(or redirect standard output)")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    piped = subprocess.run([sys.executable, "-m", "assembler", "diff", "1.0", "1.1", "--format",
                            "pdf"], cwd=pair_dir, env=env, capture_output=True)
    assert piped.returncode == 0 and piped.stdout.startswith(b"%PDF-")


def test_colour_on_a_terminal(pair_dir: Path) -> None:
    leader, follower = pty.openpty()
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    env.pop("NO_COLOR", None)
    try:
        proc = subprocess.Popen([sys.executable, "-m", "assembler", "diff", "1.0", "1.1"],
                                cwd=pair_dir, env=env, stdout=follower, stderr=subprocess.PIPE)
        os.close(follower)
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:
                break
            if not chunk:
                break
            chunks.append(chunk)
        assert proc.wait(timeout=60) == 0
    finally:
        os.close(leader)
    out = b"".join(chunks).decode("utf-8")
    assert "\x1b[32;4m" in out and "\x1b[31;9m" in out  # green underlined, red struck
    assert "{+" not in out


@pytest.mark.parametrize("args", [["diff"], ["diff", "1.0", "1.1", "--format", "rtf"]])
def test_usage_errors(pair_dir: Path, args: list[str]) -> None:
    proc = run(pair_dir, *args)
    assert proc.returncode == 2
    (line,) = proc.stderr.splitlines()  # one line: what is wrong, and where the help is
    assert line.startswith("assembler: error: ") and line.endswith("(see `assembler diff -h`)")
