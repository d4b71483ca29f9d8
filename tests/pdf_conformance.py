"""What the validators say about a PDF: page-validation's PDF/A-2b and PDF/UA-1, qpdf --check.

page-validation (PyPI ``page-validation``) is an offline Rust checker that passes the veraPDF
and Isartor corpora; it is a test dependency, so it is always there. qpdf is an outside tool:
a test that needs it skips when it is missing unless ASSEMBLER_REQUIRE_INTEROP=1.
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

import page

from tests.conftest import require_tool

PROFILES = ("2b", "ua1")
"""PDF/A-2b (ISO 19005-2, archiving) and PDF/UA-1 (ISO 14289-1, accessibility)."""


def failures(pdf: bytes, profile: str) -> list[str]:
    """Return page-validation's failed rules for `pdf` under `profile`, one line each."""
    report = page.validate_pdf_bytes(pdf, profile=profile)
    lines = sorted({f"{f.rule_id}: {f.message}" for f in report.failures})
    assert report.is_compliant == (not lines), lines
    return lines


def assert_conformant(pdf: bytes) -> None:
    """Fail unless `pdf` passes PDF/A-2b and PDF/UA-1 in page-validation."""
    found = {profile: failures(pdf, profile) for profile in PROFILES}
    assert found == {profile: [] for profile in PROFILES}, found


def assert_qpdf_clean(pdf: bytes) -> None:
    """Fail unless ``qpdf --check`` finds no syntax or stream errors in `pdf`."""
    qpdf = require_tool("qpdf")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "file.pdf"
        path.write_bytes(pdf)
        check = subprocess.run([qpdf, "--check", str(path)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "No syntax or stream encoding errors" in check.stdout, check.stdout
