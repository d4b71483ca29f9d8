"""Parsed texts kept between commands: loaded when nothing that decides the parse changed, never trusted otherwise."""

from __future__ import annotations

import hashlib
import os
import pickle
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

import assembler
import assembler.agreement.project as project_module
from assembler.agreement import parse_cache
from assembler.agreement.project import Project
from assembler.errors import ClauseParseError
from tests.conftest import ROOT, git

READ_TWICE = """
import sys
from pathlib import Path
from assembler.agreement.project import Project
agreement = Project(Path(sys.argv[1])).resolve().agreement
print(agreement.sha256, "markdown_it" in sys.modules)
"""


def entries(project: Path) -> list[Path]:
    return sorted((project / "var" / "cache" / "parsed").glob("*/*.pickle"))


def no_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_: object) -> None:
        raise AssertionError("parsed again")

    monkeypatch.setattr(project_module, "parse_agreement", refuse)


def edit(contract_dir: Path, name: str, old: str, new: str) -> None:
    path = contract_dir / name
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_command_that_reads_a_text_read_before_neither_parses_nor_loads_markdown_it(
        project_dir: Path) -> None:
    runs = [subprocess.run([sys.executable, "-c", READ_TWICE, str(project_dir)], cwd=ROOT,
                           check=True, capture_output=True, text=True).stdout.split()
            for _ in range(2)]
    assert runs[0][0] == runs[1][0]
    assert (runs[0][1], runs[1][1]) == ("True", "False")
    assert len(entries(project_dir)) == 1


def test_the_kept_text_is_the_parse(project_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert not (project_dir / "var").exists()
    parsed = Project(project_dir).resolve().agreement
    # var/ is where the registry goes: made private, as the registry makes it
    assert stat.S_IMODE((project_dir / "var").stat().st_mode) == 0o700
    no_parsing(monkeypatch)
    assert Project(project_dir).resolve().agreement == parsed


def test_an_edited_text_is_parsed_again(project_dir: Path, contract_dir: Path) -> None:
    before = Project(project_dir).resolve().agreement
    edit(contract_dir, "07-datalekken.md", "achtenveertig (48) uur", "zesendertig (36) uur")
    after = Project(project_dir).resolve().agreement
    assert after.sha256 != before.sha256
    assert "zesendertig (36) uur" in after.clause("7.1").text  # type: ignore[union-attr]
    assert len(entries(project_dir)) == 2


def test_a_damaged_entry_is_parsed_again_and_replaced(project_dir: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    parsed = Project(project_dir).resolve().agreement
    [entry] = entries(project_dir)
    good = entry.read_bytes()
    assert b"achtenveertig" in good
    altered = good.replace(b"achtenveertig", b"achtenvijftig", 1)  # loads, as another text (58 uur)
    for damaged in (good[:len(good) // 2], good[:-1] + b"\0", b"", altered):
        entry.write_bytes(damaged)
        assert Project(project_dir).resolve().agreement == parsed
        assert entry.read_bytes() == good
    no_parsing(monkeypatch)
    assert Project(project_dir).resolve().agreement == parsed


class _Runs:
    """A pickle that runs a command when loaded (what a planted entry would carry)."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str, ...]]:
        return os.system, (f"touch {self.marker}",)


def test_an_entry_that_would_make_anything_but_a_text_is_not_loaded(project_dir: Path,
                                                                    tmp_path: Path) -> None:
    parsed = Project(project_dir).resolve().agreement
    [entry] = entries(project_dir)
    marker = tmp_path / "ran"
    payload = pickle.dumps(_Runs(marker))
    entry.write_bytes(hashlib.sha256(payload).digest() + payload)  # with a matching hash
    assert Project(project_dir).resolve().agreement == parsed
    assert not marker.exists()


def test_a_text_that_does_not_parse_is_not_kept(project_dir: Path, contract_dir: Path) -> None:
    (contract_dir / "09-audit.md").write_bytes(b"# Artikel 9. Audit\n\n9.1. caf\xe9\n")  # not UTF-8
    for _ in range(2):
        with pytest.raises(ClauseParseError):
            Project(project_dir).resolve()
    assert entries(project_dir) == []


def test_a_project_that_cannot_keep_its_texts_reads_them_all_the_same(project_dir: Path) -> None:
    (project_dir / "var").mkdir(exist_ok=True)
    (project_dir / "var" / "cache").write_text("not a folder", encoding="utf-8")
    first = Project(project_dir).resolve().agreement
    assert Project(project_dir).resolve().agreement == first
    assert (project_dir / "var" / "cache").read_text(encoding="utf-8") == "not a folder"


def test_other_code_keeps_its_texts_apart_and_removes_older_ones(
        project_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code = tmp_path / "code" / "assembler"
    shutil.copytree(Path(assembler.__file__).parent, code,
                    ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(assembler, "__file__", str(code / "__init__.py"))
    parse_cache._code_fingerprint.cache_clear()
    try:
        Project(project_dir).resolve()
        [first] = entries(project_dir)
        parser = code / "agreement" / "parse.py"
        os.utime(parser, ns=(parser.stat().st_atime_ns, parser.stat().st_mtime_ns + 10**9))
        parse_cache._code_fingerprint.cache_clear()
        Project(project_dir).resolve()
        [second] = entries(project_dir)
    finally:
        parse_cache._code_fingerprint.cache_clear()
    assert second.parent != first.parent
    assert not first.parent.exists()


def test_a_version_found_in_the_history_is_not_read_from_git_again(
        project_dir: Path, contract_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from assembler.agreement.history import History

    edit(contract_dir, "07-datalekken.md", "achtenveertig (48) uur", "zesendertig (36) uur")
    git(project_dir, "commit", "-qam", "a draft after 1.0")
    first = Project(project_dir).resolve("1.0")
    calls: list[tuple[str, ...]] = []
    run = History._run

    def counted(self: History, *args: str, stdin: bytes | None = None) -> object:
        calls.append(args)
        return run(self, *args, stdin=stdin)

    monkeypatch.setattr(History, "_run", counted)
    again = Project(project_dir).resolve("1.0")
    assert (again.commit, again.agreement) == (first.commit, first.agreement)
    assert calls and not [c for c in calls if c[:2] == ("cat-file", "--batch")]  # no file read
