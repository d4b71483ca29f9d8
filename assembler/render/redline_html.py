"""A redline as one self-contained, accessible HTML page (Dutch: customers may read it).

No scripts, no external fonts or styles: everything inline. Insertions are ``<ins>`` (underlined,
green), deletions ``<del>`` (struck, red), so the page reads in black and white and in print;
screen readers hear "invoeging" / "verwijdering" (visually hidden text around each change). A bar
in the margin marks every changed paragraph. All text is escaped.
"""

from __future__ import annotations

from html import escape

from assembler.model import Block, Op, Redline
from assembler.render.redline_common import (
    date_nl,
    describe_nl,
    effective_nl,
    moved_note_nl,
    service_labels,
    side_label_nl,
    summary_nl,
)

MARK_VARIABLES = """\
:root { --ins: #0b5d1e; --ins-bg: #e3f3e6; --del: #9b1c1c; --del-bg: #fbe4e4; --bar: #b45309; }
"""
"""The colours of the marks (used by `MARKS_CSS`)."""

MARKS_CSS = """\
ins { color: var(--ins); background: var(--ins-bg); text-decoration: underline;
      text-decoration-thickness: 2px; }
del { color: var(--del); background: var(--del-bg); text-decoration: line-through;
      text-decoration-thickness: 2px; }
.sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%);
      white-space: nowrap; }
.bar { border-left: 4px solid var(--bar); margin-left: -1.25rem; padding-left: calc(1.25rem - 4px); }
.note { font-size: 0.85em; font-style: italic; color: #444; }
.legend { border: 1px solid #999; padding: 0.5rem 1rem; }
.legend span.swatch { display: inline-block; width: 4px; height: 1em; background: var(--bar);
                      vertical-align: middle; }
"""
"""How insertions, deletions, the margin bar and the legend look: the same on the site."""

_PAGE_CSS = """\
body { font-family: Georgia, "Times New Roman", serif; line-height: 1.5; color: #111;
       max-width: 46rem; margin: 2rem auto; padding: 0 1.5rem; overflow-wrap: anywhere; }
h1, h2, h3, p, li { hyphens: auto; }
@media (max-width: 30rem) { body { padding: 0 0.75rem 0 1.5rem; margin: 1rem auto; }
  dl.meta { grid-template-columns: 1fr; } }
h1 { font-size: 1.5rem; } h2 { font-size: 1.2rem; margin-top: 1.6rem; } h3 { font-size: 1.05rem; }
"""

_META_PRINT_CSS = """\
dl.meta { display: grid; grid-template-columns: max-content auto; gap: 0.2rem 1rem; }
dl.meta dt { font-weight: bold; } dl.meta dd { margin: 0; }
@media print {
  body { max-width: none; margin: 0; font-size: 10.5pt; }
  @page { size: A4; margin: 2cm 2cm 2cm 2.5cm; }
  ins, del { background: none; }
  .summary { page-break-after: always; }
  h2 { page-break-after: avoid; }
}
"""

CSS = "\n" + MARK_VARIABLES + _PAGE_CSS + MARKS_CSS + _META_PRINT_CSS
"""The standalone page's stylesheet, inline in its ``<style>``."""

_TAG = {"title": "h1", "article": "h2", "annex": "h2", "annex-heading": "h3"}


def ops_html(ops: tuple[Op, ...]) -> str:
    """Return ops as HTML with ``<ins>`` and ``<del>``, every text escaped."""
    out = []
    for o in ops:
        text = escape(o.text)
        if o.op == "insert":
            out.append(f'<ins><span class="sr">[invoeging] </span>{text}'
                       f'<span class="sr"> [einde invoeging]</span></ins>')
        elif o.op == "delete":
            out.append(f'<del><span class="sr">[verwijdering] </span>{text}'
                       f'<span class="sr"> [einde verwijdering]</span></del>')
        else:
            out.append(text)
    return "".join(out)


def _note(block: Block) -> str:
    note = moved_note_nl(block)
    return f' <span class="note">({escape(note)})</span>' if note else ""


def _block(block: Block) -> str:
    tag = _TAG.get(block.kind, "p")
    if block.kind == "title":
        tag = "h2"
    cls = ' class="bar"' if block.status != "equal" else ""
    return f"<{tag}{cls}>{ops_html(block.ops)}{_note(block)}</{tag}>"


def summary_html(redline: Redline) -> list[str]:
    """Return the redline's summary as HTML parts: what is compared, the legend, the changes.

    The heading of the page (``<h1>``) is the caller's; the summary's own headings are ``<h2>``.
    """
    meta = [("Oud", side_label_nl(redline.old), effective_nl(redline.old)),
            ("Nieuw", side_label_nl(redline.new), effective_nl(redline.new))]
    rows = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}{', ' + escape(e) if e else ''}</dd>"
                   for k, v, e in meta)
    rows += f"<dt>Datum</dt><dd>{escape(date_nl(redline))}</dd>"
    changes = "".join(f"<li>{escape(describe_nl(c, service_labels(redline)))}</li>"
                      for c in redline.changes)
    parts = [
        f"<p>{escape(summary_nl(redline))}</p>",
        f'<dl class="meta">{rows}</dl>',
        '<section class="legend" aria-label="Legenda"><h2>Legenda</h2><p>'
        "<ins>onderstreept</ins>: tekst toegevoegd; <del>doorgehaald</del>: tekst verwijderd; "
        '<span class="swatch" aria-hidden="true"></span> streep in de marge: alinea gewijzigd.'
        "</p></section>",
    ]
    if changes:
        parts.append(f'<section aria-label="Overzicht"><h2>Overzicht van de wijzigingen</h2>'
                     f"<ol>{changes}</ol></section>")
    return parts


def blocks_html(redline: Redline) -> list[str]:
    """Return the full text with its marks, one HTML element per block."""
    return [_block(b) for b in redline.blocks]


def redline_title(redline: Redline) -> str:
    """Return the page's title: "Wijzigingen <title>: versie 1.0 → versie 1.1"."""
    return (f"Wijzigingen {redline.new.agreement.title}: {side_label_nl(redline.old)} → "
            f"{side_label_nl(redline.new)}")


def render_redline_html(redline: Redline) -> str:
    """Return the redline as a complete, self-contained HTML document."""
    title = redline_title(redline)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="nl">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title>",
        f"<style>{CSS}</style>",
        "</head>",
        "<body>",
        '<header class="summary">',
        f"<h1>{escape(title)}</h1>",
        *summary_html(redline),
        "</header>",
        '<main aria-label="Volledige tekst met wijzigingen">',
        *blocks_html(redline),
        "</main>", "</body>", "</html>",
    ]
    return "\n".join(parts) + "\n"
