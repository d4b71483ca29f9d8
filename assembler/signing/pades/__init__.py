"""PAdES signatures: signing and validating with pyHanko, the only package that imports it."""

from __future__ import annotations

from assembler.signing.pades.sign import CUSTOMER_FIELD, PROCESSOR_FIELD, check_unsigned, sign_pdf
from assembler.signing.pades.validate import TrustRoots, check_signatures, signed_revision

__all__ = ["CUSTOMER_FIELD", "PROCESSOR_FIELD", "TrustRoots", "check_signatures", "check_unsigned",
           "sign_pdf", "signed_revision"]
