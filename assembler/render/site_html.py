"""The pages of the published site, from Jinja2 templates with autoescape (through `jinja_env`).

Every text from the agreement, the manifests and the configuration is escaped by the template
engine; markup comes only from the templates in render/templates/site/ and from `spans_html`.
The text of every page and of the feed's titles and summaries gets its no-break spaces last
(`render.typography`), outside tags, attributes and ``code``/``pre``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from assembler.dutch import format_date_nl
from assembler.model import TOELICHTING_TODO, Paragraph, PublishedVersion, Redline
from assembler.render.jinja_env import Environment, Markup, environment, escape
from assembler.render.plain_text import annex_block_text
from assembler.render.redline_html import (
    MARK_VARIABLES,
    MARKS_CSS,
    blocks_html,
    redline_title,
    summary_html,
)
from assembler.render.typography import keep_together_feed, keep_together_html

TEMPLATES = Path(__file__).resolve().parent / "templates" / "site"
STYLESHEET = "stijl.css"

_STATE = {
    "in_force": "van kracht",
    "announced": "aangekondigd",
    "superseded": "vervangen per {until}",
    "withdrawn": "ingetrokken",
}


def spans_html(paragraph: Paragraph) -> Markup:
    """Return a paragraph's spans as HTML: emphasis as ``<em>``, strong as ``<strong>``."""
    out = Markup()
    for span in paragraph.spans:
        if span.style == "em":
            out += Markup("<em>{}</em>").format(span.text)
        elif span.style == "strong":
            out += Markup("<strong>{}</strong>").format(span.text)
        else:
            out += escape(span.text)
    return out


def state_nl(v: PublishedVersion) -> str:
    """Return a version's status in Dutch: "van kracht", "vervangen per 1 januari 2026"."""
    if v.state == "superseded" and v.until is None:
        return "vervangen"
    return _STATE[v.state].format(until=format_date_nl(v.until) if v.until else "")


def part_nl(part: str) -> str:
    """Return a toelichting key as a reader names it: "7" → "Artikel 7", "bijlage-1" → "Bijlage 1"."""
    if part.isdigit():
        return f"Artikel {part}"
    return part.replace("-", " ").capitalize()


def published_notes(toelichting: dict[str, str]) -> list[tuple[str, str]]:
    """Return the explanations to publish, articles in numeric order then annexes; no TODO markers."""
    written = [(k, v.strip()) for k, v in toelichting.items()
               if v.strip() and TOELICHTING_TODO not in v]
    return sorted(written, key=lambda kv: (not kv[0].isdigit(), int(kv[0]) if kv[0].isdigit() else 0,
                                           kv[0]))


def published_item_notes(v: PublishedVersion) -> list[tuple[str, str]]:
    """Return the Bijlage 1 notes per catalogue item as (label, note), in the order legal wrote them.

    The site is read by every customer, so it shows every item's note, each under the label the
    customer knows from their own Bijlage 1 (the id when the item left the catalogue).
    """
    cat = v.agreement.catalogue
    labels = {s.id: s.label for s in cat.services}
    labels |= {i.id: i.label for i in (*cat.data_categories, *cat.data_subjects)}
    return [(labels.get(k, k), n.strip()) for k, n in v.version.annex_toelichting.items()
            if n.strip() and TOELICHTING_TODO not in n]


def _environment() -> Environment:
    env = environment(TEMPLATES, trim=True)
    env.filters["date_nl"] = format_date_nl
    env.filters["state_nl"] = state_nl
    env.filters["part_nl"] = part_nl
    env.globals["spans"] = spans_html
    env.globals["block_text"] = annex_block_text
    return env


class SitePages:
    """Renders the site's pages; one Jinja2 environment, templates compiled once."""

    def __init__(self, site: dict[str, Any]) -> None:
        self.site = site
        self._env = _environment()

    def index(self, versions: list[PublishedVersion]) -> str:
        """Return index.html: the current version, every version, how to check a hash."""
        current = next((v for v in versions if v.state == "in_force"), None)
        announced = [v for v in versions if v.state == "announced"]
        return self._page("index.html", root="", page="index", versions=versions,
                          current=current, announced=announced)

    def version(self, v: PublishedVersion, changes: list[str]) -> str:
        """Return versies/<n>.html: status, documents, what changed, toelichting and full text."""
        return self._page("version.html", root="../", page=f"version-{v.version.number}", v=v,
                          changes=changes, notes=published_notes(v.version.toelichting),
                          item_notes=published_item_notes(v))

    def redline(self, v: PublishedVersion, redline: Redline) -> str:
        """Return wijzigingen/<a>-<b>.html: the HTML redline in the site's layout.

        The summary and the marked text are the HTML redline's own (`redline_html`), escaped
        there; the page around them is the site's template, as on every other page.
        """
        return self._page("redline.html", root="../", page="redline", v=v,
                          title=redline_title(redline),
                          summary=Markup("\n".join(summary_html(redline))),
                          blocks=Markup("\n".join(blocks_html(redline))))

    def subprocessors_index(self, current: list[dict[str, str]], announced: list[dict[str, str]],
                            days: list[dt.date], changes: list[dict[str, Any]]) -> str:
        """Return subverwerkers/index.html: the list in use, what is announced, earlier lists, changes."""
        return self._page("subverwerkers.html", root="../", page="subverwerkers", current=current,
                          announced=announced, days=days, changes=changes)

    def subprocessors_list(self, day: dt.date, entries: list[dict[str, str]]) -> str:
        """Return subverwerkers/lijst-<day>.html: the list in use on an earlier day."""
        return self._page("subverwerkers_lijst.html", root="../", page="subverwerkers-lijst",
                          day=day, entries=entries)

    def subprocessor_change(self, change: dict[str, Any]) -> str:
        """Return subverwerkers/wijzigingen/<slug>.html: the summary of one change."""
        return self._page("subverwerker_wijziging.html", root="../../",
                          page="subverwerker-wijziging", change=change)

    def subprocessors_feed(self, changes: list[dict[str, Any]], feed_id: str, updated: dt.date) -> str:
        """Return subverwerkers.xml: the changes of the list as an Atom feed (RFC 4287)."""
        return keep_together_feed(self._env.get_template("subverwerkers.xml").render(
            site=self.site, changes=changes, feed_id=feed_id, updated=updated))

    def _page(self, template: str, **context: Any) -> str:
        """Return page `template` rendered, its text with no-break spaces (`keep_together_html`).

        A reader's line must not end in "28" and go on with "november 2026", nor split "48 uur",
        "art. 7" or "versie 1.1": the same bindings as the PDFs, the DOCX and the e-mails.
        """
        page = self._env.get_template(template).render(site=self.site, **context)
        return keep_together_html(page)

    def stylesheet(self) -> str:
        """Return the site's one stylesheet, the redline's marks included (`redline_html`)."""
        own = (TEMPLATES / STYLESHEET).read_text(encoding="utf-8")
        return (f"{own}\n/* The redline's marks: the same as in the HTML redline "
                f"(render/redline_html.py). */\n{MARK_VARIABLES}{MARKS_CSS}")
