"""Site figures: `assembler site` for 20 released versions (each a small edit of the one before),
as a fresh process, against `assembler show 1.0 --format text` (start-up, manifests, one version
found in history and printed) on the same repository in the same run."""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assembler.agreement.project import Project  # noqa: E402
from assembler.notices.deadline import add_months  # noqa: E402
from assembler.render import site_html, typography  # noqa: E402
from assembler.workflow.release import release_version  # noqa: E402
from assembler.workflow.site import build_site  # noqa: E402
from bench.common import edit_clause, fresh_repo, git, process_s, report, with_and_without  # noqa: E402

CONTRACT = "verwerkersovereenkomst"
VERSIONS = 20



def project_with_versions(tmp: Path, count: int) -> Path:
    """Return a repository with versions 1.0 … 1.<count-1>, each one clause edit and one commit."""
    repo = fresh_repo(tmp / "repo")
    folder = repo / "contracts" / CONTRACT
    for i in range(1, count):
        f = edit_clause(folder, i)
        article = str(int(f.name[:2]))
        effective = add_months(dt.date(2019, 1, 1), 3 * i)
        # each version released two months before it takes effect, inside the art. 11.2 window
        release_version(Project(repo), CONTRACT, f"1.{i}", effective,
                        today=effective - dt.timedelta(days=62), toelichting={article: f"Wijziging {i}."})
        git(repo, "add", "-A")
        git(repo, "commit", "-qm", f"1.{i}")
    return repo


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        repo = project_with_versions(Path(tmp), VERSIONS)
        out = Path(tmp) / "site"
        env = {"ASSEMBLER_ROOT": str(repo)}
        site = process_s(["site", "-o", str(out)], runs=5, env=env)
        baseline = process_s(["show", "1.0", "--format", "text"], runs=5, env=env)
        pages = len(list(out.rglob("*.html")))
        files = len([p for p in out.rglob("*") if p.is_file()])
        bound, plain = _binding_cost(repo, Path(tmp) / "in-process")
    report(f"`assembler site`, {VERSIONS} versions ({pages} pages, {files} files), fresh process",
           site, "s", "<= 5 s", site <= 5)
    report("baseline in the same run: `assembler show 1.0 --format text`", baseline, "s", "", True)
    print(f"site / baseline: {site / baseline:.1f}x", flush=True)
    report("`build_site` in-process, no-break spaces bound (median of 3 rounds)", bound, "ms", "", True)
    report("  baseline in the same run: the same, binding switched off", plain, "ms", "", True)


def _as_is(page: str) -> str:
    return page


def _binding_cost(repo: Path, out: Path) -> tuple[float, float]:
    """Return the in-process site build's median time in ms, with the no-break spaces and without.

    The two alternate, three rounds, so that load from other processes hits both alike.
    """
    project = Project(repo)

    def build() -> None:
        typography.keep_together.cache_clear()  # each run binds from scratch, as a fresh process
        build_site(project, CONTRACT, out)

    return with_and_without(build, [(site_html, "keep_together_html"),
                                    (site_html, "keep_together_feed")], _as_is,
                            rounds=3, runs=3, warmup=1)


if __name__ == "__main__":
    main()
