"""Commands of the redline: `assembler diff`."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from assembler.cli.context import contract_option, project, use_colour
from assembler.errors import UsageError
from assembler.fsutil import atomic_write_bytes
from assembler.model import Redline
from assembler.redline.compare import build_redline

FORMATS = ("text", "markdown", "json", "html", "pdf", "docx")
BINARY = ("pdf", "docx")


def render(redline: Redline, fmt: str, colour: bool = False) -> bytes:
    """Return the redline in `fmt` as bytes (text formats UTF-8)."""
    if fmt == "text":
        from assembler.render.redline_text import render_redline_text
        return render_redline_text(redline, colour).encode("utf-8")
    if fmt == "markdown":
        from assembler.render.redline_markdown import render_redline_markdown
        return render_redline_markdown(redline).encode("utf-8")
    if fmt == "json":
        from assembler.render.redline_json import render_redline_json
        text = json.dumps(render_redline_json(redline), ensure_ascii=False, indent=2)
        return (text + "\n").encode("utf-8")
    if fmt == "html":
        from assembler.render.redline_html import render_redline_html
        return render_redline_html(redline).encode("utf-8")
    if fmt == "pdf":
        from assembler.render.redline_pdf import render_redline_pdf
        return render_redline_pdf(redline)
    from assembler.render.redline_docx import render_redline_docx
    return render_redline_docx(redline)


@click.command(short_help="Show what changed between two versions.")
@click.argument("old")
@click.argument("new", required=False, default="worktree")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
              help="text (terminal), markdown (PR comment), json, html, pdf, docx (tracked changes).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to FILE (atomically) instead of standard output.")
def diff(old: str, new: str, fmt: str, output: Path | None) -> None:
    """Show what changed from OLD to NEW (version, git ref or worktree; NEW defaults to worktree).

    Clauses are matched by content: renumbered, moved, added, removed and changed clauses,
    Bijlage 1 catalogue changes, and references a renumbering left pointing elsewhere.
    pdf and docx need -o FILE unless standard output is redirected.
    """
    if output is None and fmt in BINARY and sys.stdout.isatty():
        raise UsageError(f"--format {fmt} is binary: pass -o FILE (or redirect standard output)")
    p = project()
    redline = build_redline(p, old, new, contract_option())
    data = render(redline, fmt, colour=output is None and fmt == "text" and use_colour())
    if output is None:
        if fmt in BINARY:
            sys.stdout.buffer.write(data)
            sys.stdout.buffer.flush()
        else:
            click.echo(data.decode("utf-8"), nl=False)
        return
    atomic_write_bytes(output, data)
    n = len(redline.changes)
    what = "no changes" if redline.identical else f"{n} change{'s' if n != 1 else ''}"
    click.echo(f"wrote {output} ({fmt}, {what})", err=True)


def register(group: click.Group) -> None:
    """Add this module's commands to `group`."""
    group.add_command(diff)
