"""`customers receive`: a countersigned copy is taken in only when it is ours, signed once more."""

from __future__ import annotations

import io
import json
import stat
from pathlib import Path

import pytest
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers

from assembler.signing import demo_pki as pki
from assembler.signing.pades import CUSTOMER_FIELD
from tests.conftest import ROOT
from tests.signing.conftest import SigningPki, key_env, run_cli, test_pki  # noqa: F401 (fixtures)

CONTRACT_PDF = "C-1042-verwerkersovereenkomst-1.0.pdf"
SIGNATORY = "Annelies de Groot-Ünal"
"""C-1042's signatory in examples/customers.csv."""


def countersign(pdf: bytes, pki_: SigningPki, tmp: Path, customer: pki.Issued | None = None) -> bytes:
    """Sign the customer's empty field as a second signer would (their own pyHanko).

    `customer`: the certificate to sign with (default: one of the customer's signatory).
    """
    customer = customer or pki.make_cert(pki_.root, SIGNATORY, "Bakkerij De Gouden Korrel B.V.")
    p12 = tmp / "klant.p12"
    p12.write_bytes(pki.pkcs12_bytes(customer, [pki_.root.cert], "klant-wachtwoord"))
    signer = signers.SimpleSigner.load_pkcs12(str(p12), passphrase=b"klant-wachtwoord")
    assert signer is not None
    out = signers.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf)), signers.PdfSignatureMetadata(
        field_name=CUSTOMER_FIELD, md_algorithm="sha256", subfilter=fields.SigSeedSubFilter.PADES),
        signer=signer)
    return out.getvalue()


@pytest.fixture
def signed(project_dir: Path, key_env: dict[str, str],  # noqa: F811
           test_pki: SigningPki) -> tuple[Path, dict[str, str], bytes]:  # noqa: F811
    """A project with the example customers and C-1042's contract, signed by us."""
    env = {**key_env, "ASSEMBLER_ROOT": str(project_dir)}
    assert run_cli("customers", "import", str(ROOT / "examples" / "customers.csv"), env=env,
                   cwd=project_dir).returncode == 0
    built = run_cli("build", "--customer", "C-1042", "--format", "pdf", "-o", "out", "--sign",
                    env=env, cwd=project_dir)
    assert built.returncode == 0, built.stderr
    return project_dir, env, (project_dir / "out" / CONTRACT_PDF).read_bytes()


def receive(project_dir: Path, env: dict[str, str], pdf: bytes, *extra: str) -> tuple[int, str]:
    (project_dir / "in.pdf").write_bytes(pdf)
    proc = run_cli("customers", "receive", "in.pdf", "--trust",
                   str(Path(env["ASSEMBLER_SIGNING_PKCS12"]).parent / "root.pem"), *extra,
                   env=env, cwd=project_dir)
    assert "Traceback" not in proc.stderr
    return proc.returncode, proc.stdout + proc.stderr


def kinds(project_dir: Path, env: dict[str, str]) -> list[str]:
    proc = run_cli("customers", "show", "C-1042", "--format", "json", env=env, cwd=project_dir)
    return [e["kind"] for e in json.loads(proc.stdout)["timeline"]]


def test_a_countersigned_copy_is_archived_and_recorded(signed, test_pki: SigningPki,  # noqa: F811
                                                       tmp_path: Path) -> None:
    project_dir, env, ours = signed
    copy = countersign(ours, test_pki, tmp_path)
    code, out = receive(project_dir, env, copy)
    assert code == 0, out
    assert out.startswith("received: C-1042 countersigned verwerkersovereenkomst 1.0 on ")
    assert f"signed by {SIGNATORY} at " in out and "warning" not in out
    archived = list((project_dir / "var" / "archive" / "C-1042").iterdir())
    assert len(archived) == 1 and archived[0].read_bytes() == copy
    assert stat.S_IMODE(archived[0].stat().st_mode) == 0o600
    assert stat.S_IMODE(archived[0].parent.stat().st_mode) == 0o700
    data = json.loads(run_cli("customers", "show", "C-1042", "--format", "json", env=env,
                              cwd=project_dir).stdout)
    event = data["timeline"][-1]
    assert (event["kind"], event["version"]) == ("countersigned", "1.0")
    import hashlib

    assert event["sha256"] == hashlib.sha256(copy).hexdigest()
    again, out = receive(project_dir, env, copy)
    assert again == 2 and "was received before" in out


def _tampered(pdf: bytes) -> bytes:
    """Change one byte inside the first content stream: signed bytes, no longer as signed."""
    at = pdf.index(b"stream\n") + 40
    return pdf[:at] + bytes([pdf[at] ^ 0x01]) + pdf[at + 1:]


@pytest.mark.parametrize(("case", "message"), [
    ("only ours", f"the customer's field '{CUSTOMER_FIELD}' is not signed"),
    ("unsigned", "it has no signature of ours"),
    ("foreign", "not a contract we built"),
    ("tampered", "broken"),
    ("other customer", "it is the contract of customer C-1042, not C-1003"),
])
def test_what_is_not_a_countersigned_copy_of_ours_is_refused(
        signed, test_pki: SigningPki, tmp_path: Path, case: str, message: str) -> None:  # noqa: F811
    project_dir, env, ours = signed
    extra: tuple[str, ...] = ()
    if case == "only ours":
        pdf = ours
    elif case == "unsigned":
        assert run_cli("build", "--customer", "C-1042", "--format", "pdf", "-o", "plain", env=env,
                       cwd=project_dir).returncode == 0
        pdf = (project_dir / "plain" / CONTRACT_PDF).read_bytes()
    elif case == "foreign":
        from assembler.signing.pades import sign_pdf
        from tests.signing.conftest import render_sample, signer_config

        sample = render_sample(["1.1. Een ander document."])
        pdf = countersign(sign_pdf(sample.pdf, signer_config(test_pki), sample.processor_box,
                                   sample.customer_box), test_pki, tmp_path)
    elif case == "tampered":
        pdf = _tampered(countersign(ours, test_pki, tmp_path))
    else:
        pdf, extra = countersign(ours, test_pki, tmp_path), ("--customer", "C-1003")
    code, out = receive(project_dir, env, pdf, *extra)
    assert code == 1, out
    assert message in out and "nothing recorded" in out
    assert len(out.strip().splitlines()) == 1
    assert not (project_dir / "var" / "archive").exists()
    assert kinds(project_dir, env) == ["signed"]


@pytest.mark.parametrize("whose", ["our signature's certificate", "our organisation's",
                                   "the configured signer's"])
def test_a_countersignature_by_the_processor_itself_is_refused(
        signed, test_pki: SigningPki, tmp_path: Path, whose: str) -> None:  # noqa: F811
    project_dir, env, ours = signed
    if whose == "our signature's certificate":
        cert, expected = test_pki.signer, "the one of our signature in the file"
    elif whose == "our organisation's":
        cert = pki.make_cert(test_pki.root, "Piet Collega", "VoIP Express")
        expected = "a certificate of our own organisation (VoIP Express, as our signature's)"
    else:  # the key configured now, not the one our signature in the file was made with
        cert = pki.make_cert(test_pki.root, "Nieuwe sleutel", "Focused2Create B.V.")
        p12 = tmp_path / "nieuw.p12"
        p12.write_bytes(pki.pkcs12_bytes(cert, [test_pki.root.cert], env["ASSEMBLER_SIGNING_PASSWORD"]))
        env = {**env, "ASSEMBLER_SIGNING_PKCS12": str(p12)}
        expected = "the processor's own certificate: the one of [signing] pkcs12"
    code, out = receive(project_dir, env, countersign(ours, test_pki, tmp_path, cert))
    assert code == 1, out
    assert expected in out and "only the customer can accept the agreement; nothing recorded" in out
    assert len(out.strip().splitlines()) == 1
    assert not (project_dir / "var" / "archive").exists()
    assert kinds(project_dir, env) == ["signed"]


def test_a_countersigner_other_than_the_registrys_signatory_is_taken_in_with_a_warning(
        signed, test_pki: SigningPki, tmp_path: Path) -> None:  # noqa: F811
    project_dir, env, ours = signed
    colleague = pki.make_cert(test_pki.root, "Bram de Groot", "Bakkerij De Gouden Korrel B.V.")
    (project_dir / "in.pdf").write_bytes(countersign(ours, test_pki, tmp_path, colleague))
    proc = run_cli("customers", "receive", "in.pdf", "--trust",
                   str(Path(env["ASSEMBLER_SIGNING_PKCS12"]).parent / "root.pem"),
                   env=env, cwd=project_dir)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("received: C-1042 countersigned") and "signed by Bram de Groot" in proc.stdout
    assert proc.stderr == (f"assembler: warning: in.pdf: countersigned by Bram de Groot, not by {SIGNATORY} "
                           "(the registry's signatory of C-1042): taken in; check that Bram de Groot may "
                           "sign for the customer\n")
    assert kinds(project_dir, env) == ["signed", "countersigned"]
