"""The published sub-processor list: current and earlier lists, a page per change, the Atom feed."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit
from urllib.request import url2pathname

import feedparser
import pytest

from tests.workflow.helpers import page_text, site_on
from tests.workflow.test_site_browser import Visit, browser  # noqa: F401

TODAY_ANNOUNCED = "voorbeeld-transcriptie"
"""Added to the shipped register on 2026-12-01, effective 2027-01-11."""


@pytest.fixture(scope="module")
def site(three_versions: Path) -> Path:
    """The site as on 2026-12-02, when two changes of the shipped register are announced."""
    out = three_versions.parent / "site-subverwerkers"
    result = site_on(three_versions, out, "2026-12-02")
    assert result.exit_code == 0, result.output
    return out


def text(path: Path) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page_text(path)))


def test_the_current_list_the_announced_change_and_earlier_lists(site: Path) -> None:
    index = text(site / "subverwerkers" / "index.html")
    assert "Voorbeeld Hosting B.V." in index and "Nederland en Duitsland" in index
    assert "Aangekondigd" in index and "Voorbeeld Spraakanalyse Ltd." in index
    assert "EU-VS-kader voor gegevensbescherming" in index
    earlier = sorted(p.name for p in (site / "subverwerkers").glob("lijst-*.html"))
    assert earlier == ["lijst-2020-01-01.html", "lijst-2021-04-01.html"]
    assert "Voorbeeld Mobiel Netwerk" not in text(site / "subverwerkers" / "lijst-2020-01-01.html")
    assert "Voorbeeld Mobiel Netwerk" in text(site / "subverwerkers" / "lijst-2021-04-01.html")
    change = text(site / "subverwerkers" / "wijzigingen" / f"{TODAY_ANNOUNCED}.html")
    assert "Bezwaartermijn: tot en met 10 januari 2027." in change
    assert "U kunt tot en met 10 januari 2027, de dag vóór de ingangsdatum, bezwaar maken" in change
    assert "opzegtermijn van één dag (artikel 4.2)" in change


def test_the_feed_is_valid_atom_and_its_links_resolve(site: Path) -> None:
    feed_path = site / "subverwerkers.xml"
    feed = feedparser.parse(feed_path.read_bytes(),
                            response_headers={"content-type": "application/atom+xml"})
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert feed.feed.title == "Sub-verwerkers van VoIP Express (Focused2Create)"
    titles = [e.title for e in feed.entries]
    assert "Nieuwe sub-verwerker: Voorbeeld Spraakanalyse Ltd." in titles
    assert len({e.id for e in feed.entries}) == len(feed.entries)
    assert [e.updated for e in feed.entries] == sorted((e.updated for e in feed.entries), reverse=True)
    for link in [feed.feed.link] + [e.link for e in feed.entries]:
        assert "://" not in link, link  # relative to the feed, so the site can move
        target = Path(url2pathname(urlsplit(urljoin(feed_path.as_uri(), link)).path))
        assert target.is_file(), link


@pytest.mark.interop
def test_the_pages_and_the_feed_open_in_the_browser(browser: Any, site: Path) -> None:  # noqa: F811
    visit = Visit(browser)
    page = visit.open((site / "index.html").as_uri())
    page.click("text=Sub-verwerkers")
    assert page.locator("h1").inner_text() == "Sub-verwerkers"
    hrefs = page.eval_on_selector_all("main a[href]", "els => els.map(e => e.href)")
    assert any(h.endswith("/subverwerkers.xml") for h in hrefs)
    for href in hrefs:
        visit.open(href)
    assert visit.problems == []
    assert len(hrefs) >= 8


def test_no_objection_window_closes_before_it_opened(site: Path) -> None:
    """Entries on the list from the day they took effect (added == effective) had no window."""
    index = text(site / "subverwerkers" / "index.html")
    feed = page_text(site / "subverwerkers.xml")
    hosting = ("Voorbeeld Hosting B.V. wordt vanaf 1 januari 2020 sub-verwerker: Hosting van de "
               "telefooncentrale en opslag van gespreksopnamen.")
    for published in (index, feed):
        assert hosting in published
        assert "31 december 2019" not in published
    entry = re.search(r"<summary>(Voorbeeld Hosting B\.V\.[^<]*)</summary>", feed)
    assert entry is not None and "Bezwaar" not in entry.group(1)
    page = text(site / "subverwerkers" / "wijzigingen" / "voorbeeld-hosting.html")
    assert "Bezwaar" not in page and "bezwaar" not in page
    # an addition announced a month ahead had its window, now closed: said in the past tense
    mobile = text(site / "subverwerkers" / "wijzigingen" / "voorbeeld-mobiel-netwerk.html")
    assert "Bezwaartermijn: tot en met 31 maart 2021." in mobile
    assert "Bezwaar tegen deze wijziging was mogelijk tot en met 31 maart 2021" in mobile
    assert "U kunt tot en met" not in mobile


def test_the_feed_binds_dates_in_its_text_only(site: Path) -> None:
    """Titles and summaries get U+00A0 (as &#160;: XML has no &nbsp;); ids, dates and links none."""
    raw = (site / "subverwerkers.xml").read_text(encoding="utf-8")
    assert "wordt vanaf 1&#160;januari&#160;2020 sub-verwerker" in raw
    assert "(artikel&#160;4.1 van de" in raw
    assert "&nbsp;" not in raw
    machine = re.findall(r"<(?:id|updated)>[^<]*</(?:id|updated)>|<link [^>]*>", raw)
    assert machine and not [m for m in machine if "&#160;" in m or "\u00a0" in m]
    feed = feedparser.parse(raw.encode("utf-8"),
                            response_headers={"content-type": "application/atom+xml"})
    assert not feed.bozo, feed.get("bozo_exception")
    hosting = next(e for e in feed.entries if "Voorbeeld Hosting" in e.summary)
    assert "vanaf 1\u00a0januari\u00a02020" in hosting.summary
    page = (site / "subverwerkers" / "index.html").read_text(encoding="utf-8")
    assert "vanaf 1&nbsp;januari&nbsp;2020" in page
