"""`verify` and `sign` say what our other PDFs are; a destruction statement's provenance is its archive record."""

from __future__ import annotations

from pathlib import Path

import pytest

from assembler.signing.document_kinds import identify
from tests.conftest import ROOT, TEST_AUTHOR, copy_project
from tests.render.test_conformance import _documents, released  # noqa: F401 (fixture)
from tests.signing.conftest import key_env, run_cli, test_pki  # noqa: F401 (fixtures)

PROVENANCE = "provenance: "


@pytest.mark.parametrize(("document", "kind"), [
    ("redline", "redline"), ("letter", "revision notice letter"), ("version text", "version text"),
    ("site version", "version text"), ("sub-processor list", "sub-processor list"),
    ("breach letter", "breach notice letter")])
def test_our_other_pdfs_are_told_apart_by_their_metadata(released: Path, document: str,  # noqa: F811
                                                         kind: str) -> None:
    found = identify(_documents(released)[document])
    assert found is not None and found.kind == kind


def test_a_contract_is_none_of_the_other_kinds(released: Path) -> None:  # noqa: F811
    assert identify(_documents(released)["contract"]) is None


def _statement(project_dir: Path, env: dict[str, str], *extra: str, received: str = "2026-01-05") -> Path:
    """Import the example customers, end C-1003's agreement and issue its statement to v.pdf."""
    assert run_cli("customers", "import", str(ROOT / "examples" / "customers.csv"), env=env,
                   cwd=project_dir).returncode == 0
    assert run_cli("customers", "terminate", "C-1003", "--received", received, env=env,
                   cwd=project_dir).returncode == 0
    made = run_cli("customers", "destruction-statement", "C-1003", "-o", "v.pdf", *extra,
                   env=env, cwd=project_dir)
    assert made.returncode == 0, made.stderr
    return project_dir / "v.pdf"


def _provenance(project_dir: Path, env: dict[str, str], pdf: Path) -> tuple[int, str]:
    root = Path(env["ASSEMBLER_SIGNING_PKCS12"]).parent / "root.pem"
    proc = run_cli("verify", str(pdf), "--trust", str(root), env=env, cwd=project_dir)
    assert "Traceback" not in proc.stderr
    (line,) = [x for x in proc.stdout.splitlines() if x.startswith(PROVENANCE)]
    return proc.returncode, line


def test_a_signed_destruction_statement_is_the_one_the_registry_archived(
        project_dir: Path, key_env: dict[str, str]) -> None:  # noqa: F811
    env = {**key_env, "ASSEMBLER_ROOT": str(project_dir)}
    code, line = _provenance(project_dir, env, _statement(project_dir, env, "--sign"))
    assert code == 0, line
    assert line.startswith("provenance: match: the signed file is byte for byte the destruction "
                           "statement of C-1003 issued on ")
    assert "archived as C-1003-verklaring-van-vernietiging-" in line
    assert "not built by assembler" not in line
    dossier = run_cli("customers", "dossier", "C-1003", "-o", "d", env=env, cwd=project_dir)
    assert dossier.returncode == 0, dossier.stderr
    found = identify((project_dir / "d" / "index.pdf").read_bytes())
    assert found is not None and (found.kind, found.customer_id) == ("dossier index", "C-1003")


def test_a_statement_signed_afterwards_and_one_the_registry_does_not_hold(
        project_dir: Path, tmp_path: Path, key_env: dict[str, str]) -> None:  # noqa: F811
    env = {**key_env, "ASSEMBLER_ROOT": str(project_dir)}
    unsigned = _statement(project_dir, env)
    signed = run_cli("sign", str(unsigned), "-o", "v-signed.pdf", env=env, cwd=project_dir)
    assert signed.returncode == 0, signed.stderr
    assert "v.pdf is a destruction statement, not a contract: the signature is invisible" in signed.stderr
    code, line = _provenance(project_dir, env, project_dir / "v-signed.pdf")
    assert code == 0 and line.endswith(", signed afterwards"), line
    # another registry's statement of the same customer (another termination) is not this one's
    other = copy_project(ROOT, tmp_path / "other", author=TEST_AUTHOR)
    theirs = _statement(other, {**key_env, "ASSEMBLER_ROOT": str(other)}, "--sign", received="2026-01-06")
    code, line = _provenance(project_dir, env, theirs)
    assert code == 1
    assert line.startswith("provenance: mismatch: a destruction statement of customer C-1003, but not "
                           "the one the registry records (issued on "), line
