"""The personal-data guard: what it catches, what it leaves alone, and where it runs."""

from __future__ import annotations

import io
import os
import shutil
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from assembler.workflow.guard import iban_valid, scan_bytes, scan_line
from tests.conftest import ROOT, git
from tests.workflow.helpers import cli, commit_all

# Every line below that holds personal-data-like text carries the pragma, so the guard, run over
# this repository, passes this file. The pragma itself is tested with text built at run time.
# Real-looking addresses are built at run time: git must hold none (a standing check greps for them).
AT = "@"

CAUGHT = [
    (f"Mail naar jan.jansen{AT}gmail.com voor vragen.", "e-mail address j…@gmail.com"),  # guard: allow
    (f"contact: Piet{AT}Bedrijf.NL", "e-mail address P…@Bedrijf.NL"),  # guard: allow
    (f"info{AT}shop.example.nl", "e-mail address i…@shop.example.nl"),  # guard: allow
    ("bel 06-12345678.", "Dutch phone number 06…78"),  # guard: allow
    ("mobiel 06 1234 5678", "Dutch phone number 06…78"),  # guard: allow
    ("tel. 0612345678", "Dutch phone number 06…78"),  # guard: allow
    ("kantoor 020-1234567", "Dutch phone number 02…67"),  # guard: allow
    ("Rotterdam 010 - 123 45 67", "Dutch phone number 01…67"),  # guard: allow
    ("+31 6 12345678", "Dutch phone number +31…678"),  # guard: allow
    ("+31 (0)20 123 4567", "Dutch phone number +31…567"),  # guard: allow
    ("0031-20-1234567", "Dutch phone number 003…567"),  # guard: allow
    ("rekening NL91ABNA0417164300", "IBAN NL91…00"),  # guard: allow
    ("rekening NL91 ABNA 0417 1643 00.", "IBAN NL91…00"),  # guard: allow
    ("Konto DE89 3704 0044 0532 0130 00", "IBAN DE89…00"),  # guard: allow
]

NOT_CAUGHT = [
    "privacy@example.nl, jan@example.com, a@example.org, b@example.net",
    "x@klant.example, y@host.test, z@nergens.invalid, root@localhost, dev@app.localhost",
    "git@github.com:voipexpress/contracts.git",
    "@click.command() and actions/checkout@v4",
    "Focused2Create, KvK 58801944; KvK 01234567",
    "sha256 3f9102f00e21d2fcd6111de59d8bd7b589bd9305dcfe88ce029bcd19c313534e",
    "tree 949d54fe513c27621ca151989bfa7af3bee35545, commit 0612345678abcdef0612345678abcdef01234567",
    "HEAD (0123456789ab), short ids 0612345678abc and abc0612345678",
    "effective 2026-11-28; 28-11-2026 12:00; 01-01-2020 12; versie 1.0.12345678",
    "ordernummer 0612345678901, btw NL123456789B01",
    "NL92ABNA0417164300 (checksum wrong), NL00 ABCD 1234 5678 90",
    "US64SVBKUS6S3300958879 is not a SEPA country we know",
]


@pytest.mark.parametrize(("line", "expected"), CAUGHT)
def test_personal_data_is_caught(line: str, expected: str) -> None:
    found = list(scan_line(line))
    assert len(found) == 1, found
    assert found[0].startswith(expected)


@pytest.mark.parametrize("line", NOT_CAUGHT)
def test_false_positives_are_not_reported(line: str) -> None:
    assert list(scan_line(line)) == []


def test_iban_checksum() -> None:
    assert iban_valid("NL91ABNA0417164300")  # guard: allow
    assert iban_valid("be68 5390 0754 7034")  # guard: allow
    assert not iban_valid("NL91ABNA0417164301")
    assert not iban_valid("NL91ABNA041716430")  # one digit short for NL


def test_pragma_allows_one_line() -> None:
    phone = "06-" + "12345678"
    assert list(scan_line(f"bel {phone}"))
    assert list(scan_line(f"bel {phone}  # guard: allow")) == []


def test_report_names_file_and_line_and_masks_the_value() -> None:
    text = f"regel een\nE-mail: jan.jansen{AT}gmail.com\n"  # guard: allow
    findings = list(scan_bytes("docs/klant.md", text.encode()))
    assert [str(f) for f in findings] == [
        "docs/klant.md:2: error: e-mail address j…@gmail.com outside the example domains "
        "(use example.nl or example.com)"]
    assert "jan.jansen" not in str(findings[0])


def test_sqlite_database_is_caught_by_content_and_by_name(tmp_path: Path) -> None:
    db = tmp_path / "export.bin"
    with sqlite3.connect(db) as conn:
        conn.execute("create table customers (email text)")
    db_findings = list(scan_bytes("export.bin", db.read_bytes()))
    assert [f.message for f in db_findings] == [
        "an SQLite database: the customer registry belongs in var/, never in git"]
    assert [f.message for f in scan_bytes("registry.sqlite3", b"")] == [
        "a database file: the customer registry belongs in var/, never in git"]
    # a binary file is not passed silently: it is reported as not scanned; guard: allow
    assert [(f.severity, f.message) for f in scan_bytes("font.otf", b"\0\1\2\3 06-12345678")] == [  # guard: allow
        ("warning", "binary file: not scanned for personal data (keep customers' data out of it)")]


def test_the_repository_itself_passes() -> None:
    proc = subprocess.run([sys.executable, "-m", "assembler", "guard"], cwd=ROOT,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    # the contract's DOCX template is scanned part by part now; only the font is not text
    assert [line.split(": warning: ")[0] for line in proc.stdout.splitlines()] == [
        "assembler/render/templates/fonts/NotoEmoji-Regular.ttf"]
    assert " 0 finding(s), 1 binary file(s) not scanned" in proc.stderr


@pytest.mark.parametrize("text, found", [
    ("BSN 123456782", "BSN 12…82 (passes the elfproef)"),  # guard: allow
    ("burgerservicenummer 123.456.782", "BSN 12…82 (passes the elfproef)"),  # guard: allow
    ("iban nl91abna0417164300", "IBAN NL91…00 (valid checksum)"),  # guard: allow
    ("IBAN NL91.ABNA.0417.1643.00", "IBAN NL91…00 (valid checksum)"),  # guard: allow
    ("bel (020) 123 4567", "Dutch phone number (02…567"),  # guard: allow
], ids=["bsn", "bsn-dotted", "iban-lower-case", "iban-dotted", "phone-with-brackets"])
def test_more_personal_data_is_caught(text: str, found: str) -> None:
    assert [f.message for f in scan_bytes("klant.txt", text.encode())] == [found]


def test_nine_digits_failing_the_elfproef_are_not_a_bsn() -> None:
    assert list(scan_bytes("nummers.txt", b"ordernummer 123456789")) == []


def test_utf16_text_is_scanned_not_skipped() -> None:
    text = "Contactpersoon: IBAN NL91ABNA0417164300\r\n"  # guard: allow
    for data in (text.encode("utf-16"), text.encode("utf-16-le")):
        assert [f.message for f in scan_bytes("export.txt", data)] == ["IBAN NL91…00 (valid checksum)"]


def _docx_with_personal_data() -> bytes:
    """A DOCX (python-docx) whose phone number Word-style spans two runs, and a mailto: link."""
    import docx
    from docx.opc.constants import RELATIONSHIP_TYPE

    document = docx.Document()
    document.add_paragraph("Offerte voor Bakkerij De Gouden Korrel")
    paragraph = document.add_paragraph("Bel ons op ")
    paragraph.add_run("06-1234")
    paragraph.add_run("5678 voor vragen.")
    part = document.part
    part.relate_to("mailto:" + "jan.jansen" + AT + "bedrijf.nl", RELATIONSHIP_TYPE.HYPERLINK,
                   is_external=True)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_a_docx_is_scanned_part_by_part() -> None:
    findings = [str(f) for f in scan_bytes("offerte.docx", _docx_with_personal_data())]
    assert findings == [
        "offerte.docx (word/document.xml): error: paragraph 2: Dutch phone number 06…78",
        "offerte.docx (word/_rels/document.xml.rels): error: link 9: e-mail address "
        "j…@bedrijf.nl outside the example domains (use example.nl or example.com)",
    ]


def test_an_xlsx_and_an_odt_are_scanned_too() -> None:
    iban = "NL91" + "ABNA" + "04171" + "64300"
    parts = {"xl/sharedStrings.xml": f"<sst><si><t>Klant</t></si><si><t>{iban}</t></si></sst>",
             "content.xml": "<office:text><text:p>Privé: 0" + "20-1234567</text:p></office:text>"}
    for name, xml in parts.items():
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            archive.writestr(name, xml)
        messages = [f.message for f in scan_bytes("lijst.xlsx", out.getvalue())]
        assert len(messages) == 1 and ("IBAN NL91…00" in messages[0] or "02…67" in messages[0]), messages


def test_a_clean_docx_passes_and_a_broken_zip_is_a_binary_warning() -> None:
    import docx

    out = io.BytesIO()
    docx.Document().save(out)
    assert list(scan_bytes("leeg.docx", out.getvalue())) == []
    (finding,) = scan_bytes("kapot.docx", b"PK\x03\x04" + bytes(100))
    assert finding.severity == "warning" and "binary file" in finding.message


def test_a_missing_file_given_to_the_guard_is_an_error(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "assembler", "guard", "bestaat-niet.txt"], cwd=tmp_path,
                          capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 1
    assert proc.stdout == "bestaat-niet.txt: error: no such file\n"


def test_guard_scans_tracked_files_only(project_dir: Path) -> None:
    (project_dir / ".gitignore").write_text("/var/\n", encoding="utf-8")
    (project_dir / "var").mkdir()
    with sqlite3.connect(project_dir / "var" / "registry.sqlite3") as conn:
        conn.execute("create table customers (email text)")
    (project_dir / "notes.md").write_text("# Notities\n\nBel de klant op 06-12345678.\n")  # guard: allow
    commit_all(project_dir, "notities")
    proc = cli(project_dir, "guard")
    assert proc.returncode == 1
    assert proc.stdout == "notes.md:3: error: Dutch phone number 06…78\n"
    assert "registry" not in proc.stdout  # ignored by git, so it never enters the repository

    git(project_dir, "add", "-f", "var/registry.sqlite3")
    proc = cli(project_dir, "guard")
    assert "var/registry.sqlite3: error: an SQLite database" in proc.stdout


def test_guard_with_files_scans_just_those(project_dir: Path) -> None:
    (project_dir / "a.txt").write_text("IBAN NL91ABNA0417164300\n")  # guard: allow
    (project_dir / "b.txt").write_text("niets bijzonders\n")
    assert cli(project_dir, "guard", "b.txt").returncode == 0
    proc = cli(project_dir, "guard", "a.txt", "b.txt")
    assert (proc.returncode, proc.stdout) == (1, "a.txt:1: error: IBAN NL91…00 (valid checksum)\n")


def test_pre_commit_hook_refuses_a_commit_with_personal_data(project_dir: Path, tmp_path: Path) -> None:
    pytest.importorskip("pre_commit")
    shutil.copy(ROOT / ".pre-commit-config.yaml", project_dir)
    (project_dir / "tools").mkdir()
    shutil.copy2(ROOT / "tools" / "assembler-hook", project_dir / "tools")
    commit_all(project_dir, "pre-commit")
    # The hooks call `assembler` from PATH, as after `pip install -e .`.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    shim = bin_dir / "assembler"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m assembler "$@"\n')
    shim.chmod(0o755)
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
           "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
           "GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.com",
           "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "test@example.com"}
    subprocess.run([sys.executable, "-m", "pre_commit", "install"], cwd=project_dir, env=env,
                   check=True, capture_output=True)

    def commit(message: str) -> subprocess.CompletedProcess[str]:
        git(project_dir, "add", "-A")
        return subprocess.run(["git", "commit", "-q", "-m", message], cwd=project_dir, env=env,
                              capture_output=True, text=True)

    (project_dir / "klant.md").write_text(f"Contactpersoon: jan{AT}gmail.com\n")  # guard: allow
    refused = commit("klantgegevens")
    assert refused.returncode != 0
    assert "klant.md:1: error: e-mail address j…@gmail.com" in refused.stdout + refused.stderr

    (project_dir / "klant.md").write_text("Contactpersoon: jan@example.nl\n")
    accepted = commit("voorbeeldgegevens")
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr

    # A clause edit that breaks the numbering is stopped by the check hook.
    clause = project_dir / "contracts" / "verwerkersovereenkomst" / "07-datalekken.md"
    clause.write_text(clause.read_text(encoding="utf-8").replace("7.2. ", "7.9. ", 1),
                      encoding="utf-8")
    broken = commit("nummering")
    assert broken.returncode != 0
    assert "07-datalekken.md" in broken.stdout + broken.stderr


def test_the_hook_runs_the_projects_own_venv_when_assembler_is_not_on_path(tmp_path: Path) -> None:
    repo = tmp_path / "clone"
    (repo / ".venv" / "bin").mkdir(parents=True)
    git(repo, "init", "-q")
    fake = repo / ".venv" / "bin" / "assembler"
    fake.write_text('#!/bin/sh\necho "venv assembler: $*"\n')
    fake.chmod(0o755)
    path = os.pathsep.join(p for p in os.environ["PATH"].split(os.pathsep)
                           if not (Path(p) / "assembler").exists())
    proc = subprocess.run([str(ROOT / "tools" / "assembler-hook"), "guard", "a.txt"], cwd=repo,
                          env={**os.environ, "PATH": path}, capture_output=True, text=True)
    assert (proc.returncode, proc.stdout) == (0, "venv assembler: guard a.txt\n"), proc.stderr
