"""The site in headless Chromium (Debian's, driven by Playwright): loads, links, keyboard, print."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

import pytest

from tests.conftest import require_tool

pytestmark = pytest.mark.interop

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    chromium = require_tool("chromium")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield b
        b.close()


class Visit:
    """A page with every console message, page error and failed request recorded."""

    def __init__(self, browser: Any, **options: Any) -> None:
        self.page = browser.new_page(**options)
        self.problems: list[str] = []
        self.page.on("console", lambda m: self.problems.append(f"console {m.type}: {m.text}")
                     if m.type in ("error", "warning") else None)
        self.page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        self.page.on("requestfailed", lambda r: self.problems.append(f"failed: {r.url}"))

    def open(self, url: str) -> Any:
        response = self.page.goto(url)
        assert response is None or response.ok, url
        return self.page


def luminance(rgb: str) -> float:
    channels = [int(c) / 255 for c in rgb[rgb.index("(") + 1 : rgb.index(")")].split(",")[:3]]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(fg: str, bg: str) -> float:
    hi, lo = sorted((luminance(fg), luminance(bg)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_every_page_loads_without_errors_and_every_link_opens(browser: Any, site: Path) -> None:
    visit = Visit(browser)
    seen: set[str] = set()
    todo = [(site / "index.html").as_uri()]
    while todo:
        url = todo.pop()
        if url in seen:
            continue
        seen.add(url)
        if url.endswith(".pdf"):
            # Chromium hands a PDF to its viewer extension; the file itself must be there.
            assert Path(url2pathname(urlsplit(url).path)).is_file(), url
            continue
        page = visit.open(url)
        if not url.endswith(".html"):
            continue
        assert page.locator("html").get_attribute("lang") == "nl"
        for landmark in ("header", "nav", "main", "footer"):
            assert page.locator(landmark).count() == 1, f"{url}: {landmark}"
        assert page.locator("h1").count() == 1, url
        levels = page.eval_on_selector_all("h1, h2, h3, h4, h5, h6",
                                           "els => els.map(e => Number(e.tagName[1]))")
        steps = zip(levels, levels[1:], strict=False)
        assert levels[0] == 1 and all(b <= a + 1 for a, b in steps), url
        for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)"):
            if href.startswith("file://"):
                todo.append(href.split("#", 1)[0])
    assert visit.problems == []
    names = {u.rsplit("/", 2)[-2] + "/" + u.rsplit("/", 1)[-1] for u in seen}
    assert {"versies/1.0.html", "versies/1.2.txt", "versies/1.1.canoniek.txt",
            "versies/1.1.pdf", "wijzigingen/1.0-1.1.html", "wijzigingen/1.1-1.2.html"} <= names
    assert len(seen) >= 10


def assert_skip_link_works(page: Any) -> None:
    """Assert the first Tab lands on the skip link, shown on screen, and Enter moves to the content."""
    page.keyboard.press("Tab")
    focused = page.evaluate("""() => { const e = document.activeElement, s = getComputedStyle(e),
        r = e.getBoundingClientRect();
        return {text: e.textContent, left: r.left, width: r.width, outline: s.outlineStyle}; }""")
    assert focused["text"] == "Naar de inhoud"
    assert focused["left"] >= 0 and focused["width"] > 0
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "inhoud"


def site_pages(site: Path) -> list[Path]:
    """Return every HTML page of the site, at any depth."""
    return sorted(site.rglob("*.html"))


def test_screenshot_keyboard_and_contrast(browser: Any, site: Path, tmp_path: Path) -> None:
    visit = Visit(browser, viewport={"width": 1100, "height": 900})
    page = visit.open((site / "index.html").as_uri())
    shot = tmp_path / "index.png"
    page.screenshot(path=str(shot), full_page=True)
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 10_000

    assert_skip_link_works(page)
    page.keyboard.press("Tab")
    ring = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert ring == "solid"

    colours = page.evaluate("""() => ['body', 'a', '.site-owner', '.lead', 'caption', 'footer']
        .map(sel => getComputedStyle(document.querySelector(sel)).color)""")
    background = page.evaluate("getComputedStyle(document.documentElement).backgroundColor")
    for colour in colours:
        assert contrast(colour, background) >= 4.5, colour  # WCAG AA for body text
    assert visit.problems == []


def test_print_hides_navigation_and_keeps_the_text(browser: Any, site: Path) -> None:
    visit = Visit(browser)
    page = visit.open((site / "versies" / "1.1.html").as_uri())
    page.emulate_media(media="print")
    assert not page.locator("nav").is_visible()
    assert page.locator("#lid-7\\.1").is_visible()
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF") and len(pdf) > 20_000


def test_hash_link_highlights_the_version(browser: Any, site: Path, three_versions: Path) -> None:
    manifest = (three_versions / "versions" / "verwerkersovereenkomst" / "1.0.toml").read_text()
    sha = manifest.split('sha256 = "', 1)[1][:64]
    visit = Visit(browser)
    page = visit.open((site / "index.html").as_uri() + f"#sha256-{sha}")
    row = page.locator(f"#sha256-{sha}")
    assert row.locator("th").inner_text() == "1.0"
    background = row.evaluate("e => getComputedStyle(e).backgroundColor")
    assert background != "rgba(0, 0, 0, 0)"


def test_redline_page_shows_the_known_change(browser: Any, site: Path, tmp_path: Path) -> None:
    visit = Visit(browser, viewport={"width": 1000, "height": 900})
    page = visit.open((site / "versies" / "1.1.html").as_uri())
    page.get_by_role("link", name="Bekijk alle wijzigingen in de tekst").click()
    assert page.url.endswith("/wijzigingen/1.0-1.1.html")
    deleted = page.locator("del").filter(has_text="achtenveertig (48)")
    inserted = page.locator("ins").filter(has_text="vierentwintig (24)")
    assert deleted.count() == 1 and inserted.count() == 1
    assert deleted.evaluate("e => getComputedStyle(e).textDecorationLine") == "line-through"
    assert inserted.evaluate("e => getComputedStyle(e).textDecorationLine") == "underline"
    assert inserted.evaluate("e => getComputedStyle(e).color") == "rgb(11, 93, 30)"  # the marks' CSS
    inserted.scroll_into_view_if_needed()
    shot = tmp_path / "redline.png"
    page.screenshot(path=str(shot))
    assert shot.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    page.get_by_role("link", name="Alle versies").click()
    assert page.url.endswith("/index.html")
    assert visit.problems == []


def test_the_redline_page_has_the_skip_link(browser: Any, site: Path) -> None:
    visit = Visit(browser, viewport={"width": 1000, "height": 900})
    page = visit.open((site / "wijzigingen" / "1.0-1.1.html").as_uri())
    assert_skip_link_works(page)
    assert visit.problems == []


def test_every_page_reflows_at_320_css_px(browser: Any, site: Path) -> None:
    """WCAG 1.4.10: at 320 CSS px wide no page scrolls sideways (long compounds break)."""
    visit = Visit(browser, viewport={"width": 320, "height": 640})
    pages = site_pages(site)
    assert len(pages) >= 5
    assert {"wijzigingen/1.0-1.1.html", "wijzigingen/1.1-1.2.html"} <= \
        {p.relative_to(site).as_posix() for p in pages}
    for path in pages:
        page = visit.open(path.as_uri())
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 320, f"{path.relative_to(site)} is {width} px wide at 320"
        if path.parent.name == "wijzigingen" and path.parent.parent == site:
            # The margin bar of a changed paragraph stays on screen, inside the page.
            left = page.eval_on_selector_all(".bar", "els => Math.min(...els.map("
                                             "e => e.getBoundingClientRect().left))")
            assert left >= 0, f"{path.relative_to(site)}: the margin bar is cut off"


LAYOUT = """() => ({
    sheets: [...document.styleSheets].map(s => s.href && s.href.split('/').pop()),
    inline: document.querySelectorAll('style, [style]').length,
    first: document.querySelector('body > *').outerHTML,
    site: document.querySelector('header .site-name').textContent,
    owner: document.querySelector('header .site-owner').textContent,
    menu: [...document.querySelectorAll('nav[aria-label="Hoofdmenu"] a')].map(a => a.textContent),
    footer: document.querySelector('footer').innerText,
    font: getComputedStyle(document.body).fontFamily,
})"""


def test_every_page_shares_the_one_layout(browser: Any, site: Path) -> None:
    """Same stylesheet, skip link, header, menu and footer on every page, the redline included."""
    visit = Visit(browser)
    layouts = {}
    for path in site_pages(site):
        layout = visit.open(path.as_uri()).evaluate(LAYOUT)
        assert layout["sheets"] == ["stijl.css"] and layout["inline"] == 0, path
        layouts[path.relative_to(site).as_posix()] = layout
    first = layouts["index.html"]
    assert first["first"] == '<a class="skip" href="#inhoud">Naar de inhoud</a>'
    for name, layout in layouts.items():
        assert layout == first, f"{name} does not share the layout of index.html"
    assert visit.problems == []
