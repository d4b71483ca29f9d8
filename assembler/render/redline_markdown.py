"""A redline as a pull-request comment: a summary table, then each change, ~~deleted~~ **inserted**."""

from __future__ import annotations

import re

from assembler.model import Change, Op, Redline
from assembler.render.redline_common import describe_en, side_label, summary_en, trim_context

_SPECIAL = re.compile(r"([\\`*_\[\]<>|~])")


def escape(text: str) -> str:
    """Return `text` with Markdown's special characters backslash-escaped."""
    return _SPECIAL.sub(r"\\\1", text)


def _wrap(text: str, marker: str) -> str:
    """Return `text` between `marker`s, keeping its outer whitespace outside them (else no markup)."""
    m = re.match(r"^(\s*)(.*?)(\s*)$", text, re.DOTALL)
    assert m is not None
    lead, core, trail = m.groups()
    if not core:
        return text
    # Emphasis cannot span a blank line: mark each paragraph on its own.
    core = "\n\n".join(f"{marker}{escape(p)}{marker}" if p.strip() else p
                       for p in core.split("\n\n"))
    return f"{lead}{core}{trail}"


def ops_markdown(ops: tuple[Op, ...]) -> str:
    """Return ops as Markdown: deletions ~~struck~~, insertions **bold**."""
    return "".join(escape(o.text) if o.op == "equal" else _wrap(o.text, "~~" if o.op == "delete"
                                                                else "**") for o in ops)


def _row(c: Change) -> str:
    if c.level == "annex":
        article, clause = "Bijlage 1", "—"
    elif c.level == "preamble":
        article, clause = "preamble", "—"
    elif c.level == "article":
        article, clause = c.article, "—"
    else:
        article = c.article
        clause = (f"{c.old_number} → {c.new_number}" if c.old_number and c.new_number
                  and c.old_number != c.new_number else c.new_number or c.old_number or "—")
    return f"| {article} | {clause} | {c.kind} | {escape(describe_en(c))} |"


def render_redline_markdown(redline: Redline) -> str:
    """Return the redline as GitHub-flavoured Markdown for a pull-request comment."""
    old, new = side_label(redline.old), side_label(redline.new)
    out = [f"### Redline {escape(redline.contract)} {escape(old)} → {escape(new)}", "",
           escape(summary_en(redline))]
    if redline.identical:
        return "\n".join(out) + "\n"
    out += ["", "| Article | Clause | Kind | Change |", "|---|---|---|---|"]
    out += [_row(c) for c in redline.changes]
    if redline.warnings:
        out += ["", "#### References to check", ""]
        out += [f"- `{w.source}`: {escape(w.message)}" for w in redline.warnings]
    out += ["", "#### Changes"]
    for c in redline.changes:
        out += ["", f"**{escape(describe_en(c))}**"]
        if c.ops and (c.text_changed or c.kind in ("added", "removed")) and (
            c.level != "article" or c.note == "title"):
            body = ops_markdown(trim_context(c.ops))
            out += ["", "\n".join(f"> {line}" if line else ">" for line in body.split("\n"))]
    return "\n".join(out) + "\n"
