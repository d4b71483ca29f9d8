"""The visible signature: what the processor's signature box shows, rendered by Typst.

The stamp and the signature block printed above it must tell the same story: who signs (the
signatory named in the contract, on behalf of the certificate's organisation), where and when
(Amsterdam time). `appearance_pdf` returns a one-page PDF/A exactly the size of the box;
signing/pades.py draws it as the field's appearance.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from assembler.dutch import format_date_nl
from assembler.model import SignatureBox
from assembler.render.typst_pdf import template, timestamp_of
from assembler.signing.keys import SignerConfig

TIMEZONE = ZoneInfo("Europe/Amsterdam")


def box_rect(box: SignatureBox) -> tuple[int, int, int, int]:
    """Return `box` as the whole-point rectangle (x1, y1, x2, y2) a PDF field takes."""
    return (round(box.x1), round(box.y1), round(box.x2), round(box.y2))


def appearance_pdf(signer: SignerConfig, box: SignatureBox, now: dt.datetime,
                   signatory: str = "") -> bytes:
    """Return the one-page PDF (PDF/A) drawn in the processor's signature box.

    The stamp names the `signatory` printed above it ("J. de Vries (Directeur)") and then the
    certificate it was made with; without a signatory, the certificate's holder.
    """
    local = now.astimezone(TIMEZONE)
    lines = [["Door", signatory or signer.common_name]]
    if signatory:
        lines.append(["Certificaat", signer.common_name])
    if signer.organisation:
        lines.append(["Namens", signer.organisation])
    lines += [["Datum", f"{format_date_nl(local.date())}, {local:%H:%M} uur ({local.tzname()})"],
              ["Reden", signer.reason], ["Plaats", signer.location]]
    x1, y1, x2, y2 = box_rect(box)
    data = {"width": x2 - x1, "height": y2 - y1, "heading": "Digitaal ondertekend", "lines": lines}
    return template("signature-stamp.typ").render(data, timestamp_of(local.date()))


def local_time(moment: dt.datetime) -> str:
    """Return `moment` as Dutch date and Amsterdam time: ``28 november 2026, 09:15 (CET)``."""
    local = moment.astimezone(TIMEZONE)
    return f"{format_date_nl(local.date())}, {local:%H:%M} ({local.tzname()})"
