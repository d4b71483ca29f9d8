"""Write assembler/render/templates/contract.docx, the house template of a customer's contract.

Run from the project root: ``python tools/make_contract_template.py``. The output is deterministic
(fixed zip timestamps and core properties), so rerunning it changes nothing unless this script
changed. python-docx supplies the package and real Word styles (Title, Subtitle, Heading 1/2,
Normal, Header, Footer, Table Grid); the body, header and footer are written here as WordprocessingML
with docxtpl/Jinja tags between elements, since python-docx cannot express loops.

Every value is inserted with ``{{ … }}`` inside a ``<w:t>``: docxtpl renders with autoescape on,
so customer text is XML-escaped and stays text.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path
from typing import Any

import docx
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from lxml import etree

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "assembler" / "render" / "templates" / "contract.docx"
FIXED = dt.datetime(2000, 1, 1, 0, 0, 0)
ZIP_TIME = (1980, 1, 1, 0, 0, 0)

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def p(style: str, inner: str, extra_ppr: str = "") -> str:
    """Return a paragraph of `style` holding `inner` runs."""
    return f'<w:p><w:pPr><w:pStyle w:val="{style}"/>{extra_ppr}</w:pPr>{inner}</w:p>'


def r(expr: str, rpr: str = "") -> str:
    """Return a run with literal text or a Jinja expression (already in ``{{ }}``)."""
    props = f"<w:rPr>{rpr}</w:rPr>" if rpr else ""
    return f'<w:r>{props}<w:t xml:space="preserve">{expr}</w:t></w:r>'


BR = "<w:r><w:br/></w:r>"
TAB = "<w:r><w:tab/></w:r>"
PAGE_BREAK = '<w:p><w:r><w:br w:type="page"/></w:r></w:p>'
KEEP = "<w:keepNext/><w:keepLines/>"

SPANS = ("{% for s in para %}<w:r>"
         "{% if s.style == 'em' %}<w:rPr><w:i/></w:rPr>"
         "{% elif s.style == 'strong' %}<w:rPr><w:b/></w:rPr>{% endif %}"
         '<w:t xml:space="preserve">{{ s.text }}</w:t></w:r>{% endfor %}')


def party(role: str, var: str) -> str:
    """Return the cover-page paragraph naming one party."""
    inner = (r(f"{{{{ {var}.name }}}}", "<w:b/>") + BR
             + r(f"{{{{ {var}.street }}}}, {{{{ {var}.postcode }}}} {{{{ {var}.city }}}}") + BR
             + r(f"ingeschreven bij de Kamer van Koophandel onder nummer {{{{ {var}.kvk }}}}")
             + f"{{% if {var}.btw_id %}}" + BR
             + r(f"btw-identificatienummer {{{{ {var}.btw_id }}}}") + "{% endif %}" + BR
             + r(f"vertegenwoordigd door {{{{ {var}.signatory_name }}}}, "
                 f"{{{{ {var}.signatory_role }}}}") + BR
             + r("hierna: ") + r(role, "<w:i/>"))
    return p("Party", inner, KEEP)


def cell(paragraphs: str, width: int) -> str:
    """Return a table cell of `width` twentieths of a point."""
    return f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/></w:tcPr>{paragraphs}</w:tc>'


def signer(role: str, var: str) -> str:
    """Return the signature-block paragraphs of one party."""
    line = "…" * 12
    return (p("SignatureLabel", r(role, "<w:b/>"), KEEP)
            + p("Signature", r(f"{{{{ {var}.name }}}}"), KEEP)
            + p("Signature", r(f"Naam: {{{{ {var}.signatory_name }}}}"), KEEP)
            + p("Signature", r(f"Functie: {{{{ {var}.signatory_role }}}}"), KEEP)
            + p("Signature", r(f"Plaats: {line}"), KEEP)
            + p("Signature", r(f"Datum: {line}"), KEEP)
            + p("Signature", r("Handtekening:"), KEEP)
            + p("SignatureSpace", "", KEEP))


def body(sect_pr: str) -> str:
    """Return the templated body of document.xml."""
    half = 4535
    table = ('<w:tbl><w:tblPr><w:tblStyle w:val="SignatureTable"/><w:tblW w:w="9070" w:type="dxa"/>'
             '<w:tblLayout w:type="fixed"/></w:tblPr>'
             f'<w:tblGrid><w:gridCol w:w="{half}"/><w:gridCol w:w="{half}"/></w:tblGrid>'
             '<w:tr><w:trPr><w:cantSplit/></w:trPr>'
             + cell(signer("Verwerker", "processor"), half)
             + cell(signer("Verwerkingsverantwoordelijke", "customer"), half)
             + "</w:tr></w:tbl>")
    parts = [
        p("Title", r("{{ title }}")),
        p("Subtitle", r("{{ version_line }}")),
        p("Heading2", r("Partijen")),
        party("Verwerker", "processor"),
        p("Normal", r("en")),
        party("Verwerkingsverantwoordelijke", "customer"),
        p("Normal", r("Klantnummer: {{ customer.customer_id }}") + BR
          + r("Diensten: {{ services_text }}")),
        p("Fingerprint", r("Tekst: {{ text_name }}, SHA-256 {{ sha256 }}")),
        PAGE_BREAK,
        p("Heading1", r("{{ title }}")),
        "{% for para in preamble %}" + p("BodyText", SPANS) + "{% endfor %}",
        "{% for a in articles %}",
        p("Heading1", r("Artikel {{ a.number }}. {{ a.title }}")),
        "{% for cl in a.clauses %}{% for para in cl.paragraphs %}",
        p("BodyText", "{% if loop.first %}" + r("{{ cl.label }} ") + "{% endif %}" + SPANS),
        "{% endfor %}{% endfor %}{% endfor %}",
        p("Heading1", r("Ondertekening"), "<w:keepNext/>"),
        p("BodyText", r("Aldus overeengekomen en ondertekend:"), "<w:keepNext/>"),
        table,
        "{% for ax in annexes %}",
        PAGE_BREAK,
        p("Heading1", r("Bijlage {{ ax.number }}: {{ ax.title }}")),
        p("Subtitle", r("behorende bij de {{ title }} tussen {{ processor.name }} en "
                        "{{ customer.company_name }} (klantnummer {{ customer.customer_id }})")),
        "{% for b in ax.blocks %}{% if b.kind == 'heading' %}",
        p("Heading2", r("{{ b.text }}")),
        "{% else %}",
        p("BodyText", r("{{ b.text }}")),
        "{% endif %}{% endfor %}{% endfor %}",
    ]
    return "<w:body>" + "".join(parts) + sect_pr + "</w:body>"


def field(instr: str) -> str:
    """Return a simple field (PAGE, NUMPAGES) whose result Word and LibreOffice recompute."""
    return f'<w:fldSimple w:instr=" {instr} "><w:r><w:t>1</w:t></w:r></w:fldSimple>'


HEADER = p("Header", r("{{ title }} · {{ version_phrase }}"))
FOOTER = p("Footer", r("{{ customer.customer_id }} · tekst {{ short_hash }}") + TAB
           + r("pagina ") + field("PAGE") + r(" van ") + field("NUMPAGES"))


def signature_box(style: Any) -> None:
    """Make `style` the signature box the PDF draws: a bordered empty paragraph 60 pt high."""
    style.paragraph_format.space_before = Pt(4)
    style.paragraph_format.line_spacing = Pt(60)
    style.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    ppr = style.element.get_or_add_pPr()
    borders = ppr.makeelement(qn("w:pBdr"), {})
    for side in ("top", "left", "bottom", "right"):
        borders.append(borders.makeelement(qn(f"w:{side}"), {
            qn("w:val"): "single", qn("w:sz"): "4", qn("w:space"): "0", qn("w:color"): "787878"}))
    ppr.insert(0, borders)


def styled_package() -> bytes:
    """Return a python-docx package with the house styles, page setup, header and footer parts."""
    d = docx.Document()
    styles = d.styles
    normal = styles["Normal"]
    normal.font.name = "Cambria"
    normal.font.size = Pt(10.5)
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.line_spacing = 1.1
    rpr = normal.element.get_or_add_rPr()
    lang = rpr.makeelement(qn("w:lang"), {qn("w:val"): "nl-NL", qn("w:eastAsia"): "nl-NL",
                                          qn("w:bidi"): "ar-SA"})
    rpr.append(lang)
    for name, size in (("Title", 22), ("Subtitle", 12), ("Heading 1", 13), ("Heading 2", 11.5)):
        style = styles[name]
        style.font.name = "Cambria"
        style.font.size = Pt(size)
        style.font.color.rgb = RGBColor(0, 0, 0)
    styles["Title"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    styles["Title"].paragraph_format.space_before = Pt(96)
    styles["Subtitle"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    styles["Subtitle"].font.italic = False
    styles["Heading 1"].paragraph_format.space_before = Pt(18)
    styles["Heading 2"].paragraph_format.space_before = Pt(12)
    body_text = styles["Body Text"]
    body_text.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT  # ragged right, as the PDF
    body_text.paragraph_format.space_after = Pt(6)
    for name, base in (("Party", "Normal"), ("Fingerprint", "Normal"), ("Signature", "Normal"),
                       ("SignatureLabel", "Normal"), ("SignatureSpace", "Normal")):
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = styles[base]
        style.quick_style = True
    styles["Party"].paragraph_format.space_after = Pt(12)
    styles["Fingerprint"].font.size = Pt(8)
    styles["Fingerprint"].paragraph_format.space_before = Pt(180)
    styles["Signature"].paragraph_format.space_after = Pt(2)
    styles["SignatureLabel"].paragraph_format.space_before = Pt(6)
    signature_box(styles["SignatureSpace"])
    table_style = styles.add_style("SignatureTable", WD_STYLE_TYPE.TABLE)
    table_style.base_style = styles["Normal Table"]
    for name in ("Header", "Footer"):
        styles[name].font.size = Pt(8)
    section = d.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.4)
    section.top_margin, section.bottom_margin = Cm(2.4), Cm(2.6)
    section.header.is_linked_to_previous = False
    section.footer.is_linked_to_previous = False
    section.header.paragraphs[0].text = "HEADER"
    section.footer.paragraphs[0].text = "FOOTER"
    props = d.core_properties
    props.title = "Verwerkersovereenkomst"
    props.author = "assembler"
    props.last_modified_by = "assembler"
    props.created = props.modified = FIXED
    props.revision = 1
    props.comments = ""
    props.language = "nl-NL"
    buffer = io.BytesIO()
    d.save(buffer)
    return buffer.getvalue()


def _tab_stop_ppr(xml: str) -> str:
    # One right-aligned tab at the text edge (9070 twips) instead of the style's centre/right tabs.
    tabs = ('<w:tabs><w:tab w:val="clear" w:pos="4680"/><w:tab w:val="clear" w:pos="9360"/>'
            '<w:tab w:val="right" w:pos="9070"/></w:tabs>')
    return re.sub(r'(<w:pStyle w:val="(?:Header|Footer)"/>)', lambda m: m.group(1) + tabs, xml)


def build() -> bytes:
    """Return the template's bytes."""
    src = zipfile.ZipFile(io.BytesIO(styled_package()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in sorted(src.infolist(), key=lambda i: (i.filename != "[Content_Types].xml",
                                                         i.filename)):
            data = src.read(info.filename)
            name = info.filename
            if name == "docProps/thumbnail.jpeg":
                continue  # python-docx's preview of an empty page: it would show in file browsers
            if name == "word/settings.xml":
                # Word hyphenates the Dutch text itself (the document language is nl-NL).
                data = data.replace(b'<w:defaultTabStop w:val="720"/>',
                                    b'<w:defaultTabStop w:val="720"/><w:autoHyphenation/>')
                data = data.replace(b"<w:savePreviewPicture/>", b"")
                assert b"<w:autoHyphenation/>" in data
            elif name == "docProps/app.xml":
                # python-docx's default says "Microsoft Macintosh Word" wrote it.
                data = (b"<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n<Properties xmlns=\""
                        b'http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
                        b"<Application>assembler</Application><DocSecurity>0</DocSecurity></Properties>")
            elif name == "_rels/.rels":
                data = re.sub(rb'<Relationship [^>]*Target="docProps/thumbnail.jpeg"/>', b"", data)
            elif name == "word/document.xml":
                root = etree.fromstring(data)
                sect = root.find(f"{{{W_NS}}}body/{{{W_NS}}}sectPr")
                assert sect is not None
                sect_pr = etree.tostring(sect, encoding="unicode")
                sect_pr = re.sub(r'\sxmlns:\w+="[^"]*"', "", sect_pr)
                head = data.decode("utf-8").split("<w:body>")[0]
                data = (head + body(sect_pr) + "</w:document>").encode("utf-8")
            elif re.fullmatch(r"word/(header|footer)\d+\.xml", name):
                text = data.decode("utf-8")
                kind = "HEADER" if "HEADER" in text else "FOOTER"
                para = re.search(r"<w:p>.*</w:p>|<w:p .*</w:p>", text, re.DOTALL)
                assert para is not None
                text = text[:para.start()] + _tab_stop_ppr(HEADER if kind == "HEADER" else FOOTER) \
                    + text[para.end():]
                data = text.encode("utf-8")
            dst.writestr(zipfile.ZipInfo(name, ZIP_TIME), data, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def main() -> None:
    """Write the template."""
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_bytes(build())
    print(f"wrote {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
