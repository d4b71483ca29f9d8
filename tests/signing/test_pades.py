"""sign_pdf: what pyHanko itself says about our signatures, and what the signed file keeps."""

from __future__ import annotations

import datetime as dt
import io
import re

from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.settings import KeyUsageConstraints
from pyhanko_certvalidator import ValidationContext

from assembler.signing.pades import CUSTOMER_FIELD, PROCESSOR_FIELD, sign_pdf
from tests.pdf_conformance import assert_conformant, assert_qpdf_clean, failures
from tests.signing.conftest import SamplePdf, SigningPki, signer_config


def _validate(pdf: bytes, pki_: SigningPki, index: int = 0):  # type: ignore[no-untyped-def]
    root = asn1_x509.Certificate.load(pki_.root.cert.public_bytes(serialization.Encoding.DER))
    reader = PdfFileReader(io.BytesIO(pdf))
    sig = reader.embedded_signatures[index]
    status = validate_pdf_signature(sig, ValidationContext(trust_roots=[root]),
                                    key_usage_settings=KeyUsageConstraints(
                                        key_usage={"digital_signature", "non_repudiation"},
                                        match_all_key_usages=False))
    return sig, status


def test_b_b_signature_is_intact_valid_trusted_pades_sha256(sample: SamplePdf, test_pki: SigningPki) -> None:
    signed = sign_pdf(sample.pdf, signer_config(test_pki), sample.processor_box, sample.customer_box)
    sig, status = _validate(signed, test_pki)
    assert status.intact and status.valid and status.trusted
    assert status.bottom_line
    assert status.coverage.name == "ENTIRE_FILE"
    assert status.modification_level == ModificationLevel.NONE
    assert sig.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"
    assert status.md_algorithm == "sha256"
    assert sig.sig_object["/Reason"] == "Ondertekening Verwerkersovereenkomst namens Verwerker"
    assert sig.sig_object["/Location"] == "Amsterdam"
    assert status.timestamp_validity is None  # B-B: no timestamp without a TSA
    # a certification signature that allows only form filling (the customer's countersignature)
    assert status.docmdp_ok
    assert sig.docmdp_level is not None and sig.docmdp_level.name == "FILL_FORMS"


def test_visible_signature_in_processor_box_and_empty_customer_field(
        sample: SamplePdf, test_pki: SigningPki) -> None:
    signed = sign_pdf(sample.pdf, signer_config(test_pki), sample.processor_box, sample.customer_box)
    reader = PdfFileReader(io.BytesIO(signed))
    found = {name: (value, annot) for name, value, annot in fields.enumerate_sig_fields(reader)}
    assert set(found) == {PROCESSOR_FIELD, CUSTOMER_FIELD}
    assert found[CUSTOMER_FIELD][0] is None  # empty: left for the customer
    assert found[PROCESSOR_FIELD][0] is not None
    for name, box in ((PROCESSOR_FIELD, sample.processor_box), (CUSTOMER_FIELD, sample.customer_box)):
        annot = found[name][1].get_object()
        rect = [float(v) for v in annot["/Rect"]]
        assert rect == [round(box.x1), round(box.y1), round(box.x2), round(box.y2)]
        page = reader.root["/Pages"]["/Kids"][box.page].get_object()
        assert any(a.get_object() is annot or a.get_object() == annot for a in page["/Annots"])
    # the processor's appearance is drawn (non-empty BBox the size of the box)
    appearance = found[PROCESSOR_FIELD][1].get_object()["/AP"]["/N"].get_object()
    x1, y1, x2, y2 = (float(v) for v in appearance["/BBox"])
    assert round(x2 - x1) == round(sample.processor_box.x2) - round(sample.processor_box.x1)


def _fonts_in(resources, seen: set[int]) -> list:  # type: ignore[no-untyped-def]
    fonts = []
    resources = resources.get_object() if resources is not None else {}
    for font in (resources.get("/Font") or {}).values():
        fonts.append(font.get_object())
    for xobj in (resources.get("/XObject") or {}).values():
        obj = xobj.get_object()
        if id(obj) not in seen and "/Resources" in obj:
            seen.add(id(obj))
            fonts += _fonts_in(obj["/Resources"], seen)
    return fonts


def test_appearance_uses_only_embedded_fonts(sample: SamplePdf, test_pki: SigningPki) -> None:
    signed = sign_pdf(sample.pdf, signer_config(test_pki), sample.processor_box, sample.customer_box)
    reader = PdfFileReader(io.BytesIO(signed))
    annot = next(a for n, _, a in fields.enumerate_sig_fields(reader) if n == PROCESSOR_FIELD)
    fonts = _fonts_in(annot.get_object()["/AP"]["/N"].get_object()["/Resources"], set())
    assert fonts, "the appearance shows text, so it must have fonts"
    for font in fonts:
        descendants = font.get("/DescendantFonts")
        desc = (descendants[0].get_object() if descendants else font)["/FontDescriptor"]
        assert any(k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3")), font


def test_signed_file_is_an_incremental_update_that_keeps_pdfa(sample: SamplePdf,
                                                              test_pki: SigningPki) -> None:
    signed = sign_pdf(sample.pdf, signer_config(test_pki), sample.processor_box, sample.customer_box)
    assert signed.startswith(sample.pdf)  # the original bytes untouched in front
    reader = PdfFileReader(io.BytesIO(signed))
    xmp = reader.root["/Metadata"].get_object().data.decode("utf-8")
    assert re.search(r"pdfaid:part(>|=\")2", xmp) and re.search(r"pdfaid:conformance(>|=\")B", xmp)
    assert reader.root["/OutputIntents"]
    # the XMP stays as Typst wrote it (pyHanko's re-serialisation breaks PDF/A's extension schemas)
    assert reader.root["/Metadata"].get_object().data == PdfFileReader(
        io.BytesIO(sample.pdf)).root["/Metadata"].get_object().data
    assert "/Producer" not in reader.trailer_view["/Info"] or "pyHanko" not in str(
        reader.trailer_view["/Info"]["/Producer"])
    # PDF/A-2 6.3: annotations printable and not hidden; an appearance stream unless zero-sized
    for _, _, annot in fields.enumerate_sig_fields(reader):
        widget = annot.get_object()
        flags = int(widget["/F"])
        assert flags & 4 and not flags & (1 | 2 | 32), flags
        assert widget["/AP"]["/N"] is not None
    assert_qpdf_clean(signed)
    assert_conformant(signed)


def test_a_stream_whose_data_ends_in_cr_keeps_its_length(sample: SamplePdf, test_pki: SigningPki) -> None:
    # This stamp's compressed content happens to end in a CR (one stream in 256 does). Followed by
    # pyHanko's bare LF, a reader takes the CR for part of the end-of-line and the stream is one
    # byte short of its /Length (PDF/A-2 6.1.7.1); it must end in CR CR LF, as Typst writes it.
    signed = sign_pdf(sample.pdf, signer_config(test_pki), sample.processor_box, sample.customer_box,
                      now=dt.datetime(2026, 12, 8, 9, 5, tzinfo=dt.UTC), signatory="B. Visser (Jurist)")
    assert b"\r\r\nendstream" in signed[len(sample.pdf):]
    assert_qpdf_clean(signed)
    assert_conformant(signed)


def test_signature_widgets_are_tagged_form_fields_with_a_tooltip(sample: SamplePdf,
                                                                  test_pki: SigningPki) -> None:
    signed = sign_pdf(sample.pdf, signer_config(test_pki), sample.processor_box, sample.customer_box)
    reader = PdfFileReader(io.BytesIO(signed))
    tips = {name: str(ref.get_object()["/TU"]) for name, _, ref in fields.enumerate_sig_fields(reader)}
    assert tips == {PROCESSOR_FIELD: "Handtekening verwerker",
                    CUSTOMER_FIELD: "Handtekening verwerkingsverantwoordelijke"}
    parents = reader.root["/StructTreeRoot"]["/ParentTree"]["/Nums"]
    for _, _, ref in fields.enumerate_sig_fields(reader):
        widget = ref.get_object()
        form = parents[parents.index(widget["/StructParent"]) + 1].get_object()
        assert form["/S"] == "/Form" and form["/K"]["/Obj"].get_object() is widget
    assert failures(signed, "ua1") == []


def test_b_t_with_local_timestamp_server(sample: SamplePdf, test_pki: SigningPki, tsa_url: str) -> None:
    signed = sign_pdf(sample.pdf, signer_config(test_pki, tsa_url=tsa_url), sample.processor_box,
                      sample.customer_box)
    _, status = _validate(signed, test_pki)
    assert status.bottom_line
    ts = status.timestamp_validity
    assert ts is not None and ts.intact and ts.valid and ts.trusted
    assert abs((ts.timestamp - status.signer_reported_dt).total_seconds()) < 60


def test_invisible_signature_without_a_box(sample: SamplePdf, test_pki: SigningPki) -> None:
    signed = sign_pdf(sample.pdf, signer_config(test_pki), None, None)
    reader = PdfFileReader(io.BytesIO(signed))
    names = [n for n, _, _ in fields.enumerate_sig_fields(reader)]
    assert names == [PROCESSOR_FIELD]
    _, status = _validate(signed, test_pki)
    assert status.bottom_line


def test_custom_reason_and_location(sample: SamplePdf, test_pki: SigningPki) -> None:
    signed = sign_pdf(sample.pdf, signer_config(test_pki, reason="Akkoord", location="Utrecht"),
                      sample.processor_box, None)
    sig, _ = _validate(signed, test_pki)
    assert (sig.sig_object["/Reason"], sig.sig_object["/Location"]) == ("Akkoord", "Utrecht")


def test_appearance_fits_a_small_box_on_one_page(test_pki: SigningPki) -> None:
    from pypdf import PdfReader

    from assembler.model import SignatureBox
    from assembler.signing.appearance import appearance_pdf

    for height in (60, 45):  # the contract's signature block is 60 pt high
        pdf = appearance_pdf(signer_config(test_pki), SignatureBox(0, 68, 566, 280, 566 + height),
                          dt.datetime(2026, 11, 28, 8, 15, tzinfo=dt.UTC))
        reader = PdfReader(io.BytesIO(pdf))
        assert len(reader.pages) == 1, f"the appearance overflows a {height} pt box"
        text = " ".join(reader.pages[0].extract_text().split())
        for expected in ("Digitaal ondertekend", "Door", "Test Ondertekenaar", "Namens VoIP Express",
                         "28 november 2026, 09:15 uur (CET)", "Plaats Amsterdam"):
            assert expected in text, (height, text)


def test_stamp_names_the_signatory_then_the_certificate(test_pki: SigningPki) -> None:
    from pypdf import PdfReader

    from assembler.model import SignatureBox
    from assembler.signing.appearance import appearance_pdf

    pdf = appearance_pdf(signer_config(test_pki), SignatureBox(0, 68, 566, 280, 626),
                         dt.datetime(2026, 11, 28, 8, 15, tzinfo=dt.UTC), "J. de Vries (Directeur)")
    text = " ".join(PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split())
    assert "Door J. de Vries (Directeur) Certificaat Test Ondertekenaar" in text
