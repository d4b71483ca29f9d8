"""`customers dossier` holds the breach notices of a customer too (art. 7), re-checkable from its files.

The revision notices, the bounced and rebuilt notice and the destruction statement are followed
end to end in tests/cli/test_lifecycle.py.
"""

from __future__ import annotations

import hashlib
import io
import json
from email import message_from_bytes
from pathlib import Path

import pytest
from click.testing import CliRunner
from freezegun import freeze_time
from pypdf import PdfReader

import assembler.cli.incidents  # noqa: F401 - imported before any clock is frozen
import assembler.cli.lifecycle  # noqa: F401
import assembler.customers.dossier
from assembler.cli import main
from assembler.errors import OutputError
from tests.customers.conftest import CliRun
from tests.incidents.conftest import breach_project, smtp  # noqa: F401 (fixtures)
from tests.incidents.test_notices import send


def run(project_dir: Path, *args: str) -> str:
    result = CliRunner().invoke(main, list(args), env={"ASSEMBLER_ROOT": str(project_dir)})
    assert result.exit_code == 0, result.output
    return result.output


def test_breach_notices_are_in_the_dossier(breach_project: Path, smtp) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    controller, _ = smtp
    with freeze_time("2027-03-27T10:30:00Z"):
        run(breach_project, "incidents", "build", "2027-001")
    assert send(breach_project, controller, "2027-03-27T10:35:00Z").exit_code == 0
    with freeze_time("2027-03-28T09:00:00Z"):
        run(breach_project, "customers", "dossier", "C-0001", "-o", str(breach_project / "dossier"))
    folder = breach_project / "dossier"
    index = json.loads((folder / "index.json").read_text(encoding="utf-8"))
    (delivery,) = index["deliveries"]
    stem = "notices/breach/2027-001/initial/datalek-2027-001-initial-C-0001"
    assert sorted(f["name"] for f in index["files"]) == [
        f"{stem}-{delivery['email_sha256'][:12]}.eml", f"{stem}.pdf"]  # the e-mail and the letter
    for f in index["files"]:
        assert hashlib.sha256((folder / f["name"]).read_bytes()).hexdigest() == f["recorded_sha256"]
    assert (delivery["kind"], delivery["subject"], delivery["outcome"]) == (
        "breach", "2027-001/initial", "sent")
    eml = (folder / delivery["email_file"]).read_bytes()
    assert message_from_bytes(eml)["Message-ID"] == delivery["message_id"]
    text = " ".join(" ".join(p.extract_text() for p in
                             PdfReader(io.BytesIO((folder / "index.pdf").read_bytes())).pages).split())
    assert "datalek (art. 7): 2027-001/initial" in text
    assert delivery["message_id"] in text


def test_an_email_no_file_holds_any_more_is_listed_as_missing(breach_project: Path, smtp) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    controller, _ = smtp
    with freeze_time("2027-03-27T10:30:00Z"):
        run(breach_project, "incidents", "build", "2027-001")
    assert send(breach_project, controller, "2027-03-27T10:35:00Z").exit_code == 0
    # as for a notice sent before the archive kept copies, whose build file was overwritten since
    for eml in (breach_project / "var" / "archive" / "C-0001" / "sent").glob("*.eml"):
        eml.unlink()
    for eml in (breach_project / "build" / "incidents").rglob("*C-0001*.eml"):
        eml.write_bytes(b"overwritten")
    def dossier():  # type: ignore[no-untyped-def]
        result = CliRunner().invoke(main, ["customers", "dossier", "C-0001", "-o",
                                           str(breach_project / "dossier")],
                                    env={"ASSEMBLER_ROOT": str(breach_project)})
        assert result.exit_code == 0, result.output
        return result, json.loads((breach_project / "dossier" / "index.json").read_text("utf-8"))

    changed, index = dossier()  # the build file holds other bytes: listed, and said to differ
    assert "differs from the registry's record" in changed.stderr
    (eml,) = [f for f in index["files"] if f["name"].endswith(".eml")]
    assert eml["matches_record"] is False and eml["recorded_sha256"] != eml["sha256"]

    for built in (breach_project / "build" / "incidents").rglob("*C-0001*.eml"):
        built.unlink()
    result, index = dossier()  # no file holds those bytes at all: listed as missing
    assert "warning: notices/breach/2027-001/initial/datalek-2027-001-initial-C-0001-" in result.stderr
    (missing,) = index["missing"]
    assert missing["recorded_sha256"] == index["deliveries"][0]["email_sha256"]
    text = " ".join(PdfReader(io.BytesIO((breach_project / "dossier" / "index.pdf").read_bytes()))
                    .pages[-1].extract_text().split())
    assert "Ontbrekende bestanden" in text


def folder_files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_folder_holding_other_files_is_refused_untouched(cli: CliRun, project_dir: Path) -> None:
    cli("customers", "import", "customers.csv")
    out = project_dir / "dossier"
    out.mkdir()
    (out / "notes.txt").write_text("mine\n", encoding="utf-8")
    refused = cli("customers", "dossier", "C-1042", "-o", str(out))
    assert refused.exit_code == 1
    assert refused.stderr == (f"assembler: error: {out}: the folder is not empty and holds no "
                              "dossier of C-1042; give a new or empty folder (or the folder of its "
                              "previous dossier)\n")
    assert folder_files(out) == {"notes.txt": b"mine\n"}
    assert sorted(p.name for p in project_dir.glob(".dossier*")) == []  # no half-built sibling
    assert cli("customers", "dossier", "C-1042", "-o", str(project_dir / "d2")).exit_code == 0
    other = cli("customers", "dossier", "C-1003", "-o", str(project_dir / "d2"))
    assert other.exit_code == 1 and "holds no dossier of C-1003" in other.stderr


def test_a_previous_dossier_is_replaced_as_a_whole(cli: CliRun, project_dir: Path) -> None:
    cli("customers", "import", "customers.csv")
    out = project_dir / "dossier"
    with freeze_time("2026-11-30 10:00:00"):
        assert cli("customers", "dossier", "C-1042", "-o", str(out)).exit_code == 0
    # a file an earlier dossier listed that the customer's evidence no longer gives
    index = json.loads((out / "index.json").read_text(encoding="utf-8"))
    index["files"].append({"name": "notices/revision/1.1/gone.eml"})
    (out / "index.json").write_text(json.dumps(index), encoding="utf-8")
    (out / "notices" / "revision" / "1.1").mkdir(parents=True)
    (out / "notices" / "revision" / "1.1" / "gone.eml").write_bytes(b"old")
    with freeze_time("2026-12-01 10:00:00"):
        assert cli("customers", "dossier", "C-1042", "-o", str(out)).exit_code == 0
    assert sorted(folder_files(out)) == ["index.json", "index.pdf"]
    assert json.loads((out / "index.json").read_text(encoding="utf-8"))["made_on"] == "2026-12-01"
    (out / "extra.txt").write_text("x", encoding="utf-8")
    stray = cli("customers", "dossier", "C-1042", "-o", str(out))
    assert stray.exit_code == 1
    assert stray.stderr.endswith("holds extra.txt, which is not part of the previous dossier of "
                                 "C-1042; move it away or give a new folder\n")
    assert sorted(p.name for p in project_dir.glob(".dossier*")) == []


def test_a_failure_leaves_the_previous_dossier_as_it_was(cli: CliRun, project_dir: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    cli("customers", "import", "customers.csv")
    out = project_dir / "dossier"
    with freeze_time("2026-11-30 10:00:00"):
        assert cli("customers", "dossier", "C-1042", "-o", str(out)).exit_code == 0
    before = folder_files(out)

    def broken(*_args: object) -> bytes:
        raise OutputError("index.pdf: the renderer failed")

    monkeypatch.setattr(assembler.customers.dossier, "render_dossier_index", broken)
    with freeze_time("2026-12-01 10:00:00"):  # a new index.json would say so
        failed = cli("customers", "dossier", "C-1042", "-o", str(out))
    assert failed.exit_code == 1
    assert failed.stderr == "assembler: error: index.pdf: the renderer failed\n"
    assert folder_files(out) == before
    assert sorted(p.name for p in project_dir.glob(".dossier*")) == []


def test_index_json_says_in_dutch_what_index_pdf_says(cli: CliRun, project_dir: Path) -> None:
    """Keys and kinds are English labels; every sentence a reader meets is index.pdf's Dutch."""
    cli("customers", "import", "customers.csv")
    with freeze_time("2026-11-30 10:00:00"):
        assert cli("customers", "terminate", "C-1042", "--received", "2026-11-30",
                   "--reason", "bedrijf gestopt").exit_code == 0
    with freeze_time("2026-12-01 10:00:00"):
        assert cli("customers", "destruction-statement", "C-1042").exit_code == 0
        assert cli("customers", "dossier", "C-1042", "-o", "d").exit_code == 0
    raw = (project_dir / "d" / "index.json").read_text(encoding="utf-8")
    for english in ("archived as", "customer registry", "the customer's termination", "as sent"):
        assert english not in raw, english
    index = json.loads(raw)
    signed, terminated, destroyed = index["timeline"]
    assert (signed["kind"], signed["what"], signed["evidence"]) == (
        "signed", "Overeenkomst versie 1.0 ondertekend", "klantregister (import)")
    assert (terminated["what"], terminated["evidence"], terminated["reason"]) == (
        "Opzegging ontvangen; geen versie meer met ingang van 1 december 2026",
        "reden: bedrijf gestopt", "bedrijf gestopt")
    (statement,) = index["files"]
    assert destroyed["file"] == statement["name"] and destroyed["evidence"] == f"bestand {statement['name']}"
    assert statement["what"] == "verklaring van vernietiging (art. 11.1)"
    assert index["in_force_periods"][0]["evidence"] == "klantregister (import)"
    pdf = " ".join(" ".join(p.extract_text() for p in PdfReader(
        io.BytesIO((project_dir / "d" / "index.pdf").read_bytes())).pages).split()).replace("- ", "-")
    for e in index["timeline"]:  # (a long file name breaks after a hyphen in the PDF)
        assert e["what"] in pdf and e["evidence"] in pdf, pdf


@pytest.mark.parametrize("where", ["/proc/x", "loop", "file/x", "unlistable"])
def test_an_unwritable_folder_is_one_line_naming_it(cli: CliRun, project_dir: Path, where: str,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    cli("customers", "import", "customers.csv")
    (project_dir / "loop").symlink_to("loop")  # a symbolic link to itself
    (project_dir / "file").write_text("a file, not a folder\n", encoding="utf-8")
    out = Path(where) if where.startswith("/") else project_dir / where
    if where == "unlistable":  # as a folder of someone else's is (the tests may run as root)
        out.mkdir()
        (out / "theirs.txt").write_text("x", encoding="utf-8")
        listed = Path.rglob

        def refused(self: Path, pattern: str) -> object:
            if self == out:
                raise PermissionError(13, "Permission denied", str(self))
            return listed(self, pattern)

        monkeypatch.setattr(Path, "rglob", refused)
    result = cli("customers", "dossier", "C-1042", "-o", str(out))
    assert result.exit_code == 1
    reason = {"/proc/x": "No such file or directory", "loop": "a loop of symbolic links",
              "file/x": f"{project_dir / 'file'} is a file, not a folder", "unlistable": "Permission denied"}[where]
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"assembler: error: {out}: cannot write") and line.endswith(reason)
    assert "bug" not in line
    assert sorted(p.name for p in project_dir.rglob(".*.new")) == []  # nothing half-built left
