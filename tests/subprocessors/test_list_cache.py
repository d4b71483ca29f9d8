"""The list each sub-processor notice attaches: once per distinct set of services, PDF/A, in Dutch."""

from __future__ import annotations

import hashlib
import io
import json
import re
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from freezegun import freeze_time
from pypdf import PdfReader

from assembler.cli import main
from assembler.render.pdf_read import page_texts
from assembler.subprocessors import list_cache
from tests.notices.conftest import add_customers, customer
from tests.pdf_conformance import failures

CHANGE = "voorbeeld-transcriptie"
FOLDER = Path("build") / "notices" / "subverwerkers" / CHANGE


def attachments(project_dir: Path, customer_id: str) -> dict[str, bytes]:
    """Return the attachments of a built notice e-mail, by file name."""
    eml = project_dir / FOLDER / customer_id / f"SUB-{CHANGE}-{customer_id}.eml"
    mail = message_from_bytes(eml.read_bytes(), policy=policy.default)
    return {str(a.get_filename()): a.get_content() for a in mail.iter_attachments()}


@pytest.fixture
def built(project_dir: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, list[frozenset[str]]]:
    """Five customers with two distinct service sets, their notices built; the lists compiled."""
    add_customers(project_dir, [
        customer(1, services=("gespreksopname",)), customer(2, services=("gespreksopname",)),
        customer(3, services=("hosted-telefonie", "gespreksopname")),
        customer(4, services=("gespreksopname", "hosted-telefonie")),
        customer(5, services=("gespreksopname",))])
    compiled: list[frozenset[str]] = []
    render = list_cache.render_subprocessor_list

    def counting(data: dict[str, Any], day: Any) -> bytes:
        compiled.append(frozenset(str(data["keywords"][-1]).split("=", 1)[1].split(",")))
        return render(data, day)

    monkeypatch.setattr(list_cache, "render_subprocessor_list", counting)
    with freeze_time("2026-12-01 09:00:00"):
        result = CliRunner().invoke(main, ["subprocessors", "build", CHANGE],
                                    env={"ASSEMBLER_ROOT": str(project_dir)})
    assert result.exit_code == 0, result.output
    assert "built 5 sub-processor notice(s)" in result.output
    return project_dir, compiled


def test_the_list_is_compiled_once_per_distinct_set_of_services(
        built: tuple[Path, list[frozenset[str]]]) -> None:
    project_dir, compiled = built
    assert sorted(map(sorted, compiled)) == [["gespreksopname"],
                                             ["gespreksopname", "hosted-telefonie"]]
    name = "lijst-sub-verwerkers-2026-12-01.pdf"
    lists = {cid: attachments(project_dir, cid)[name] for cid in
             ("C-0001", "C-0002", "C-0003", "C-0004", "C-0005")}
    assert lists["C-0001"] == lists["C-0002"] == lists["C-0005"]
    assert lists["C-0003"] == lists["C-0004"] != lists["C-0001"]


def test_the_attached_list_names_the_services_not_the_customer_and_is_pdf_a(
        built: tuple[Path, list[frozenset[str]]]) -> None:
    project_dir, _ = built
    files = attachments(project_dir, "C-0003")
    assert sorted(files) == ["brief-SUB-voorbeeld-transcriptie-C-0003.pdf",
                             "lijst-sub-verwerkers-2026-12-01.pdf"]
    pdf = files["lijst-sub-verwerkers-2026-12-01.pdf"]
    text = re.sub(r"\s+", " ", " ".join(page_texts(pdf)))
    assert "Voor: klanten met de diensten Gespreksopname en Hosted telefonie (virtuele " \
           "telefooncentrale)" in text
    assert "Stand per: 1 december 2026" in text
    assert "Voorbeeld Hosting B.V." in text  # in use for gespreksopname
    assert "Aangekondigde sub-verwerkers" in text and "Voorbeeld Spraakanalyse Ltd." in text
    assert "Voorbeeld 3 B.V." not in text and "C-0003" not in text  # shared by every such customer
    keywords = PdfReader(io.BytesIO(pdf)).metadata["/Keywords"]
    assert "assembler:services=gespreksopname,hosted-telefonie" in keywords
    assert "assembler:register-sha256=" in keywords
    assert failures(pdf, "2b") == []
    assert failures(pdf, "ua1") == []


def test_the_evidence_proves_which_list_went_with_each_notice(
        built: tuple[Path, list[frozenset[str]]]) -> None:
    project_dir, _ = built
    result = CliRunner().invoke(main, ["subprocessors", "status", CHANGE, "--format", "json"],
                                env={"ASSEMBLER_ROOT": str(project_dir)})
    rows = {r["customer_id"]: r for r in json.loads(result.output)["notices"]}
    for cid in ("C-0001", "C-0003"):
        pdf = attachments(project_dir, cid)["lijst-sub-verwerkers-2026-12-01.pdf"]
        assert rows[cid]["sha256_list"] == hashlib.sha256(pdf).hexdigest()
    assert rows["C-0001"]["sha256_list"] == rows["C-0002"]["sha256_list"] != \
        rows["C-0003"]["sha256_list"]
