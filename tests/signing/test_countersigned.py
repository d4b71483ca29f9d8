"""A countersigned copy (our signature, then the customer's in their field) stays PDF/A-2b and PDF/UA-1.

The customer signs with their own software; here that is pyHanko, used the way a PDF/A-aware
tool signs: an incremental update that leaves the XMP alone and an appearance whose fonts are
embedded (Typst-rendered, like ours). pyHanko's defaults do neither (its text stamp draws with
the non-embedded Courier, and it re-serialises the XMP); that is the customer's tool, not our
file, and `customers receive` takes such a copy in all the same (tests/customers/test_receive.py).
"""

from __future__ import annotations

import datetime as dt
import io
import re

from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers

from assembler.model import SignatureBox
from assembler.signing import demo_pki as pki
from assembler.signing.keys import SignerConfig
from assembler.signing.pades import CUSTOMER_FIELD, sign_pdf
from assembler.signing.pades import sign as pades_sign
from assembler.signing.verify import verify_pdf
from tests.pdf_conformance import assert_qpdf_clean, failures
from tests.signing.conftest import SamplePdf, SigningPki, signer_config

STAMPED_AT = dt.datetime(2026, 12, 1, 15, 54, tzinfo=dt.UTC)
"""The customer's stamp at this minute compresses to data that ends in a CR (one in 256 does)."""
BYTERANGE_RULE = "PDFA2B-SIGNATURE-BYTERANGE-001"
"""page-validation holds every signature's ByteRange against the end of the whole file."""


def _countersign(pdf: bytes, pki_: SigningPki, box: SignatureBox) -> bytes:
    """Sign the customer's empty field as a PDF/A-aware tool would, with pyHanko."""
    customer = pki.make_cert(pki_.root, "Anna de Vries", "Bakkerij De Gouden Korrel B.V.")
    config = SignerConfig(key=customer.key, cert=customer.cert, chain=(pki_.root.cert,))
    writer = pades_sign._KeepXmpWriter(io.BytesIO(pdf), strict=False)
    stamp = pades_sign._stamp_style(config, box, STAMPED_AT, "")
    meta = signers.PdfSignatureMetadata(field_name=CUSTOMER_FIELD, md_algorithm="sha256",
                                        subfilter=fields.SigSeedSubFilter.PADES)
    signer = pades_sign._pyhanko_signer(config)
    return pades_sign.signed_update(signers.PdfSigner(meta, signer, stamp_style=stamp), writer)


def _signed_ends(pdf: bytes) -> list[int]:
    """Return where each signature's ByteRange ends."""
    ranges = re.findall(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", pdf)
    return sorted(int(c) + int(d) for _, _, c, d in ranges)


def test_countersigned_copy_is_pdf_a_2b_and_pdf_ua_1(sample: SamplePdf, test_pki: SigningPki) -> None:
    ours = sign_pdf(sample.pdf, signer_config(test_pki), sample.processor_box, sample.customer_box)
    both = _countersign(ours, test_pki, sample.customer_box)
    assert both.startswith(ours)
    assert b"\r\r\nendstream" in both[len(ours):]  # the CR stays data: its /Length holds
    assert failures(both, "ua1") == []
    # Each signature covers the file as it was when it was signed (ISO 32000-2 12.8.1; veraPDF
    # reads PDF/A-2 6.4.3 so since its fix for incremental saves): ours up to our %%EOF, the
    # customer's to the end. page-validation measures ours against the end of the file, so
    # that one rule is checked here instead, and everything else must pass.
    assert _signed_ends(both) == [len(ours), len(both)]
    assert ours.endswith(b"%%EOF\n") and failures(ours, "2b") == []
    found = failures(both, "2b")
    assert [f for f in found if not f.startswith(BYTERANGE_RULE)] == [], found
    assert_qpdf_clean(both)


def test_countersigned_copy_keeps_both_signatures_valid(sample: SamplePdf, test_pki: SigningPki) -> None:
    ours = sign_pdf(sample.pdf, signer_config(test_pki), sample.processor_box, sample.customer_box)
    both = _countersign(ours, test_pki, sample.customer_box)
    result = verify_pdf(both, {"": [test_pki.root.cert]})
    assert result.valid and [s.field for s in result.signatures] == ["Verwerker", CUSTOMER_FIELD]
    assert len(PdfFileReader(io.BytesIO(both)).embedded_signatures) == 2
