"""Each customer is told what changes for them: their Bijlage 1 notes, before/after and redline.

The project releases 1.1 with clause 7.1 changed and two new data categories: callers in the
queue (only for the callcenter service) and fax messages (only for Fax2Mail). Each is explained
under [toelichting-bijlage-1], so a customer reads only the notes on their own Bijlage 1.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import subprocess
from email.parser import BytesParser
from email.policy import default
from pathlib import Path

import pypdf
import pytest

from assembler.agreement.project import Project
from assembler.customers.registry import open_project_registry
from assembler.model import Redline
from assembler.notices import documents
from assembler.notices.build import BuildRequest, BuildSummary, build_notices
from assembler.notices.ledger import Ledger
from assembler.notices.plan import PlanRequest, Texts, plan_notices
from assembler.workflow.release import release_version
from tests.conftest import git
from tests.notices.conftest import (
    CONTRACT,
    EFFECTIVE,
    NOTE_7,
    PYTHON,
    SENDER,
    TODAY,
    add_customers,
    cli_env,
    customer,
)
from tests.notices.email_parts import as_shown

QUEUE = "Gegevens van bellers in de wachtrij"
FAX = "Inhoud van faxberichten"
NOTE_QUEUE = "Voor de dienst Wachtrijen en callcenter verwerken wij voortaan ook gegevens van bellers in de wachtrij."
NOTE_FAX = "Voor Fax2Mail verwerken wij voortaan ook de inhoud van uw faxberichten."
OUT = Path("build/notices/1.1")


QUEUE_ITEM = f'[[data_categories]]\nid = "wachtrij"\nlabel = "{QUEUE}"\nservices = ["callcenter"]\n\n'
FAX_ITEM = f'[[data_categories]]\nid = "fax"\nlabel = "{FAX}"\nservices = ["fax2mail"]\n\n'


def _add_categories(project_dir: Path, items: str) -> None:
    cat = project_dir / "contracts" / CONTRACT / "bijlage-1.toml"
    cat.write_text(cat.read_text().replace("[[data_subjects]]", items + "[[data_subjects]]", 1))


def _notes_per_item(project_dir: Path, version: str, per_item: str) -> Path:
    """Replace the marker `release` wrote for Bijlage 1 by notes per catalogue item; commit."""
    manifest = project_dir / "versions" / CONTRACT / f"{version}.toml"
    text = re.sub(r'(?m)^bijlage-1 = .*\n', "", manifest.read_text())
    manifest.write_text(text + "\n[toelichting-bijlage-1]\n" + per_item)
    git(project_dir, "add", "-A")
    git(project_dir, "commit", "-q", "-m", version)
    return manifest


def _release(project_dir: Path, per_item: str) -> Path:
    """Release 1.1 (clause 7.1 and the two categories), its Bijlage 1 explained by `per_item`."""
    path = project_dir / "contracts" / CONTRACT / "07-datalekken.md"
    path.write_text(path.read_text().replace("achtenveertig (48)", "vierentwintig (24)"))
    _add_categories(project_dir, QUEUE_ITEM + FAX_ITEM)
    release_version(Project(project_dir), CONTRACT, "1.1", EFFECTIVE, today=TODAY,
                    toelichting={"7": NOTE_7})
    return _notes_per_item(project_dir, "1.1", per_item)


@pytest.fixture
def per_item_project(project_dir: Path) -> Path:
    """1.1 released with notes per item; four customers with four sets of services, on 1.0."""
    _release(project_dir, f'wachtrij = "{NOTE_QUEUE}"\nfax2mail = "{NOTE_FAX}"\n')
    add_customers(project_dir, [customer(1, services=("sip-trunk",)),
                                customer(2, services=("callcenter",)),
                                customer(3, services=("callcenter", "sip-trunk")),
                                customer(4, services=("fax2mail",))])
    return project_dir


def _build(project_dir: Path, renders: list[Redline], version: str = "1.1") -> BuildSummary:
    def counting(redline: Redline) -> bytes:
        renders.append(redline)
        return documents.redline_pdf(redline)

    project = Project(project_dir)
    with open_project_registry(project_dir) as registry:
        ledger = Ledger(registry.connection, CONTRACT)
        customers = list(registry.customers())
        plan = plan_notices(project, PlanRequest(CONTRACT, version, TODAY), customers, ledger)
        request = BuildRequest(project_dir / "build" / "notices" / version, TODAY, SENDER,
                               redline_pdf=counting)
        return build_notices(Texts(project, CONTRACT), plan, customers, ledger, request)


def _pdf_text(data: bytes) -> str:
    return " ".join(" ".join(p.extract_text().split()) for p in pypdf.PdfReader(io.BytesIO(data)).pages)


def _notice(project_dir: Path, cid: str) -> dict[str, str]:
    """Return what customer `cid` reads: the letter, the e-mail's two bodies and the redline."""
    msg = BytesParser(policy=default).parsebytes(
        (project_dir / OUT / cid / f"VWO-1.1-{cid}.eml").read_bytes())
    plain, html = msg.get_body(preferencelist=("plain",)), msg.get_body(preferencelist=("html",))
    assert plain is not None and html is not None
    files = {a.get_filename(): a.get_content() for a in msg.iter_attachments()}
    return {"letter": _pdf_text((project_dir / OUT / cid / f"brief-VWO-1.1-{cid}.pdf").read_bytes()),
            "plain": plain.get_content(), "html": as_shown(html.get_content()),
            "redline": _pdf_text(files["wijzigingen-1.0-1.1.pdf"])}


def test_a_customer_without_a_service_reads_nothing_about_it(per_item_project: Path) -> None:
    summary = _build(per_item_project, [])
    assert summary.built == ["C-0001", "C-0002", "C-0003", "C-0004"] and not summary.failed
    sip, queue, both, fax = (_notice(per_item_project, f"C-000{n}") for n in (1, 2, 3, 4))
    for part in ("letter", "plain", "html"):
        # everyone reads the article change
        assert all(NOTE_7 in n[part] for n in (sip, queue, both, fax)), part
        # only the callcenter customers read about the callers in the queue
        assert "wachtrij" not in sip[part] and "wachtrij" not in fax[part], part
        assert NOTE_QUEUE in queue[part] and NOTE_QUEUE in both[part], part
        # only the Fax2Mail customer reads about fax messages
        assert NOTE_FAX in fax[part] and NOTE_FAX not in queue[part], part
        # a SIP-trunk customer's Bijlage 1 does not change: no word about it
        assert "Bijlage 1" not in sip[part].replace("met uw eigen Bijlage 1", "").replace(
            "met uw Bijlage 1", ""), part


def test_before_after_shows_their_own_bijlage_1_rows_only(per_item_project: Path) -> None:
    _build(per_item_project, [])
    queue, fax, sip = (_notice(per_item_project, f"C-000{n}") for n in (2, 4, 1))
    letter = queue["letter"]
    assert ("De passages van uw Bijlage 1 die veranderen, naast elkaar (links versie 1.0, rechts "
            "versie 1.1)") in letter
    assert QUEUE in letter and FAX not in letter
    assert "De passages van uw Bijlage 1" not in sip["letter"]
    # the e-mail marks the inserted words: [+…+] in the plain text, <ins> in the HTML
    assert re.search(r"\[\+[^]]*Gegevens van bellers in de wachtrij[^]]*\+\]", queue["plain"])
    assert re.search(r"<ins>[^<]*Gegevens van bellers in de wachtrij[^<]*</ins>", queue["html"])
    assert FAX not in queue["plain"] and FAX not in queue["html"]
    assert re.search(r"<ins>[^<]*Inhoud van faxberichten[^<]*</ins>", fax["html"])
    assert QUEUE not in fax["html"]
    assert "De passages van uw Bijlage 1" not in sip["plain"] + sip["html"]


def test_the_attached_redline_shows_only_their_categories(per_item_project: Path) -> None:
    _build(per_item_project, [])
    sip, queue, fax = (_notice(per_item_project, f"C-000{n}")["redline"] for n in (1, 2, 4))
    for redline in (sip, queue, fax):
        assert "vierentwintig (24)" in redline and "NAW-gegevens" in redline  # the articles and base
    assert QUEUE not in sip and FAX not in sip
    assert QUEUE in queue and FAX not in queue
    assert FAX in fax and QUEUE not in fax


def test_one_redline_render_per_distinct_bijlage_1(per_item_project: Path) -> None:
    renders: list[Redline] = []
    summary = _build(per_item_project, renders)
    # four sets of services; callcenter and callcenter + SIP-trunk have the same Bijlage 1
    assert len(renders) == 3
    files = sorted(p.name for p in summary.shared_files)
    assert len(files) == 3 and all(re.fullmatch(r"wijzigingen-1\.0-1\.1-[0-9a-f]{12}\.pdf", f)
                                   for f in files)
    out = per_item_project / OUT
    msgs = {cid: BytesParser(policy=default).parsebytes((out / cid / f"VWO-1.1-{cid}.eml").read_bytes())
            for cid in ("C-0002", "C-0003", "C-0001")}
    red = {cid: next(a.get_content() for a in m.iter_attachments()
                     if a.get_filename() == "wijzigingen-1.0-1.1.pdf") for cid, m in msgs.items()}
    assert red["C-0002"] == red["C-0003"] != red["C-0001"]
    on_disk = {(out / f).read_bytes() for f in files}
    assert set(red.values()) <= on_disk


def test_renders_equal_the_service_sets_when_each_reads_differently(project_dir: Path) -> None:
    _release(project_dir, f'wachtrij = "{NOTE_QUEUE}"\nfax2mail = "{NOTE_FAX}"\n')
    add_customers(project_dir, [customer(1, services=("sip-trunk",)),
                                customer(2, services=("callcenter",)),
                                customer(3, services=("fax2mail",)),
                                customer(4, services=("fax2mail",))])
    renders: list[Redline] = []
    _build(project_dir, renders)
    assert len(renders) == 3  # three sets of services, three different Bijlage 1s


def _check(project_dir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([PYTHON, "-m", "assembler", "check"], cwd=project_dir, capture_output=True,
                          text=True, env=cli_env(project_dir), timeout=120)


def test_notes_per_item_satisfy_check(per_item_project: Path) -> None:
    result = _check(per_item_project)
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_names_an_unknown_id_with_its_line(project_dir: Path) -> None:
    manifest = _release(project_dir, f'wachtrij = "{NOTE_QUEUE}"\nfax2mail = "{NOTE_FAX}"\n'
                                     'callcentre = "Een tikfout."\n')
    line = manifest.read_text().splitlines().index('callcentre = "Een tikfout."') + 1
    result = _check(project_dir)
    assert result.returncode == 1
    assert (f"versions/verwerkersovereenkomst/1.1.toml:{line}: error: [toelichting-bijlage-1] names "
            "'callcentre', which is no service, data category or data subject of Bijlage 1 in 1.1"
            ) in result.stdout


def test_check_reports_a_catalogue_change_no_note_covers(project_dir: Path) -> None:
    _release(project_dir, f'wachtrij = "{NOTE_QUEUE}"\n')  # nothing on the fax category
    result = _check(project_dir)
    assert result.returncode == 1
    assert "error: Bijlage 1 changes in 1.1 but has no toelichting" in result.stdout


def test_a_customer_with_both_services_reads_both_notes_in_manifest_order(
        per_item_project: Path) -> None:
    add_customers(per_item_project, [customer(5, services=("callcenter", "fax2mail"))])
    _build(per_item_project, [])
    both = _notice(per_item_project, "C-0005")
    assert f"{NOTE_QUEUE} {NOTE_FAX}" in both["plain"]
    assert QUEUE in both["letter"] and FAX in both["letter"]


def test_a_customer_skipping_versions_reads_their_notes_per_version(project_dir: Path) -> None:
    _add_categories(project_dir, QUEUE_ITEM)
    release_version(Project(project_dir), CONTRACT, "1.1", EFFECTIVE, today=TODAY)
    _notes_per_item(project_dir, "1.1", f'wachtrij = "{NOTE_QUEUE}"\n')
    _add_categories(project_dir, FAX_ITEM)
    release_version(Project(project_dir), CONTRACT, "1.2", dt.date(2027, 3, 1), today=TODAY)
    _notes_per_item(project_dir, "1.2", f'fax2mail = "{NOTE_FAX}"\n')
    add_customers(project_dir, [customer(1, services=("callcenter", "fax2mail")),
                                customer(2, services=("callcenter",))])
    _build(project_dir, [], version="1.2")

    def plain(cid: str) -> str:
        raw = (project_dir / "build" / "notices" / "1.2" / cid / f"VWO-1.2-{cid}.eml").read_bytes()
        body = BytesParser(policy=default).parsebytes(raw).get_body(preferencelist=("plain",))
        assert body is not None
        return str(body.get_content())

    both, queue_only = plain("C-0001"), plain("C-0002")
    assert f"  Versie 1.1: {NOTE_QUEUE}" in both and f"  Versie 1.2: {NOTE_FAX}" in both
    assert f"verandert. {NOTE_QUEUE}" in queue_only  # one version's note: in the paragraph
    assert NOTE_FAX not in queue_only and "Versie 1.2:" not in queue_only.split("De passages")[0]


def test_the_letter_with_its_bijlage_1_table_and_the_narrowed_redline_conform(
        per_item_project: Path) -> None:
    from tests.pdf_conformance import assert_conformant

    summary = _build(per_item_project, [])
    # C-0002's letter once had a content stream ending in CR (render/stream_ends.py handles it)
    for cid in ("C-0002", "C-0003"):
        letter = (per_item_project / OUT / cid / f"brief-VWO-1.1-{cid}.pdf").read_bytes()
        assert_conformant(letter)  # PDF/A-2b and PDF/UA-1 with the before/after of Bijlage 1
    for path in summary.shared_files:  # every narrowed redline
        assert_conformant(path.read_bytes())
