"""The pieces every notice e-mail shares: the signature and the HTML alternative part.

The revision, sub-processor and breach e-mails each carry a plain part and an HTML part with the
same content. The HTML is built from these pieces so that the three read alike: one `<h1>` (the
subject), `<h2>` headings, web addresses as links and e-mail addresses as ``mailto:`` links, and
the same signature with the company's legal name, address and KvK number. Nothing here depends on
the clock or on ordering that could vary, so the same texts give the same bytes.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

from assembler.model import Party
from assembler.render.typography import keep_together_html

_LINKABLE = re.compile(r"https://[^\s,;]+[^\s,;.)]|[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
"""A web address (without the sentence's closing punctuation) or an e-mail address."""


def signature_lines(processor: Party, website: str) -> list[str]:
    """Return an e-mail's signature: who signs, and the company's legal name, address and KvK.

    An e-mail from a Dutch company names its legal name, address and Chamber of Commerce number
    (Handelsregisterwet 2007, art. 27): the letterhead a PDF letter has, in the e-mail itself.
    """
    p = processor
    return [x for x in (p.signatory_name, p.signatory_role) if x] + [
        p.name, f"{p.street}, {p.postcode} {p.city}", f"KvK {p.kvk}", p.email] + (
        [website] if website else [])


def linked(text: str) -> str:
    """Return `text` escaped for HTML, with its web addresses and e-mail addresses as links."""
    out, last = [], 0
    for m in _LINKABLE.finditer(text):
        target = m.group(0) if m.group(0).startswith("https://") else f"mailto:{m.group(0)}"
        out += [html.escape(text[last:m.start()]),
                f'<a href="{html.escape(target)}">{html.escape(m.group(0))}</a>']
        last = m.end()
    return "".join(out) + html.escape(text[last:])


def paragraphs(texts: Iterable[object]) -> list[str]:
    """Return each text as an HTML paragraph, its addresses linked."""
    return [f"<p>{linked(str(t))}</p>" for t in texts]


def heading(text: str, level: int = 2) -> str:
    """Return an HTML heading of `level` (the subject is the one level 1)."""
    return f"<h{level}>{html.escape(text)}</h{level}>"


def bullet_list(items: Iterable[str]) -> str:
    """Return the items as an HTML list, their addresses linked."""
    return "<ul>" + "".join(f"<li>{linked(i)}</li>" for i in items) + "</ul>"


def signature_html(closing: str, lines: list[str]) -> str:
    """Return the closing and the signature, one line each, addresses linked."""
    return f"<p>{html.escape(closing)}</p><p>" + "<br>".join(linked(s) for s in lines) + "</p>"


def html_document(subject: str, body: list[str]) -> str:
    """Return the HTML part: a Dutch document titled and headed by the subject, then `body`.

    The heading and body get ``&nbsp;`` where a line must not break ("1 december 2026", "48 uur"); the
    plain-text part keeps ordinary spaces (see `render.typography`).
    """
    e = html.escape
    return ('<!DOCTYPE html>\n<html lang="nl"><head><meta charset="utf-8"><title>'
            f'{e(subject)}</title></head><body>\n'
            + keep_together_html(f'<h1>{e(subject)}</h1>\n' + "\n".join(body)) + "\n</body></html>\n")
