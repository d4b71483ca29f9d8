"""Redline figures: v1.0 → the fixture 1.1 (27 changes of every kind), diff + render in-process,
cold word caches.

Targets (redlines): json/markdown/html/text <= 50 ms, docx <= 150 ms, pdf <= 250 ms, each the
median of diff_agreements + the renderer on already-resolved texts. Baseline in the same run: a
line-level `difflib.unified_diff` of the two plain texts, what `git diff` would show.
"""

from __future__ import annotations

import difflib
import json
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assembler.agreement.project import Project  # noqa: E402
from assembler.model import Redline, Resolved  # noqa: E402
from assembler.redline import words as wordiff  # noqa: E402
from assembler.redline.diff import diff_agreements  # noqa: E402
from assembler.render.plain_text import agreement_text  # noqa: E402
from assembler.render.redline_docx import render_redline_docx  # noqa: E402
from assembler.render.redline_html import render_redline_html  # noqa: E402
from assembler.render.redline_json import render_redline_json  # noqa: E402
from assembler.render.redline_markdown import render_redline_markdown  # noqa: E402
from assembler.render.redline_pdf import render_redline_pdf  # noqa: E402
from assembler.render.redline_text import render_redline_text  # noqa: E402
from bench.common import median_ms, report  # noqa: E402
from tests.redline.pair import build_pair  # noqa: E402

FORMATS: list[tuple[str, Callable[[Redline], object], float]] = [
    ("text", lambda r: render_redline_text(r, colour=True), 50),
    ("markdown", render_redline_markdown, 50),
    ("json", lambda r: json.dumps(render_redline_json(r), ensure_ascii=False), 50),
    ("html", render_redline_html, 50),
    ("docx", render_redline_docx, 150),
    ("pdf", render_redline_pdf, 250),
]


def cold_diff(old: Resolved, new: Resolved) -> Redline:
    """Return the redline with the word caches emptied first, as a fresh process sees it."""
    wordiff.words.cache_clear()
    wordiff.bag.cache_clear()
    return diff_agreements(old, new)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        project = Project(build_pair(Path(tmp) / "pair"))
        old, new = project.resolve("1.0"), project.resolve("1.1")
    a, b = agreement_text(old.agreement).splitlines(), agreement_text(new.agreement).splitlines()
    base = median_ms(lambda: list(difflib.unified_diff(a, b, lineterm="")), runs=30)
    report("  baseline: difflib.unified_diff of the plain texts", base, "ms", "-", True)
    core = median_ms(lambda: cold_diff(old, new), runs=30)
    report(f"diff_agreements alone (x{core / base:.0f} the baseline)", core, "ms", "-", True)
    for name, render, target in FORMATS:
        ms = median_ms(lambda render=render: render(cold_diff(old, new)),  # type: ignore[misc]
                       runs=30 if name != "pdf" else 15)
        report(f"diff + {name}, whole agreement, in-process", ms, "ms", f"<= {target:.0f} ms",
               ms <= target)


if __name__ == "__main__":
    main()
