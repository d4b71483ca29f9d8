"""`assembler check --base REF`: what blocks a pull request, over a temporary git repository."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import CONTRACT, git
from tests.workflow.helpers import cli, commit_all, edit, release

TODAY = "2026-11-28"
# earliest_effective(28 Nov + 1 day e-mail buffer): received 29 Nov, + 1 month = 29 Dec, must be before E.
EARLIEST = "2026-12-30"
CLAUSE_OLD = "binnen achtenveertig (48) uur"
CLAUSE_NEW = "binnen vierentwintig (24) uur"


@pytest.fixture
def pr(project_dir: Path) -> Path:
    """The project on branch `pr`, off `main` which holds version 1.0."""
    git(project_dir, "checkout", "-q", "-b", "pr")
    return project_dir


def check_base(project: Path, *extra: str) -> tuple[int, list[str], str]:
    proc = cli(project, "check", "--base", "main", "--today", TODAY, *extra)
    errors = [line for line in proc.stdout.splitlines() if ": error: " in line]
    return proc.returncode, errors, proc.stdout + proc.stderr


def test_clean_change_passes(pr: Path) -> None:
    edit(pr, "07-datalekken.md", CLAUSE_OLD, CLAUSE_NEW)
    release(pr, "1.1", "2027-02-01", {"7": "De meldtermijn voor datalekken wordt 24 uur."})
    commit_all(pr, "Datalekken binnen 24 uur melden")
    code, errors, out = check_base(pr)
    assert (code, errors) == (0, []), out
    assert "0 error(s)" in out


def test_draft_without_manifest_passes(pr: Path) -> None:
    edit(pr, "07-datalekken.md", CLAUSE_OLD, CLAUSE_NEW)
    commit_all(pr, "concept")
    code, errors, out = check_base(pr)
    assert (code, errors) == (0, []), out


def test_too_short_window_is_an_error_naming_the_earliest_date(pr: Path) -> None:
    edit(pr, "07-datalekken.md", CLAUSE_OLD, CLAUSE_NEW)
    release(pr, "1.1", "2026-12-29", {"7": "De meldtermijn wordt 24 uur."})
    commit_all(pr, "te vroeg")
    code, errors, out = check_base(pr)
    assert code == 1, out
    assert len(errors) == 1, out
    assert errors[0].startswith(f"versions/{CONTRACT}/1.1.toml:6: error: version 1.1 takes effect on "
                                "2026-12-29, too soon for the art. 11.2 notice month")
    assert f"the earliest possible effective date is {EARLIEST} (30 december 2026)" in errors[0]


def test_window_boundary_day_passes(pr: Path) -> None:
    edit(pr, "07-datalekken.md", CLAUSE_OLD, CLAUSE_NEW)
    release(pr, "1.1", EARLIEST, {"7": "De meldtermijn wordt 24 uur."})
    commit_all(pr, "precies op tijd")
    code, errors, out = check_base(pr)
    assert (code, errors) == (0, []), out


def test_window_uses_the_configured_email_buffer(pr: Path) -> None:
    edit(pr, "07-datalekken.md", CLAUSE_OLD, CLAUSE_NEW)
    release(pr, "1.1", EARLIEST, {"7": "De meldtermijn wordt 24 uur."})
    (pr / "assembler.toml").write_text("[notices]\nemail_buffer_days = 3\n", encoding="utf-8")
    commit_all(pr, "drie dagen buffer")
    code, errors, out = check_base(pr)
    assert code == 1, out
    # received 1 December at the earliest; + 1 month = 1 January, which must lie before E.
    assert "the earliest possible effective date is 2027-01-02" in errors[0]


def test_without_base_the_window_is_not_checked(pr: Path) -> None:
    edit(pr, "07-datalekken.md", CLAUSE_OLD, CLAUSE_NEW)
    release(pr, "1.1", "2026-12-29", {"7": "De meldtermijn wordt 24 uur."})
    commit_all(pr, "te vroeg")
    proc = cli(pr, "check")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_missing_explanation_names_each_changed_article(pr: Path) -> None:
    # The toelichting rule is the notices' (`check` over every released version); in a pull
    # request it is what stops a new manifest whose TODO markers are still there.
    edit(pr, "07-datalekken.md", CLAUSE_OLD, CLAUSE_NEW)
    edit(pr, "03-verantwoordelijkheid.md", "louter verantwoordelijk", "uitsluitend verantwoordelijk")
    release(pr, "1.1", "2027-02-01", {"7": "De meldtermijn wordt 24 uur."})
    commit_all(pr, "twee wijzigingen, één toelichting")
    code, errors, out = check_base(pr)
    assert code == 1, out
    assert errors == [f"versions/{CONTRACT}/1.1.toml:11: error: article 3 changes in 1.1 but has "
                      'no toelichting (write it under [toelichting] as 3 = "…")'], out


def test_changed_pin_of_a_released_version_is_an_error(pr: Path) -> None:
    # The lawyer edits the released text and re-pins 1.0 to it instead of releasing 1.1.
    edit(pr, "07-datalekken.md", CLAUSE_OLD, CLAUSE_NEW)
    new_sha = json.loads(cli(pr, "show", "--format", "json").stdout)["sha256"]
    manifest = pr / "versions" / CONTRACT / "1.0.toml"
    text = manifest.read_text(encoding="utf-8")
    old_sha = text.split('sha256 = "', 1)[1][:64]
    manifest.write_text(text.replace(old_sha, new_sha), encoding="utf-8")
    commit_all(pr, "1.0 aangepast")
    code, errors, out = check_base(pr)
    assert code == 1, out
    assert errors == [
        f"versions/{CONTRACT}/1.0.toml:7: error: version 1.0 is released at main with sha256 "
        f"{old_sha[:12]}…; changing the pin edits the released text: release a new version instead"]


def test_removed_manifest_is_an_error(pr: Path) -> None:
    (pr / "versions" / CONTRACT / "1.0.toml").unlink()
    commit_all(pr, "weg met 1.0")
    code, errors, out = check_base(pr)
    assert code == 1, out
    assert errors == [f"versions/{CONTRACT}/1.0.toml: error: version 1.0 is released at main: its "
                      'manifest must not be removed (to take it back, set status = "withdrawn")']


def test_edited_released_text_without_any_copy_is_an_error(project_dir: Path) -> None:
    # 1.1 is released on main; the pull request rewrites main's history so its text is gone.
    edit(project_dir, "07-datalekken.md", CLAUSE_OLD, CLAUSE_NEW)
    release(project_dir, "1.1", "2027-02-01", {"7": "De meldtermijn wordt 24 uur."})
    commit_all(project_dir, "1.1")
    git(project_dir, "checkout", "-q", "-b", "pr")
    edit(project_dir, "07-datalekken.md", CLAUSE_NEW, "binnen twaalf (12) uur")
    git(project_dir, "add", "-A")
    git(project_dir, "commit", "-q", "--amend", "-m", "1.1, stilletjes aangepast")
    code, errors, out = check_base(project_dir)
    assert code == 1, out
    assert any(e.startswith(f"versions/{CONTRACT}/1.1.toml: error: no tag, commit or work tree "
                            "holds the text") for e in errors), out


def test_json_output_names_the_base_and_rules(pr: Path) -> None:
    edit(pr, "07-datalekken.md", CLAUSE_OLD, CLAUSE_NEW)
    release(pr, "1.1", "2026-12-01")
    commit_all(pr, "te vroeg en zonder toelichting")
    code, _, out = check_base(pr, "--format", "json")
    assert code == 1
    data = json.loads(out[: out.rindex("}") + 1])
    assert data["base"] == "main"
    assert sorted(f["rule"] for f in data["findings"] if f["severity"] == "error") == [
        "toelichting", "window"]


def test_unknown_base_is_a_usage_error(pr: Path) -> None:
    proc = cli(pr, "check", "--base", "no-such-branch")
    assert proc.returncode == 2
    assert proc.stderr.startswith("assembler: error: unknown version or ref 'no-such-branch'")
    assert "Traceback" not in proc.stderr
