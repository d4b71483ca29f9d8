"""Reading built contracts back: the text of a PDF and of a DOCX, normalised for comparison."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

import docx
from lxml import etree
from pypdf import PdfReader

from assembler.model import Customer
from tests.pdf_text import as_read

FOOTER_RE = re.compile(r"^.*·.*pagina \d+ van \d+\s*$", re.MULTILINE)


def pdf_pages(pdf: bytes) -> list[str]:
    """Return the text of each page, each no-break space read as the space it shows."""
    return [as_read(page.extract_text() or "") for page in PdfReader(io.BytesIO(pdf)).pages]


def pdf_body(pdf: bytes) -> str:
    """Return the text of all pages without their footers."""
    return "\n".join(FOOTER_RE.sub("", page) for page in pdf_pages(pdf))


def squash(text: str) -> str:
    """Drop whitespace and hyphens, so line breaks and hyphenation do not matter."""
    return re.sub(r"[\s\-\u00ad]+", "", text)


def docx_paragraphs(data: bytes) -> list[str]:
    """Return the text of every body paragraph, table cells included, in document order.

    A no-break space reads as a space (the renderers bind "(VI)" to its item with one).
    """
    document = docx.Document(io.BytesIO(data))
    body = document.element.body
    out = []
    for p in body.iter("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}p"):
        texts = []
        for node in p.iter():
            tag = etree.QName(node).localname
            if tag == "t" and node.text:
                texts.append(node.text)
            elif tag in ("br", "tab"):
                texts.append("\n" if tag == "br" else "\t")
        out.append("".join(texts).replace("\u00a0", " "))
    return out


def docx_part(data: bytes, name: str) -> str:
    """Return one part of a DOCX, pretty-printed."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        root = etree.fromstring(z.read(name))
    return str(etree.tostring(root, pretty_print=True, encoding="unicode"))


def customer_c1042() -> Customer:
    """The issue's example customer, as examples/customers.csv has it."""
    return Customer(
        customer_id="C-1042", company_name="Bakkerij De Gouden Korrel B.V.", kvk="58801943",
        street="Molenstraat 21", postcode="3512 JE", city="Utrecht",
        contact_name="Annelies de Groot-Ünal", contact_email="annelies.degoudenkorrel@example.nl",
        signatory_name="Annelies de Groot-Ünal", signatory_role="Directeur",
        services=("hosted-telefonie", "sip-trunk", "mobiel", "gespreksopname"), version="1.0",
        signed_on=dt.date(2019, 3, 4), btw_id="NL000099998B57",
        contact_salutation="Geachte mevrouw De Groot")
