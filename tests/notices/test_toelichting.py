"""`release --note` fills the manifest's [toelichting]; `check` reports what is missing."""

from __future__ import annotations

import subprocess
import tomllib
from pathlib import Path

import pytest

from assembler.errors import CheckFailedError
from assembler.model import TOELICHTING_TODO
from tests.notices.conftest import CONTRACT, NOTE_7, PYTHON, build, cli_env, release_11


def run(project_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([PYTHON, "-m", "assembler", *args], cwd=project_dir, capture_output=True,
                          text=True, env=cli_env(project_dir), timeout=120)


def edit_7(project_dir: Path) -> None:
    path = project_dir / "contracts" / CONTRACT / "07-datalekken.md"
    path.write_text(path.read_text().replace("achtenveertig (48)", "vierentwintig (24)"))


def manifest(project_dir: Path) -> dict:
    return tomllib.loads((project_dir / "versions" / CONTRACT / "1.1.toml").read_text())


def test_release_with_a_note_per_changed_article(project_dir: Path) -> None:
    edit_7(project_dir)
    result = run(project_dir, "release", "1.1", "--effective", "2027-02-01", "--note", f"7={NOTE_7}")
    assert result.returncode == 0, result.stderr
    assert "toelichting: 7" in result.stdout
    assert manifest(project_dir)["toelichting"] == {"7": NOTE_7}
    assert run(project_dir, "check").returncode == 0


def test_a_missing_note_becomes_a_marker_that_check_reports(project_dir: Path) -> None:
    edit_7(project_dir)
    result = run(project_dir, "release", "1.1", "--effective", "2027-02-01")
    assert result.returncode == 0, result.stderr
    assert "still to write in versions/verwerkersovereenkomst/1.1.toml: 7" in result.stdout
    assert manifest(project_dir)["toelichting"] == {"7": TOELICHTING_TODO}
    check = run(project_dir, "check")
    assert check.returncode == 1
    assert ("versions/verwerkersovereenkomst/1.1.toml:11: error: article 7 changes in 1.1 but has "
            "no toelichting") in check.stdout
    path = project_dir / "versions" / CONTRACT / "1.1.toml"
    path.write_text(path.read_text().replace(TOELICHTING_TODO, NOTE_7))
    assert run(project_dir, "check").returncode == 0


def test_a_note_for_an_unchanged_article_is_refused(project_dir: Path) -> None:
    edit_7(project_dir)
    result = run(project_dir, "release", "1.1", "--effective", "2027-02-01", "--note", "3=Iets.")
    assert result.returncode == 2
    assert "--note 3=…: article 3 does not change in 1.1 (changed: 7)" in result.stderr
    assert not (project_dir / "versions" / CONTRACT / "1.1.toml").exists()
    bad = run(project_dir, "release", "1.1", "--effective", "2027-02-01", "--note", "7")
    assert bad.returncode == 2 and "must look like ARTICLE=TEXT" in bad.stderr


def test_a_bijlage_1_change_needs_its_own_toelichting(project_dir: Path) -> None:
    cat = project_dir / "contracts" / CONTRACT / "bijlage-1.toml"
    cat.write_text(cat.read_text().replace('label = "Belhistorie"', 'label = "Belhistorie en gespreksduur"'))
    refused = run(project_dir, "release", "1.1", "--effective", "2027-02-01", "--note", "7=Niets.")
    assert refused.returncode == 2
    assert "--note 7=…: article 7 does not change in 1.1 (changed: bijlage-1)" in refused.stderr
    released = run(project_dir, "release", "1.1", "--effective", "2027-02-01")
    assert released.returncode == 0
    assert "still to write in versions/verwerkersovereenkomst/1.1.toml: bijlage-1" in released.stdout
    assert manifest(project_dir)["toelichting"] == {"bijlage-1": TOELICHTING_TODO}
    check = run(project_dir, "check")
    assert check.returncode == 1
    assert ("versions/verwerkersovereenkomst/1.1.toml:11: error: Bijlage 1 changes in 1.1 but has no "
            'toelichting (write it under [toelichting] as bijlage-1 = "…", or per catalogue id under '
            "[toelichting-bijlage-1])") in check.stdout
    path = project_dir / "versions" / CONTRACT / "1.1.toml"
    path.write_text(path.read_text().replace(TOELICHTING_TODO, "Belhistorie omvat ook de gespreksduur."))
    assert run(project_dir, "check").returncode == 0


def test_build_refuses_letters_without_a_toelichting(project_dir: Path) -> None:
    release_11(project_dir, notes={})
    from tests.notices.conftest import add_customers, customer

    add_customers(project_dir, [customer(1)])
    with pytest.raises(CheckFailedError, match="article 7 changes in 1.1 but has no toelichting"):
        build(project_dir)


def _add_queue_category(project_dir: Path) -> None:
    cat = project_dir / "contracts" / CONTRACT / "bijlage-1.toml"
    cat.write_text(cat.read_text().replace(
        "[[data_subjects]]", '[[data_categories]]\nid = "wachtrij"\nlabel = "Gegevens van bellers in '
        'de wachtrij"\nservices = ["callcenter"]\n\n[[data_subjects]]', 1))


def test_release_with_notes_per_catalogue_item(project_dir: Path) -> None:
    edit_7(project_dir)
    _add_queue_category(project_dir)
    queue = "Voor de dienst Wachtrijen en callcenter verwerken wij ook gegevens van bellers in de wachtrij."
    result = run(project_dir, "release", "1.1", "--effective", "2027-02-01", "--note", f"7={NOTE_7}",
                 "--note", f"bijlage-1:wachtrij={queue}")
    assert result.returncode == 0, result.stderr
    assert "toelichting: 7, bijlage-1:wachtrij\n" in result.stdout  # nothing left to write
    written = manifest(project_dir)
    assert written["toelichting"] == {"7": NOTE_7}  # no TODO marker for Bijlage 1
    assert written["toelichting-bijlage-1"] == {"wachtrij": queue}
    assert run(project_dir, "check").returncode == 0


def test_release_refuses_a_note_on_an_unknown_catalogue_id(project_dir: Path) -> None:
    edit_7(project_dir)
    _add_queue_category(project_dir)
    result = run(project_dir, "release", "1.1", "--effective", "2027-02-01", "--note", f"7={NOTE_7}",
                 "--note", "bijlage-1:callcentre=Tikfout.")
    assert result.returncode == 2
    assert ("--note bijlage-1:callcentre=…: 'callcentre' is no service, data category or data "
            "subject of Bijlage 1") in result.stderr
    assert not (project_dir / "versions" / CONTRACT / "1.1.toml").exists()


def test_release_refuses_a_note_per_item_when_bijlage_1_does_not_change(project_dir: Path) -> None:
    edit_7(project_dir)
    result = run(project_dir, "release", "1.1", "--effective", "2027-02-01", "--note", f"7={NOTE_7}",
                 "--note", "bijlage-1:callcenter=Iets.")
    assert result.returncode == 2
    assert "--note bijlage-1:callcenter=…: Bijlage 1 does not change in 1.1" in result.stderr
