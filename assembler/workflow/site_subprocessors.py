"""The sub-processor pages of the published site and its Atom feed (art. 4.1).

Layout, beside the version pages (`workflow.site`)::

    subverwerkers/index.html                  the list in use today, and what is announced
    subverwerkers/lijst-<YYYY-MM-DD>.html     every earlier list, dated by the day it changed
    subverwerkers/wijzigingen/<id>.html       a summary per change (an addition or replacement)
    subverwerkers/wijzigingen/<id>-verwijderd.html   a removal without a replacement
    subverwerkers.xml                         the changes as an Atom feed (RFC 4287), newest first

Every link is relative, so the pages work from ``file://`` and any web server; the feed's links
are relative to the feed, as RFC 4287 (xml:base, RFC 3986) resolves them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlsplit

from assembler.agreement.project import Project
from assembler.dutch import format_date_nl
from assembler.model import Catalogue, Register, SubProcessor
from assembler.render.site_html import SitePages
from assembler.subprocessors.document import entry_nl
from assembler.subprocessors.lint import objection_deadline
from assembler.subprocessors.listing import in_use
from assembler.subprocessors.register import read_register

FEED = "subverwerkers.xml"


@dataclass(frozen=True)
class ChangeEvent:
    """One published change of the list: an entry added (or replacing another), or removed."""

    entry: SubProcessor
    removal: bool
    on: dt.date
    """The day it was published: ``added`` for an addition, ``removed`` for a removal."""

    @property
    def slug(self) -> str:
        """Return the page name: ``<id>`` or ``<id>-verwijderd``."""
        return f"{self.entry.id}-verwijderd" if self.removal else self.entry.id


def change_events(register: Register, today: dt.date) -> list[ChangeEvent]:
    """Return the changes published by `today`, newest first.

    A removal that a replacement announces is part of that replacement's change, not its own.
    """
    replaced = {e.replaces for e in register.entries if e.replaces and e.added <= today}
    events = [ChangeEvent(e, False, e.added) for e in register.entries if e.added <= today]
    events += [ChangeEvent(e, True, e.removed) for e in register.entries
               if e.removed and e.removed <= today and e.id not in replaced]
    return sorted(events, key=lambda ev: (ev.on, ev.slug), reverse=True)


def list_days(register: Register, today: dt.date) -> list[dt.date]:
    """Return the days before today on which the list in use changed, newest first."""
    days = {e.effective for e in register.entries} | {e.removed for e in register.entries if e.removed}
    return sorted((d for d in days if d < today), reverse=True)


def _deadline(ev: ChangeEvent) -> dt.date | None:
    """Return the last day to object to `ev`, announced on the day it was put on the list."""
    return None if ev.removal else objection_deadline(ev.entry.effective, ev.entry.added)


def _summary(ev: ChangeEvent, register: Register) -> str:
    """Return the one-paragraph summary of a change, with its objection window if it had one.

    An entry on the list from the day it took effect had no window (`objection_deadline`):
    its summary names none, rather than one that closed before it opened. The words do not
    depend on today, so a feed entry reads the same once the window has closed.
    """
    e = ev.entry
    if ev.removal:
        return f"{e.name} is vanaf {format_date_nl(e.removed or ev.on)} geen sub-verwerker meer."
    old = register.entry(e.replaces) if e.replaces else None
    instead = f" ter vervanging van {old.name}" if old else ""
    summary = f"{e.name} wordt vanaf {format_date_nl(e.effective)} sub-verwerker{instead}: {e.purpose}."
    deadline = _deadline(ev)
    if deadline is None:
        return summary
    return f"{summary} Bezwaartermijn: tot en met {format_date_nl(deadline)}."


def _feed_id(website: str, ev: ChangeEvent) -> str:
    host = urlsplit(website).hostname or "localhost"
    return f"tag:{host},{ev.entry.added.isoformat()}:subverwerkers/{ev.slug}"


def subprocessor_files(project: Project, contract: str, catalogue: Catalogue, website: str,
                       pages: SitePages, today: dt.date) -> dict[str, str | bytes]:
    """Return the sub-processor pages and the feed (path → content); none without a register."""
    register = read_register(project, contract)
    if not register.entries:
        return {}

    def rows(entries: list[SubProcessor]) -> list[dict[str, str]]:
        return [entry_nl(e, catalogue) for e in entries]

    events = change_events(register, today)
    changes: list[dict[str, object]] = [
        {"slug": ev.slug, "on": ev.on, "removal": ev.removal, "name": ev.entry.name,
         "summary": _summary(ev, register), "entry": entry_nl(ev.entry, catalogue),
         "deadline": _deadline(ev), "feed_id": _feed_id(website, ev)} for ev in events]
    announced = [e for e in register.entries if e.added <= today < e.effective]
    days = list_days(register, today)
    files: dict[str, str | bytes] = {
        "subverwerkers/index.html": pages.subprocessors_index(
            rows(in_use(register, today)), rows(sorted(announced, key=lambda e: e.effective)),
            days, changes),
        FEED: pages.subprocessors_feed(
            changes, f"tag:{urlsplit(website).hostname or 'localhost'},2020:subverwerkers",
            _feed_updated(changes, today)),
    }
    for day in days:
        files[f"subverwerkers/lijst-{day.isoformat()}.html"] = pages.subprocessors_list(
            day, rows(in_use(register, day)))
    for change in changes:
        files[f"subverwerkers/wijzigingen/{change['slug']}.html"] = pages.subprocessor_change(change)
    return files


def _feed_updated(changes: list[dict[str, object]], today: dt.date) -> dt.date:
    days = [c["on"] for c in changes if isinstance(c["on"], dt.date)]
    return max(days) if days else today
