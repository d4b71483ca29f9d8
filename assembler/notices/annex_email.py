"""The before/after of a customer's own Bijlage 1 in the notice e-mail: plain text and HTML.

The letter sets the same rows as a table (`notices.letter.annex_table`); here the words deleted
and inserted are marked the way each part of the e-mail can: ``[-…-]`` and ``[+…+]`` in the plain
text (explained in the sentence before them), ``<del>`` and ``<ins>`` in the HTML.
"""

from __future__ import annotations

import html

from assembler.model import Customer
from assembler.notices.letter import SharedParts
from assembler.redline.words import word_ops


def _intro(shared: SharedParts) -> str:
    return (f"De passages van uw Bijlage 1 die veranderen, versie {shared.from_version} tegenover "
            f"versie {shared.version}")


def plain_annex_rows(shared: SharedParts, customer: Customer) -> list[str]:
    """Return the plain-text lines of the customer's changed Bijlage 1 passages, old then new."""
    rows = shared.annex(customer).rows
    if not rows:
        return []
    out = ["", f"  {_intro(shared)} (vervallen woorden staan tussen [- en -], nieuwe woorden "
               "tussen [+ en +]):"]
    for row in rows:
        ops = word_ops(row.old_text, row.new_text)
        old = "".join(f"[-{o.text}-]" if o.op == "delete" else o.text for o in ops if o.op != "insert")
        new = "".join(f"[+{o.text}+]" if o.op == "insert" else o.text for o in ops if o.op != "delete")
        out += ["", f"  Versie {shared.from_version}: {old if row.old_text else '(nieuw)'}",
                f"  Versie {shared.version}: {new if row.new_text else '(vervalt)'}"]
    return out


def html_annex_rows(shared: SharedParts, customer: Customer) -> list[str]:
    """Return the HTML table of the customer's changed Bijlage 1 passages, words marked."""
    rows = shared.annex(customer).rows
    if not rows:
        return []
    e = html.escape
    tag = {"delete": "del", "insert": "ins"}
    parts = [f"<p>{e(_intro(shared))}; vervallen woorden zijn doorgehaald, nieuwe woorden "
             "onderstreept:</p>",
             f"<table><thead><tr><th>Versie {e(shared.from_version)}</th>"
             f"<th>Versie {e(shared.version)}</th></tr></thead><tbody>"]
    for row in rows:
        ops = word_ops(row.old_text, row.new_text)
        cells = []
        for skip, text, missing in (("insert", row.old_text, "(nieuw)"),
                                    ("delete", row.new_text, "(vervalt)")):
            runs = "".join(f"<{tag[o.op]}>{e(o.text)}</{tag[o.op]}>" if o.op in tag else e(o.text)
                           for o in ops if o.op != skip)
            cells.append(f"<td>{runs if text else f'<em>{missing}</em>'}</td>")
        parts.append(f"<tr>{''.join(cells)}</tr>")
    parts.append("</tbody></table>")
    return parts
