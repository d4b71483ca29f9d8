"""The direct MIME writer writes the bytes the email package writes, for awkward input too.

Each case builds one message twice, with the same calls: once as `notices.mime.Mail`, once as the
email package's `EmailMessage` written by its `BytesGenerator` (the reference, as the notices
were made before), and compares the bytes.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Callable
from email import message_from_bytes, policy
from email.generator import BytesGenerator
from email.headerregistry import Address
from email.message import EmailMessage
from typing import Any

import pytest

from assembler.notices.mime import Mail

PDF = b"%PDF-1.7\n" + bytes(range(256)) * 40 + b"\n%%EOF"

NAMES = ["Sam de Vries", "Voorbeeldbedrijf 1 B.V.", "Zoë Çelik-Öztürk", 'Jan "de Baas" Jansen',
         "Bakkerij Tiel, vestiging Noord", "", "K. (Kim) Smit", "Ab\\Cd", "D'Artagnan & Zn.",
         "Een heel lange naam van een contactpersoon die niet op één regel past bij elkaar"]
SUBJECTS = ["Wijziging Verwerkersovereenkomst per 1 februari 2027 (versie 1.1)",
            "Nieuwe sub-verwerker per 1 maart 2027: Voorbeeld Transcriptie B.V.",
            "Vervanging van sub-verwerker Oud Hosting B.V. door Nieuw Hosting B.V. per 1 maart 2027",
            "Melding datalek 2027-001, kenmerk DL-2027-001-C-00000", "kort", "a  b", "=?utf-8?q?x?="]
IDS = ["C-1", "C-00001", "KLANT-" + "x" * 60]


def _reference_pdf(data: bytes, filename: str) -> EmailMessage:
    part = EmailMessage(policy=policy.SMTP)
    part["Content-Type"] = "application/pdf"
    part["Content-Transfer-Encoding"] = "base64"
    part["Content-Disposition"] = "attachment"
    part.set_param("filename", filename, header="Content-Disposition")
    part.set_payload(base64.encodebytes(data).decode("ascii"))
    return part


def _fast_pdf(data: bytes, filename: str) -> Mail:
    part = Mail()
    part.set_pdf(data, filename)
    return part


def _fill(msg: Any, pdf_part: Callable[[bytes, str], Any], shape: str, name: str, subject: str,
          cid: str) -> None:
    """Make `msg` a notice of `shape` with the same calls, whichever class it is."""
    msg["From"] = Address("VoIP Express (Focused2Create)", addr_spec="privacy@example.nl")
    msg["To"] = Address(name, addr_spec=f"klant.{len(name)}@example.nl")
    msg["Subject"] = subject
    msg["Date"] = "Tue, 01 Dec 2026 14:04:00 +0100"
    msg["Message-ID"] = f"<notice.1.1.{cid}.668a7f2fcd00@example.nl>"
    if shape == "breach":
        msg["In-Reply-To"] = "<breach.a.initial.C-1.0123@example.nl>"
        msg["References"] = " ".join(f"<breach.a.{p}.{cid}.0123@example.nl>" for p in ("i", "u"))
    msg["X-Assembler-Reference"] = f"VWO-1.1-{cid}"
    text = f"Geachte {name},\n\nééntje = twee\r\n" + "lang " * 40 + "\n.\nFrom me\n"
    msg.set_content(text, cte="quoted-printable")
    filename = f"brief-VWO-1.1-{cid}.pdf"
    if shape == "subprocessor":
        msg.add_attachment(PDF, maintype="application", subtype="pdf", filename=filename)
        return
    msg.add_alternative(f"<p>{name}</p>\n<p>{'x' * 200}</p>", subtype="html", cte="quoted-printable")
    if shape == "breach":
        msg.add_attachment(PDF, maintype="application", subtype="pdf", filename=filename)
        return
    msg.make_mixed()
    for fn in (filename, "wijzigingen-1.0-1.1.pdf", f"verwerkersovereenkomst-1.1-{cid}.pdf"):
        msg.attach(pdf_part(PDF, fn))


def _boundaries(msg: Any) -> None:
    for i, part in enumerate(msg.walk()):
        if (part.is_multipart() if isinstance(msg, EmailMessage) else part.parts is not None):
            part.set_boundary(f"=_notice_089904f0a09de9dbf19df86b_{i}")


def _reference_bytes(msg: EmailMessage) -> bytes:
    out = io.BytesIO()
    BytesGenerator(out, policy=policy.SMTP).flatten(msg)
    return out.getvalue()


@pytest.mark.parametrize("shape", ["notice", "subprocessor", "breach"])
@pytest.mark.parametrize("name", NAMES)
def test_the_same_bytes_as_the_email_package(shape: str, name: str) -> None:
    for subject in SUBJECTS:
        for cid in IDS:
            ref = EmailMessage(policy=policy.SMTP)
            _fill(ref, _reference_pdf, shape, name, subject, cid)
            _boundaries(ref)
            fast = Mail()
            _fill(fast, _fast_pdf, shape, name, subject, cid)
            _boundaries(fast)
            assert fast.to_bytes() == _reference_bytes(ref), (shape, name, subject, cid)


@pytest.mark.parametrize("length", range(20, 100, 3))
def test_long_file_names_fold_as_the_email_package_folds_them(length: int) -> None:
    filename = "b" * (length - 4) + ".pdf"
    ref = _reference_pdf(PDF, filename)
    fast = _fast_pdf(PDF, filename)
    assert fast.to_bytes() == _reference_bytes(ref)


def test_a_written_mail_reads_back_with_its_attachment_intact() -> None:
    fast = Mail()
    _fill(fast, _fast_pdf, "notice", "Zoë Çelik-Öztürk", SUBJECTS[0], "C-1")
    _boundaries(fast)
    parsed = message_from_bytes(fast.to_bytes(), policy=policy.SMTP)
    assert str(parsed["To"]) == "Zoë Çelik-Öztürk <klant.16@example.nl>"
    pdfs = [p.get_content() for p in parsed.iter_attachments()]  # type: ignore[attr-defined]
    assert pdfs == [PDF, PDF, PDF]


@pytest.mark.parametrize("filename", ["brief-Zoë.pdf", 'a "quoted" name.pdf', "back\\slash.pdf"])
def test_odd_file_names_are_written_as_the_email_package_writes_them(filename: str) -> None:
    assert _fast_pdf(PDF, filename).to_bytes() == _reference_bytes(_reference_pdf(PDF, filename))


def test_the_ledger_reads_a_message_id_also_when_the_header_is_folded() -> None:
    from assembler.notices.message import message_id_of

    long_id = "<subprocessor.voorbeeld-transcriptie.C-0001.0123456789ab@example.nl>"
    folded = f"From: a@example.nl\r\nMessage-ID:\r\n {long_id}\r\nSubject: x\r\n\r\nbody".encode()
    assert message_id_of(folded) == long_id
    assert message_id_of(f"Message-ID: {long_id}\r\n\r\n".encode()) == long_id
