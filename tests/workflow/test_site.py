"""`assembler site`: the files, the links, the hashes, escaping, and a safe replacement of the output."""

from __future__ import annotations

import hashlib
import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

from assembler.dutch import format_date_nl, today_nl
from assembler.render.site_html import published_notes
from tests.conftest import CONTRACT, require_tool
from tests.workflow.helpers import cli, commit_all, edit, page_text, release, site_on


class Links(HTMLParser):
    """Collect href/src attributes and the ids of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.refs: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src") and value:
                self.refs.append(value)
            if name == "id" and value:
                self.ids.add(value)


def parse(path: Path) -> Links:
    links = Links()
    links.feed(path.read_text(encoding="utf-8"))
    return links


def pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def test_site_has_every_version_with_its_documents(site: Path) -> None:
    for n in ("1.0", "1.1", "1.2"):
        for suffix in (".html", ".txt", ".canoniek.txt"):
            assert (site / "versies" / f"{n}{suffix}").is_file()
    index = page_text(site / "index.html")
    assert "Sinds 1 januari 2026 geldt <strong>versie 1.1</strong>." in index
    assert 'Aangekondigd: <a href="versies/1.2.html">versie 1.2</a> gaat in op 1 februari 2027.' in index
    rows = re.findall(r'<tr id="sha256-([0-9a-f]{64})">.*?<td>([^<]*)</td>\s*<td>', index, re.S)
    assert [state for _, state in rows] == ["aangekondigd", "van kracht", "vervangen per 1 januari 2026"]
    assert 'lang="nl"' in index
    for pair in ("1.0-1.1", "1.1-1.2"):
        assert f'href="wijzigingen/{pair}.html"' in index
        assert (site / "wijzigingen" / f"{pair}.html").is_file()
    assert not (site / "wijzigingen" / "1.0-1.2.html").exists()


def test_version_page_says_what_changed(site: Path) -> None:
    page = page_text(site / "versies" / "1.1.html")
    changed = page[page.index('<h2 id="gewijzigd">'):page.index('<h2 id="toelichting">')]
    assert "Wat is er gewijzigd ten opzichte van versie 1.0" in changed
    assert re.findall(r"<li>(.*?)</li>", changed) == ["Artikel 7.1 gewijzigd"]
    assert '<a href="../wijzigingen/1.0-1.1.html">' in changed
    assert "Datalekken melden wij voortaan binnen 24 uur." in page
    assert 'id="gewijzigd"' not in page_text(site / "versies" / "1.0.html")


def test_redline_page_is_the_html_redline_in_the_sites_layout(site: Path) -> None:
    page = page_text(site / "wijzigingen" / "1.1-1.2.html")
    assert "<h1>Wijzigingen Verwerkersovereenkomst VoIP Express: versie 1.1 → versie 1.2</h1>" in page
    text = page[page.index('aria-label="Volledige tekst met wijzigingen"'):]
    assert "louter" in re.sub(r"<[^>]+>", "", text.split("<del>", 1)[1].split("</del>", 1)[0])
    assert "uitsluitend" in re.sub(r"<[^>]+>", "", text.split("<ins>", 1)[1].split("</ins>", 1)[0])
    assert page.index('<nav aria-label="Hoofdmenu"') < page.index("<h1>") < page.index("<footer")
    assert '<a href="../index.html">Alle versies</a>' in page
    assert '<a class="skip" href="#inhoud">Naar de inhoud</a>' in page
    assert '<link rel="stylesheet" href="../stijl.css">' in page and "<style>" not in page
    assert '<a href="../versies/1.1.html">versie 1.1</a>' in page
    css = (site / "stijl.css").read_text(encoding="utf-8")
    assert "ins { color: var(--ins)" in css and "--ins: #0b5d1e" in css  # the marks, once


def test_canonical_text_has_the_pinned_hash(site: Path, three_versions: Path) -> None:
    for manifest in sorted((three_versions / "versions" / CONTRACT).glob("*.toml")):
        pinned = re.search(r'sha256 = "([0-9a-f]{64})"', manifest.read_text()).group(1)  # type: ignore[union-attr]
        canonical = (site / "versies" / f"{manifest.stem}.canoniek.txt").read_bytes()
        assert hashlib.sha256(canonical).hexdigest() == pinned
        page = page_text(site / "versies" / f"{manifest.stem}.html")
        assert pinned in page
        assert f"sha256-{pinned}" in parse(site / "index.html").ids


def test_every_link_is_relative_and_resolves(site: Path) -> None:
    checked = 0
    for page in pages(site):
        for ref in parse(page).refs:
            parts = urlsplit(ref)
            if parts.scheme == "mailto":
                continue
            assert not parts.scheme and not parts.netloc, f"{page.name}: external {ref}"
            target = (page.parent / parts.path).resolve() if parts.path else page
            assert target.is_file(), f"{page.relative_to(site)}: {ref} does not exist"
            assert site.resolve() in target.parents, f"{page.name}: {ref} leaves the site"
            if parts.fragment and target.suffix == ".html":
                assert parts.fragment in parse(target).ids, f"{page.name}: {ref} has no anchor"
            checked += 1
    assert checked > 20


def test_texts_from_manifests_and_clauses_are_escaped(site: Path) -> None:
    page = page_text(site / "versies" / "1.2.html")
    assert "Verduidelijking: &lt;uitsluitend&gt; &amp; niet &#34;louter&#34;." in page
    assert "<uitsluitend>" not in page
    v11 = page_text(site / "versies" / "1.1.html")
    assert "binnen vierentwintig (24) uur" in v11
    assert "binnen vierentwintig (24) uur" not in page_text(site / "versies" / "1.0.html")


def test_same_input_gives_identical_files(site: Path, three_versions: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    assert site_on(three_versions, again).exit_code == 0
    first = {p.relative_to(site): p.read_bytes() for p in site.rglob("*") if p.is_file()}
    second = {p.relative_to(again): p.read_bytes() for p in again.rglob("*") if p.is_file()}
    assert first == second


def test_rebuild_replaces_the_previous_site(three_versions: Path, tmp_path: Path) -> None:
    out = tmp_path / "public"
    assert site_on(three_versions, out, "2026-06-01").exit_code == 0
    (out / "versies" / "0.9.html").write_text("stale")
    result = site_on(three_versions, out, "2027-03-01")
    assert result.exit_code == 0, result.output
    assert not (out / "versies" / "0.9.html").exists()
    assert "Sinds 1 februari 2027 geldt <strong>versie 1.2</strong>." in page_text(out / "index.html")
    assert result.stdout.splitlines()[0].split() == ["1.2", "in_force", "effective", "2027-02-01",
                                                     "sha256", result.stdout.split()[5]]
    assert [p.name for p in tmp_path.iterdir()] == ["public"]  # no temporary folders left behind


def test_refuses_to_replace_a_folder_it_did_not_write(three_versions: Path, tmp_path: Path) -> None:
    out = tmp_path / "documents"
    out.mkdir()
    (out / "contract.docx").write_bytes(b"precious")
    proc = cli(three_versions, "site", "-o", str(out))
    assert proc.returncode == 2
    assert proc.stderr == (f"assembler: error: {out}: exists and is not a site written by "
                           "`assembler site`; choose an empty or new folder\n")
    assert (out / "contract.docx").read_bytes() == b"precious"
    assert [p.name for p in out.iterdir()] == ["contract.docx"]


def test_each_version_has_its_generic_pdf(site: Path) -> None:
    pdftotext = require_tool("pdftotext")
    for n, effective, clause in (("1.0", "25 mei 2018", "achtenveertig (48) uur"),
                                 ("1.1", "1 januari 2026", "vierentwintig (24) uur")):
        pdf = site / "versies" / f"{n}.pdf"
        assert pdf.read_bytes().startswith(b"%PDF-")
        text = subprocess.run([pdftotext, "-layout", str(pdf), "-"], capture_output=True, text=True,
                              check=True).stdout
        assert f"Versie {n}, geldend vanaf {effective}" in text
        assert clause in " ".join(text.split())
        assert "Bijlage 1: Specificatie persoonsgegevens en betrokkenen" in text
        assert "Ondertekening" not in text  # no customer, nothing to sign
    index = page_text(site / "index.html")
    assert 'href="versies/1.1.pdf">Download versie 1.1 als PDF</a>' in index


def test_clause_text_reaches_the_pdf_as_text_not_markup(project_dir: Path, tmp_path: Path) -> None:
    pdftotext = require_tool("pdftotext")
    edit(project_dir, "07-datalekken.md", "binnen achtenveertig (48) uur",
         'binnen #read("/etc/hostname") uur')
    release(project_dir, "1.1", "2027-02-01", {"7": "Test."})
    commit_all(project_dir, "1.1")
    out = tmp_path / "site"
    result = site_on(project_dir, out)
    assert result.exit_code == 0, result.output
    text = subprocess.run([pdftotext, str(out / "versies" / "1.1.pdf"), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert '#read("/etc/hostname")' in text


def test_unwritten_explanations_are_not_published() -> None:
    notes = {"10": "Tien.", "7": "Zeven.", "bijlage-1": "Bijlage.", "3": "TODO: toelichting invullen",
             "2": "  "}
    assert published_notes(notes) == [("7", "Zeven."), ("10", "Tien."), ("bijlage-1", "Bijlage.")]


def test_bijlage_1_notes_per_item_are_published_under_their_label(tmp_path: Path) -> None:
    from assembler.agreement.project_copy import copy_project
    from tests.conftest import ROOT, TEST_AUTHOR

    project = tmp_path / "project"
    copy_project(ROOT, project, author=TEST_AUTHOR)
    catalogue = project / "contracts" / CONTRACT / "bijlage-1.toml"
    catalogue.write_text(catalogue.read_text(encoding="utf-8").replace(
        "[[data_subjects]]", '[[data_categories]]\nid = "gespreksopnamen"\nlabel = "Gespreksopnamen"\n'
        'services = ["gespreksopname"]\n\n[[data_subjects]]', 1), encoding="utf-8")
    note = "Voor de dienst Gespreksopname staan de opgenomen gesprekken voortaan in Bijlage 1."
    release(project, "1.1", "2027-02-01", {"bijlage-1:gespreksopnamen": note})
    commit_all(project, "v1.1")
    result = site_on(project, tmp_path / "site")
    assert result.exit_code == 0, result.output
    page = page_text(tmp_path / "site" / "versies" / "1.1.html")
    assert f"<dt>Bijlage 1: Gespreksopnamen</dt><dd>{note}</dd>" in page
    assert "gespreksopnamen</dt>" not in page  # the label, never the id


def test_the_site_is_dated_by_the_real_clock_and_takes_no_today(three_versions: Path,
                                                                tmp_path: Path) -> None:
    before = today_nl()
    proc = cli(three_versions, "site", "-o", str(tmp_path / "site"))
    assert proc.returncode == 0, proc.stderr
    days = {format_date_nl(before), format_date_nl(today_nl())}  # a run across midnight: either
    footer = re.search(r"Stand per ([^.]*)\.", page_text(tmp_path / "site" / "index.html"))
    assert footer is not None and footer.group(1) in days
    backdated = cli(three_versions, "site", "-o", str(tmp_path / "old"), "--today", "2026-11-28")
    assert backdated.returncode == 2
    assert backdated.stderr.splitlines() == ["assembler: error: No such option '--today'. (see "
                                             "`assembler site -h`)"]
    assert not (tmp_path / "old").exists()


def test_the_pages_keep_dates_numbers_and_references_on_one_line(site: Path) -> None:
    """The same no-break spaces as the PDFs and e-mails, in the text only: never in a tag."""
    index = (site / "index.html").read_text(encoding="utf-8")
    assert "Sinds 1&nbsp;januari&nbsp;2026 geldt <strong>versie&nbsp;1.1</strong>." in index
    assert "Sinds 1 januari" not in index
    assert "<pre><code>sha256sum versies/1.1.canoniek.txt</code></pre>" in index  # copied, run
    v11 = (site / "versies" / "1.1.html").read_text(encoding="utf-8")
    assert "binnen vierentwintig&nbsp;(24)&nbsp;uur" in v11
    assert "Wat is er gewijzigd ten opzichte van versie&nbsp;1.0" in v11
    assert "Artikel&nbsp;7.1 " in v11
    for page in pages(site):
        html = page.read_text(encoding="utf-8")
        assert "\u00a0" not in html  # written as an entity: plain ASCII, whatever the charset
        tags = re.findall(r"<[^>]*>", html)
        assert tags and not [t for t in tags if "&nbsp;" in t], page  # no URL or attribute
    for text in site.rglob("*.txt"):  # the texts as read and hashed keep ordinary spaces
        assert "\u00a0" not in text.read_text(encoding="utf-8") and "&nbsp;" not in text.read_text()
