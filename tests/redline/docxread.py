"""Reading a redline DOCX as Word would after "accept all" or "reject all" changes."""

from __future__ import annotations

import io
import zipfile

from lxml import etree

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def document_xml(docx: bytes) -> etree._Element:
    """Return the parsed word/document.xml of a DOCX."""
    with zipfile.ZipFile(io.BytesIO(docx)) as z:
        return etree.fromstring(z.read("word/document.xml"))


def _mark(p: etree._Element) -> str:
    """Return "ins", "del" or "" for a paragraph's paragraph-mark revision."""
    rpr = p.find(f"{W}pPr/{W}rPr")
    if rpr is not None and rpr.find(f"{W}ins") is not None:
        return "ins"
    if rpr is not None and rpr.find(f"{W}del") is not None:
        return "del"
    return ""


def paragraphs(docx: bytes, accept: bool) -> list[str]:
    """Return the body's paragraph texts after accepting (or rejecting) every tracked change.

    Accepting drops ``w:del`` content and paragraphs whose mark was deleted (their content is
    all deleted too, so they merge into nothing); rejecting drops ``w:ins`` content and
    paragraphs whose mark was inserted, and restores ``w:delText``.
    """
    out = []
    for p in document_xml(docx).iter(f"{W}p"):
        if p.getparent().tag != f"{W}body":
            continue
        mark = _mark(p)
        text = []
        for el in p.iter(f"{W}t", f"{W}delText"):
            inside = el.getparent().getparent()
            if el.tag == f"{W}t" and inside.tag == f"{W}ins" and not accept:
                continue
            if el.tag == f"{W}delText":
                if accept:
                    continue
            text.append(el.text or "")
        gone = (mark == "del" and accept) or (mark == "ins" and not accept)
        if gone:
            assert not "".join(text), f"a paragraph with a {mark} mark keeps text: {text}"
            continue
        out.append("".join(text))
    return out
