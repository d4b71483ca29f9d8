"""The foundation commands as a user runs them: output, exit codes and bad input."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner, Result
from freezegun import freeze_time

from assembler.cli import main
from tests.conftest import CONTRACT, ROOT, SOURCE_TXT

ART6 = "contracts/verwerkersovereenkomst/07-datalekken.md:1: warning: article 6 missing: article 5 is followed by article 7"


def run(project: Path, *args: str) -> Result:
    return CliRunner().invoke(main, list(args), env={"ASSEMBLER_ROOT": str(project)}, catch_exceptions=False)


def proc(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "ASSEMBLER_ROOT"}
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.run([sys.executable, "-m", "assembler", *args], cwd=cwd, capture_output=True,
                          text=True, env=env)


def test_check_v1_exits_0_with_the_article_6_warning(project_dir: Path) -> None:
    r = run(project_dir, "check")
    assert (r.exit_code, r.stdout) == (0, ART6 + "\n")
    assert "0 error(s), 1 warning(s)" in r.stderr


def test_check_json(project_dir: Path) -> None:
    data = json.loads(run(project_dir, "check", "1.0", "--format", "json").stdout)
    assert (data["errors"], data["warnings"], data["findings"][0]["line"]) == (0, 1, 1)


def test_check_exits_1_on_errors(project_dir: Path) -> None:
    f = project_dir / "contracts" / CONTRACT / "09-audit.md"
    f.write_text(f.read_text().replace("9.2. ", "9.2 "))
    r = run(project_dir, "check")
    assert r.exit_code == 1
    assert "contracts/verwerkersovereenkomst/09-audit.md:5: error: clause number '9.2' must end with a period: '9.2.'" in r.stdout


def test_check_reports_a_malformed_file_as_a_finding(project_dir: Path) -> None:
    f = project_dir / "contracts" / CONTRACT / "09-audit.md"
    f.write_text("# Artikel 9. Audit\n\nGeen nummer.\n")
    r = run(project_dir, "check")
    assert r.exit_code == 1
    assert r.stdout.startswith("contracts/verwerkersovereenkomst/09-audit.md:3: error: text before the first clause of article 9")


def test_usage_errors_exit_2(project_dir: Path) -> None:
    for args in (["check", "2.0"], ["show", "nope"], ["check", "--format", "xml"]):
        r = run(project_dir, *args)
        assert r.exit_code == 2, args
    assert run(project_dir, "show", "2.0").stderr == (
        "assembler: error: unknown version or ref '2.0': no version 2.0 of verwerkersovereenkomst (released: 1.0)\n")


def test_show_text_reproduces_the_source(project_dir: Path) -> None:
    r = run(project_dir, "show", "1.0", "--format", "text")
    assert r.exit_code == 0
    tokens = lambda s: re.findall(r"\S+", s.replace("*", ""))  # noqa: E731
    assert tokens(r.stdout) == tokens(SOURCE_TXT.read_text(encoding="utf-8"))


def test_show_json_is_the_model(project_dir: Path) -> None:
    data = json.loads(run(project_dir, "show", "1.0", "--format", "json").stdout)
    assert set(data) >= {"contract", "title", "version", "sha256", "preamble", "articles", "annexes"}
    clause = data["articles"][5]["clauses"][2]
    assert (data["version"], clause["number"], clause["source"]) == (
        "1.0", "7.3", {"path": "contracts/verwerkersovereenkomst/07-datalekken.md", "line": 8})
    assert clause["text"].count("\n\n") == 1  # the (I)…(III) paragraph belongs to 7.3
    assert data["annexes"][0]["blocks"][2]["text"].startswith("(I) NAW-gegevens, (II) Telefoonnummer")


def test_show_markdown_is_one_document(project_dir: Path) -> None:
    out = run(project_dir, "show").stdout
    assert out.startswith("# Verwerkersovereenkomst VoIP Express\n\nVersie 1.0\n")
    assert "## Artikel 7. Datalekken" in out and "*Bijlage 1*" in out


def test_versions(project_dir: Path) -> None:
    assert run(project_dir, "versions").stdout == "verwerkersovereenkomst 1.0  in force since 2018-05-25  sha256 3f9102f00e21\n"
    data = json.loads(run(project_dir, "versions", "--format", "json").stdout)
    assert data["versions"][0]["in_force"] is True


@freeze_time("2026-11-28 09:00:00")  # a month before 2027-03-01, the art. 11.2 notice month
def test_release_cli(project_dir: Path) -> None:
    f = project_dir / "contracts" / CONTRACT / "09-audit.md"
    f.write_text(f.read_text().replace("Deze audit mag", "Een audit mag"))
    r = run(project_dir, "release", "1.1", "--effective", "2027-03-01")
    assert r.exit_code == 0 and r.stdout.startswith("released verwerkersovereenkomst 1.1: effective 2027-03-01")
    assert (project_dir / "versions" / CONTRACT / "1.1.toml").is_file()
    bad = run(project_dir, "release", "1.2", "--effective", "1 maart")
    assert bad.exit_code == 2 and "'1 maart' is not a date in the form YYYY-MM-DD" in bad.stderr


def test_bad_input_is_one_line_without_traceback(project_dir: Path) -> None:
    f = project_dir / "contracts" / CONTRACT / "04-derden.md"
    f.write_bytes(b"# Artikel 4. Derden\n\n4.1. \xff\n")
    r = proc(project_dir, "show")
    assert r.returncode == 1
    assert r.stderr == "assembler: error: contracts/verwerkersovereenkomst/04-derden.md:3: not valid UTF-8\n"
    debug = proc(project_dir, "--debug", "show")
    assert debug.returncode == 1 and "Traceback (most recent call last)" in debug.stderr


def test_broken_manifest(project_dir: Path) -> None:
    m = project_dir / "versions" / CONTRACT / "1.0.toml"
    m.write_text(m.read_text().replace("effective = 2018-05-25", 'effective = "morgen"'))
    r = proc(project_dir, "versions")
    assert (r.returncode, r.stderr) == (
        1, "assembler: error: versions/verwerkersovereenkomst/1.0.toml:6: 'effective' must be a date (YYYY-MM-DD)\n")


def test_outside_a_project(tmp_path: Path) -> None:
    r = proc(tmp_path, "check")
    assert r.returncode == 1
    assert r.stderr.startswith("assembler: error: ") and "not inside an assembler project" in r.stderr
    assert "Traceback" not in r.stderr


def test_python_dash_m_and_help(project_dir: Path) -> None:
    r = proc(project_dir, "--help")
    assert r.returncode == 0 and "Usage: assembler" in r.stdout


def test_show_names_a_version_and_a_concept_in_dutch(project_dir: Path) -> None:
    text = run(project_dir, "show", "1.0", "--format", "text").stdout.split("\n\n")
    assert text[:2] == ["Verwerkersovereenkomst VoIP Express", "Versie 1.0"]
    clause = project_dir / "contracts" / CONTRACT / "07-datalekken.md"
    clause.write_text(clause.read_text(encoding="utf-8").replace("achtenveertig (48)",
                                                                 "vierentwintig (24)"), "utf-8")
    text = run(project_dir, "show", "worktree", "--format", "text").stdout.split("\n\n")
    assert text[:2] == ["Verwerkersovereenkomst VoIP Express", "Concepttekst (nog niet vastgesteld)"]
    markdown = run(project_dir, "show", "worktree").stdout.split("\n\n")
    assert markdown[:2] == ["# Verwerkersovereenkomst VoIP Express",
                            "Concepttekst (nog niet vastgesteld)"]
