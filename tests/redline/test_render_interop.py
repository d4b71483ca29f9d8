"""LibreOffice imports the redline DOCX with every change as a real tracked change."""

from __future__ import annotations

import re
import subprocess
import zipfile
from pathlib import Path

import pytest

from assembler.model import Redline
from assembler.render.redline_docx import render_redline_docx
from tests.conftest import require_tool


def expected_regions(redline: Redline) -> list[str]:
    """Return the tracked-change regions LibreOffice should show, in document order.

    LibreOffice joins adjacent revisions of the same kind into one region: a wholly inserted
    paragraph (its words and its paragraph mark) is one insertion, and so is an inserted
    paragraph mark followed by the next paragraph's inserted words.
    """
    stream = []
    for b in redline.blocks:
        stream += [{"equal": "", "insert": "insertion", "delete": "deletion"}[o.op] for o in b.ops]
        stream.append({"inserted": "insertion", "deleted": "deletion"}.get(b.status, ""))
    regions: list[str] = []
    previous = ""
    for kind in stream:
        if kind and kind != previous:
            regions.append(kind)
        previous = kind
    return regions


@pytest.mark.interop
def test_libreoffice_imports_the_tracked_changes(redline: Redline, tmp_path: Path) -> None:
    soffice = require_tool("soffice")
    docx = tmp_path / "redline.docx"
    docx.write_bytes(render_redline_docx(redline))
    proc = subprocess.run(
        [soffice, f"-env:UserInstallation=file://{tmp_path}/profile", "--headless",
         "--convert-to", "odt", "--outdir", str(tmp_path), str(docx)],
        capture_output=True, text=True, timeout=180)
    odt = tmp_path / "redline.odt"
    assert odt.exists(), f"LibreOffice did not convert: {proc.stdout} {proc.stderr}"
    with zipfile.ZipFile(odt) as z:
        content = z.read("content.xml").decode("utf-8")
    kinds = dict(re.findall(
        r'<text:changed-region[^>]*text:id="([^"]+)"[^>]*><text:(insertion|deletion)', content))
    order = [kinds[a or b] for a, b in re.findall(
        r'<text:change-start text:change-id="([^"]+)"/>|<text:change text:change-id="([^"]+)"/>',
        content)]
    expected = expected_regions(redline)
    assert content.count("<text:changed-region") == len(expected) == 39
    assert order == expected
    # Author and date survived the import.
    assert "<dc:creator>VoIP Express</dc:creator>" in content
    assert "<dc:date>2026-12-01</dc:date>" in content
