"""Foundation figures: parse + check in-process, `assembler check` as a fresh process, and
resolving a version by hash in a history of 500 commits that touch the contract."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assembler.agreement import parse as clauses  # noqa: E402
from assembler.agreement.lint import check_agreement  # noqa: E402
from assembler.agreement.project import Project  # noqa: E402
from bench.common import ROOT, edit_clause, fresh_repo, git, median_ms, process_s, report  # noqa: E402

CONTRACT = "verwerkersovereenkomst"


def clear_caches() -> None:
    clauses.parse_file.cache_clear()
    clauses._meta.cache_clear()
    clauses._catalogue.cache_clear()


def parse_and_check() -> None:
    clear_caches()  # a cold parse, as a fresh process sees it
    project = Project(ROOT)
    check_agreement(project.resolve("worktree", CONTRACT).agreement)



def history_of(commits: int, tmp: Path) -> tuple[Path, str]:
    """Return a repository with `commits` commits each editing one clause file, and the sha256
    of the text at the newest one, after which the work tree is edited once more."""
    repo = fresh_repo(tmp / "repo")
    folder = repo / "contracts" / CONTRACT
    for i in range(1, commits):
        edit_clause(folder, i)
        git(repo, "commit", "-qam", f"edit {i}")
    project = Project(repo)
    sha = project.resolve("HEAD", CONTRACT).agreement.sha256
    f = folder / "01-doeleinden.md"
    f.write_text(f.read_text(encoding="utf-8").replace("Verwerker", "De verwerker", 1), encoding="utf-8")
    return repo, sha


def pin(repo: Path, sha: str, tree: str | None) -> None:
    manifest = repo / "versions" / CONTRACT / "9.0.toml"
    lines = [f'contract = "{CONTRACT}"', 'version = "9.0"', 'status = "released"',
             "effective = 2030-01-01", f'sha256 = "{sha}"'] + ([f'tree = "{tree}"'] if tree else [])
    manifest.write_text("\n".join(lines) + "\n", encoding="utf-8")


def resolve_fresh(repo: Path) -> None:
    clear_caches()
    r = Project(repo).resolve("9.0", CONTRACT)
    assert r.commit is not None


def main() -> None:
    ms = median_ms(parse_and_check, runs=50)
    report("parse + check, whole agreement, in-process (cold)", ms, "ms", "<= 20 ms", ms <= 20)
    s = process_s(["check"], runs=7)
    report("`assembler check` as a fresh process", s, "s", "<= 0.6 s", s <= 0.6)
    baseline = process_s(["--version"], runs=7)
    report("  baseline: `assembler --version` (interpreter, click, no command)", baseline, "s", "-", True)
    with tempfile.TemporaryDirectory() as tmp:
        repo, sha = history_of(500, Path(tmp))
        pin(repo, sha, None)
        ms = median_ms(lambda: resolve_fresh(repo), runs=5, warmup=1)
        report("resolve a version by hash, 500 commits, newest pinned", ms / 1000, "s", "<= 1 s", ms <= 1000)
        tree = subprocess.run(["git", "rev-parse", f"HEAD:contracts/{CONTRACT}"], cwd=repo,
                              capture_output=True, text=True, check=True).stdout.strip()
        pin(repo, sha, tree)
        ms = median_ms(lambda: resolve_fresh(repo), runs=5, warmup=1)
        report("resolve a version by tree id (manifest's fast path)", ms / 1000, "s", "<= 1 s", ms <= 1000)


if __name__ == "__main__":
    main()
