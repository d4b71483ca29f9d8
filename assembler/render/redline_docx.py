"""A redline as a Word document: the full new text, every change a native tracked change.

Our own writer (python-docx for the package, lxml for the revision marks): inserted words are
``w:ins`` runs, deleted words ``w:del`` runs with ``w:delText``, each with ``w:id``, ``w:author``
and ``w:date``; a wholly inserted or deleted paragraph also marks its paragraph mark
(``w:pPr/w:rPr/w:ins`` or ``w:del``), so accepting every change gives exactly the new text and
rejecting every change exactly the old. The description of the redline is in the page header,
outside the body, so it does not disturb either. Deterministic: revision ids count from 1, the
date is the redline's, and the zip entries and docProps/core.xml carry fixed timestamps.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

from docx import Document
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt
from lxml import etree

from assembler.model import Block, Redline
from assembler.render.ooxml_zip import read_parts, write_package
from assembler.render.redline_common import date_nl, side_label_nl

_STYLE = {"title": "Title", "article": "Heading 1", "annex": "Heading 1",
          "annex-heading": "Heading 2"}

APP_XML = (b"<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
           b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
           b"<Application>assembler</Application><DocSecurity>0</DocSecurity></Properties>")
"""docProps/app.xml: who wrote the file (python-docx's default claims "Microsoft Macintosh Word")."""


class _Revisions:
    """Hands out revision marks with sequential ids, one author and one date."""

    def __init__(self, author: str, date: dt.date) -> None:
        self.author = author
        self.date = f"{date.isoformat()}T00:00:00Z"
        self.next_id = 1

    def mark(self, tag: str) -> etree._Element:
        el = etree.Element(qn(f"w:{tag}"))
        el.set(qn("w:id"), str(self.next_id))
        el.set(qn("w:author"), self.author)
        el.set(qn("w:date"), self.date)
        self.next_id += 1
        return el


def _run(text: str, deleted: bool) -> etree._Element:
    r = etree.Element(qn("w:r"))
    t = etree.SubElement(r, qn("w:delText" if deleted else "w:t"))
    t.text = text
    t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    return r


def _paragraph(p: etree._Element, block: Block, revs: _Revisions) -> None:
    """Fill the empty paragraph `p` with the block's runs and revision marks."""
    if block.status in ("inserted", "deleted"):
        ppr = p.find(qn("w:pPr"))
        if ppr is None:
            ppr = etree.SubElement(p, qn("w:pPr"))
        rpr = etree.SubElement(ppr, qn("w:rPr"))
        rpr.append(revs.mark("ins" if block.status == "inserted" else "del"))
    for op in block.ops:
        if not op.text:
            continue
        if op.op == "equal":
            p.append(_run(op.text, False))
        else:
            mark = revs.mark("ins" if op.op == "insert" else "del")
            mark.append(_run(op.text, op.op == "delete"))
            p.append(mark)


def render_redline_docx(redline: Redline) -> bytes:
    """Return the redline as DOCX bytes with native tracked changes."""
    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(11)
    moment = dt.datetime(redline.date.year, redline.date.month, redline.date.day)
    props = doc.core_properties
    props.author = redline.author
    props.last_modified_by = redline.author
    props.created = props.modified = props.last_printed = moment
    props.revision = 1
    props.title = f"{redline.new.agreement.title}: wijzigingen"
    props.subject = f"{side_label_nl(redline.old)} → {side_label_nl(redline.new)}"
    props.comments = ""
    _house_style(doc, redline)
    revs = _Revisions(redline.author, redline.date)
    for block in redline.blocks:
        p = doc.add_paragraph(style=_STYLE.get(block.kind, "Normal"))
        _paragraph(p._p, block, revs)
    buf = io.BytesIO()
    doc.save(buf)
    parts = read_parts(buf.getvalue())
    parts["docProps/app.xml"] = APP_XML
    # Track the counterparty's edits from the first keystroke; Dutch as the settings' language.
    parts["word/settings.xml"] = parts["word/settings.xml"].replace(
        b"<w:defaultTabStop ", b"<w:trackRevisions/><w:defaultTabStop ", 1).replace(
        b'"en-US"', b'"nl-NL"').replace(b"<w:savePreviewPicture/>", b"")
    parts["word/styles.xml"] = parts["word/styles.xml"].replace(b'"en-US"', b'"nl-NL"')
    parts.pop("docProps/thumbnail.jpeg", None)
    parts["_rels/.rels"] = re.sub(rb'<Relationship [^>]*Target="docProps/thumbnail.jpeg"/>', b"",
                                  parts["_rels/.rels"])
    parts["[Content_Types].xml"] = re.sub(rb'<Default Extension="jpeg"[^>]*/>', b"",
                                          parts["[Content_Types].xml"])
    return write_package(parts, date=redline.date)


def _field(paragraph: Any, instr: str) -> None:
    """Append a simple field (PAGE, NUMPAGES) that Word and LibreOffice recompute."""
    field = paragraph._p.makeelement(qn("w:fldSimple"), {qn("w:instr"): f" {instr} "})
    run = field.makeelement(qn("w:r"), {})
    text = run.makeelement(qn("w:t"), {})
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def _house_style(doc: Any, redline: Redline) -> None:
    """Give the document the contract DOCX's house style: A4, Dutch, header, "pagina X van Y"."""
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Cm(2.4)
    section.top_margin, section.bottom_margin = Cm(2.4), Cm(2.8)
    rpr = doc.styles["Normal"].element.get_or_add_rPr()
    rpr.append(rpr.makeelement(qn("w:lang"), {qn("w:val"): "nl-NL", qn("w:eastAsia"): "nl-NL",
                                               qn("w:bidi"): "ar-SA"}))
    doc.core_properties.language = "nl-NL"
    versions = f"{side_label_nl(redline.old)} → {side_label_nl(redline.new)}"
    section.header.paragraphs[0].text = f"Wijzigingen {versions}, {date_nl(redline)}"
    footer = section.footer.paragraphs[0]
    footer.text = f"{redline.new.agreement.title}, {versions} · pagina "
    _field(footer, "PAGE")
    footer.add_run(" van ")
    _field(footer, "NUMPAGES")
