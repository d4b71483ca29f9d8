"""An agreement as Markdown (one document) and as the JSON model of `assembler show`."""

from __future__ import annotations

import re
from typing import Any

from assembler.model import Paragraph, Resolved, Source
from assembler.render.plain_text import annex_block_text
from assembler.render.text_names import version_line_nl

_MD_SPECIAL = re.compile(r"([\\*_`])")


def spans_markdown(paragraph: Paragraph) -> str:
    """Return a paragraph as inline Markdown."""
    out = []
    for span in paragraph.spans:
        text = _MD_SPECIAL.sub(r"\\\1", span.text)
        out.append(f"*{text}*" if span.style == "em" else f"**{text}**"
                   if span.style == "strong" else text)
    return "".join(out)


def agreement_markdown(resolved: Resolved) -> str:
    """Return the whole agreement as one Markdown document."""
    a = resolved.agreement
    out = [f"# {a.title}", version_line_nl(resolved.number)]
    out += [spans_markdown(p) for p in a.preamble]
    for article in a.articles:
        out.append(f"## Artikel {article.number}. {article.title}")
        for clause in article.clauses:
            for i, p in enumerate(clause.paragraphs):
                out.append(f"{clause.label} {spans_markdown(p)}" if i == 0 else spans_markdown(p))
    for annex in a.annexes:
        out.append(f"## Bijlage {annex.number}: {annex.title}")
        for block in annex.blocks:
            if block.kind == "heading" and block.paragraph:
                out.append(f"### {spans_markdown(block.paragraph)}")
            elif block.kind == "paragraph" and block.paragraph:
                out.append(spans_markdown(block.paragraph))
            else:
                out.append(annex_block_text(block, a.catalogue))
    return "\n\n".join(out) + "\n"


def _source(src: Source) -> dict[str, Any]:
    return {"path": src.path, "line": src.line}


def agreement_json(resolved: Resolved) -> dict[str, Any]:
    """Return the model as the JSON object `assembler show --format json` prints."""
    a = resolved.agreement
    cat = a.catalogue
    return {
        "contract": a.contract,
        "title": a.title,
        "version": resolved.version.number if resolved.version else None,
        "ref": resolved.ref,
        "commit": resolved.commit,
        "sha256": a.sha256,
        "preamble": [p.text for p in a.preamble],
        "articles": [
            {
                "number": art.number,
                "title": art.title,
                "source": _source(art.source),
                "clauses": [
                    {"number": c.number, "text": c.text, "source": _source(c.source)}
                    for c in art.clauses
                ],
            }
            for art in a.articles
        ],
        "annexes": [
            {
                "number": annex.number,
                "title": annex.title,
                "source": _source(annex.source),
                "blocks": [
                    {"kind": b.kind, "text": annex_block_text(b, cat), "source": _source(b.source)}
                    | ({"list": b.list_name} if b.list_name else {})
                    for b in annex.blocks
                ],
            }
            for annex in a.annexes
        ],
        "catalogue": {
            "services": [{"id": s.id, "label": s.label} for s in cat.services],
            **{
                name: [{"id": i.id, "label": i.label, "services": list(i.services)}
                       for i in items]
                for name, items in cat.lists().items()
            },
        },
    }
