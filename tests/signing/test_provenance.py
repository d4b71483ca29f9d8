"""verify_pdf's provenance step: the signed revision against a rebuilt document."""

from __future__ import annotations

import io

from pypdf import PdfWriter
from pypdf.generic import NameObject

from assembler.model import Provenance
from assembler.render.pdf_read import page_texts
from assembler.signing.pades import sign_pdf
from assembler.signing.verify import compare_texts, verify_pdf
from tests.signing.conftest import PARAGRAPHS, SamplePdf, SigningPki, render_sample, signer_config


def _against(rebuilt: bytes):  # type: ignore[no-untyped-def]
    def check(signed_revision: bytes) -> Provenance:
        diff = compare_texts(signed_revision, rebuilt)
        return Provenance("match" if diff is None else "mismatch", diff or "same text")
    return check


def test_same_text_matches(sample: SamplePdf, test_pki: SigningPki) -> None:
    signed = sign_pdf(sample.pdf, signer_config(test_pki), sample.processor_box, sample.customer_box)
    result = verify_pdf(signed, {}, _against(render_sample(PARAGRAPHS).pdf))
    assert result.provenance.status == "match" and result.verdict == "not verified"
    assert "De Verwerker verwerkt de persoonsgegevens" in page_texts(signed)[0]


def test_other_text_is_a_mismatch_and_invalid(test_pki: SigningPki) -> None:
    altered = [p.replace("uitsluitend", "ook") if i == 1 else p for i, p in enumerate(PARAGRAPHS)]
    other = render_sample(altered)
    signed = sign_pdf(other.pdf, signer_config(test_pki), other.processor_box, other.customer_box)
    result = verify_pdf(signed, {}, _against(render_sample(PARAGRAPHS).pdf))
    assert result.signatures[0].ok  # a sound signature over the wrong text
    assert result.provenance.status == "mismatch" and not result.valid
    assert "page 1 differs" in result.provenance.detail and "ook" in result.provenance.detail


def test_provenance_reads_the_signed_revision_not_later_updates(sample: SamplePdf,
                                                                test_pki: SigningPki) -> None:
    signed = sign_pdf(sample.pdf, signer_config(test_pki), sample.processor_box, sample.customer_box)
    writer = PdfWriter(io.BytesIO(signed), incremental=True)
    writer.pages[0].replace_contents(writer.pages[1].get_contents())
    writer.pages[0][NameObject("/Resources")] = writer.pages[1]["/Resources"]
    out = io.BytesIO()
    writer.write(out)
    tampered = out.getvalue()
    assert page_texts(tampered)[0] != page_texts(signed)[0]
    result = verify_pdf(tampered, {}, _against(render_sample(PARAGRAPHS).pdf))
    assert result.provenance.status == "match"  # what was signed is the right text …
    assert not result.valid  # … but the file shows something else: the appended change is refused
    assert not result.signatures[0].changes_allowed


def test_the_same_words_laid_out_otherwise_are_named_as_such(sample: SamplePdf,
                                                             test_pki: SigningPki) -> None:
    # A contract built by an earlier layout: the same words, falling on the pages differently.
    relaid = render_sample(PARAGRAPHS[:1] + [""] * 12 + PARAGRAPHS[1:]).pdf
    assert page_texts(relaid) != page_texts(sample.pdf)
    signed = sign_pdf(sample.pdf, signer_config(test_pki), sample.processor_box, sample.customer_box)
    result = verify_pdf(signed, {}, _against(relaid))
    assert result.provenance.status == "mismatch" and not result.valid  # not byte for byte
    assert result.provenance.detail.startswith(
        "the words are exactly those of the rebuilt contract, laid out differently")
    # other words are still named where they differ, however they are laid out
    altered = render_sample([p.replace("uitsluitend", "ook") for p in PARAGRAPHS[:1]] + [""] * 12
                            + PARAGRAPHS[1:]).pdf
    result = verify_pdf(signed, {}, _against(altered))
    assert "laid out differently" not in result.provenance.detail
