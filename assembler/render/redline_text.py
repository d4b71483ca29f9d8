"""A redline for the terminal: the summary line, then each change with its words inline.

Without colour (a pipe, a file, ``NO_COLOR``) deletions read ``[-old-]`` and insertions
``{+new+}`` (wdiff's notation); with colour they are red struck-through and green underlined.
"""

from __future__ import annotations

from assembler.model import Change, Op, Redline
from assembler.render.redline_common import describe_en, summary_en, trim_context

_RED, _GREEN, _BOLD, _DIM, _YELLOW, _RESET = ("\x1b[31;9m", "\x1b[32;4m", "\x1b[1m", "\x1b[2m",
                                             "\x1b[33m", "\x1b[0m")


def ops_text(ops: tuple[Op, ...], colour: bool) -> str:
    """Return ops as one string with deletions and insertions marked."""
    out = []
    for o in ops:
        if o.op == "equal":
            out.append(o.text)
        elif colour:
            out.append(f"{_RED if o.op == 'delete' else _GREEN}{o.text}{_RESET}")
        else:
            out.append(f"[-{o.text}-]" if o.op == "delete" else f"{{+{o.text}+}}")
    return "".join(out)


def _change(c: Change, colour: bool) -> list[str]:
    head = describe_en(c)
    lines = [f"{_BOLD}{head}{_RESET}" if colour else head]
    if c.ops and (c.text_changed or c.kind in ("added", "removed")) and (
            c.level != "article" or c.note == "title"):
        body = ops_text(trim_context(c.ops), colour)
        lines += ["    " + line if line else "" for line in body.split("\n")]
    return lines


def render_redline_text(redline: Redline, colour: bool = False) -> str:
    """Return the redline as terminal text; `colour` adds ANSI colours (the CLI decides)."""
    lines = [summary_en(redline)]
    for c in redline.changes:
        lines.append("")
        lines += _change(c, colour)
    if redline.warnings:
        lines.append("")
        for w in redline.warnings:
            text = f"warning: {w.source}: {w.message}"
            lines.append(f"{_YELLOW}{text}{_RESET}" if colour else text)
    return "\n".join(lines) + "\n"
