"""HTML and PDF redlines: self-contained, escaped, deterministic."""

from __future__ import annotations

import dataclasses
import io
import re

from pypdf import PdfReader

from assembler.agreement.project import Project
from assembler.model import Paragraph, Redline, Span
from assembler.redline.diff import diff_agreements
from assembler.render.redline_html import render_redline_html
from assembler.render.redline_pdf import render_redline_pdf
from assembler.render.redline_text import render_redline_text
from tests.pdf_text import as_read

HOSTILE = '<script>alert("x")</script> & #read("/etc/passwd") **vet** ~~weg~~'


def _hostile_redline(pair_project: Project) -> Redline:
    old = pair_project.resolve("1.0")
    a = old.agreement
    art = a.articles[0]
    c = art.clauses[0]
    p0 = c.paragraphs[0]
    clause = dataclasses.replace(c, paragraphs=(Paragraph((Span(HOSTILE),), p0.source),))
    articles = (dataclasses.replace(art, clauses=(clause, *art.clauses[1:])), *a.articles[1:])
    new = dataclasses.replace(old, ref="worktree", version=None,
                              agreement=dataclasses.replace(a, articles=articles))
    return diff_agreements(old, new)


def test_html_is_self_contained_and_accessible(redline: Redline) -> None:
    html = render_redline_html(redline)
    assert html.startswith("<!DOCTYPE html>\n<html lang=\"nl\">")
    assert "<script" not in html and not re.search(r"(src|href)=", html)
    assert "@import" not in html and "url(" not in html
    assert "Legenda" in html and "@media print" in html
    assert html.count("<ins>") >= 20 and html.count("<del>") >= 15
    assert "[invoeging]" in html  # heard by a screen reader, hidden on screen
    assert "(verplaatst van artikel 11.6)" in html


def test_everything_is_escaped(pair_project: Project) -> None:
    r = _hostile_redline(pair_project)
    html = render_redline_html(r)
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; #read(" in html
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(render_redline_pdf(r))).pages)
    assert '#read("/etc/passwd")' in text.replace("\n", " ")  # printed, not executed
    assert "root:" not in text


def test_pdf_is_byte_identical_on_repeat_and_dated_by_the_version(redline: Redline) -> None:
    pdf = render_redline_pdf(redline)
    assert pdf == render_redline_pdf(redline)
    reader = PdfReader(io.BytesIO(pdf))
    assert reader.metadata is not None
    assert reader.metadata.creation_date is not None
    assert reader.metadata.creation_date.date().isoformat() == "2026-12-01"
    first = as_read(reader.pages[0].extract_text())
    assert "27 wijzigingen van versie 1.0 naar versie 1.1." in first
    assert len(reader.pages) >= 5  # a summary page, then the full text


def test_text_colour_only_when_asked(redline: Redline) -> None:
    assert "\x1b[" in render_redline_text(redline, colour=True)
    assert "\x1b[" not in render_redline_text(redline, colour=False)


def test_customer_facing_texts_name_no_git_words_and_no_service_ids(pair_project: Project,
                                                                    redline: Redline) -> None:
    concept = _hostile_redline(pair_project)  # its new side is the worktree, not a version
    html = render_redline_html(concept)
    assert "concepttekst" in html and "worktree" not in html
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(render_redline_pdf(redline))).pages)
    assert "geldt niet meer voor Fax2Mail" in " ".join(text.split())
    assert "fax2mail" not in text
