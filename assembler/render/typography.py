"""Typography for the renderers: what a line break must not separate.

The text itself (the canonical text a version's SHA-256 covers, the plain-text e-mail, the CLI's
output) keeps ordinary spaces; the typeset documents (every PDF from Typst, the contract DOCX,
the HTML part of an e-mail, the pages and feed of the published site) get the same words with a
no-break space (U+00A0) where a break would read wrong. Typst, Word and browsers all keep such a
space's neighbours on one line, and text extracted from the PDF still reads as words separated by
white space.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from functools import lru_cache
from typing import Any

NBSP = "\u00a0"
METADATA_KEYS = frozenset({"keywords", "pdf_keywords", "signing_keywords", "description",
                           "pdf_description"})
"""The data keys whose values the templates write only into document metadata, never on a page."""

_MONTHS = "januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december"
_UNITS = ("seconden?|minuut|minuten|uur|uren|(?:werk|kalender)?dag(?:en)?|weken|week|maand(?:en)?"
          "|jaar|jaren|procent|euro")
_NUMBER_WORD = (r"(?:één|een|[a-zà-ÿ]*(?:twee|drie|vier|vijf|zes|zeven|acht|negen|tien|elf|twaalf"
                r"|tig|honderd|duizend))")
"""A Dutch number written out: "één", "twaalf", "achtenveertig", "vierentwintig".

A false match ("zelf", "nacht") only binds two words that could have shared a line anyway."""

_MONTH = re.compile(rf"\b(?:{_MONTHS})\b")
_SPACE_PAREN = re.compile(r" \(")
_BINDINGS: tuple[tuple[re.Pattern[str], re.Pattern[str]], ...] = (
    # "(VI) Wachtwoord": an enumeration numeral belongs to its item (art. 7.3, Bijlage 1's lists).
    (re.compile(r"\) "), re.compile(r"(\([IVXLCDM]+\)) (?=\S)")),
    # "1 december 2026": a Dutch date is one unit (day, month and year on one line).
    (_MONTH, re.compile(rf"\b(\d{{1,2}}) (?=(?:{_MONTHS})\b)")),
    (_MONTH, re.compile(rf"\b({_MONTHS}) (?=\d{{4}}\b)")),
    # "achtenveertig (48)", "1 (één)": the two spellings of one number.
    (_SPACE_PAREN, re.compile(rf"\b({_NUMBER_WORD}) (?=\(\d+\))")),
    (_SPACE_PAREN, re.compile(rf"(\d) (?=\({_NUMBER_WORD}\))")),
    # "48 uur", "30 dagen", "10.00 uur", "(48) uur", "(één) dag", "één maand": a number and its unit.
    (re.compile(rf" (?:{_UNITS})\b"),
     re.compile(rf"(\d|\(\d+\)|\({_NUMBER_WORD}\)|\b{_NUMBER_WORD}) (?=(?:{_UNITS})\b)")),
    # "art. 11.2", "artikel 7", "lid 3", "Bijlage 1", "versie 1.1", "KvK 58801944", "€ 10":
    # a reference or an amount and its number.
    (re.compile(r" \d"),
     re.compile(r"((?i:\b(?:art\.|artikelen|artikel|lid|bijlage|versie|kvk-nummer:?|kvk:?))|€|\bEUR)"
                r" (?=\d)")),
)
"""(guard, pattern): each pattern's group 1 is what comes before an ordinary space that must not
break. The guard finds what every match of its pattern needs (the space after a parenthesis, a
month, a unit after a space, a digit after a space): a text without it is not searched with the
pattern (a third to half less time on the texts of a notice run). Spaces only ever become
no-break spaces, so a guard that fails on the text at its turn would have failed on the original."""


@lru_cache(maxsize=16384)
def keep_together(text: str) -> str:
    """Return `text` with a no-break space wherever a line break would split one unit of meaning.

    A Dutch law firm's letter never ends a line with "1" and starts the next with "december
    2026", nor splits "48 / uur", "art. / 11.2", "artikel / 7", "Bijlage / 1", "versie / 1.1",
    "KvK / 58801944", "€ / 10", "achtenveertig / (48)", "1 (één) / dag" or an enumeration
    numeral "(VI) / Wachtwoord" from its item. Only spaces change, never a word; the patterns
    are in `_BINDINGS`. Cached: the text of a version is the same for thousands of customers.
    """
    if " " not in text:  # most values of the data: nothing to bind
        return text
    for guard, pattern in _BINDINGS:
        if guard.search(text):
            text = pattern.sub(rf"\1{NBSP}", text)
    return text


def keep_together_in(data: Any, plain: Collection[str] = ()) -> Any:
    """Return JSON-like `data` with `keep_together` applied to every string in it.

    Values under a dict key in `plain` stay as they are: document metadata (keywords, the
    description) is read by machines and searched for, not typeset.
    """
    if isinstance(data, str):
        return keep_together(data)
    if isinstance(data, dict):
        return {k: v if k in plain else keep_together_in(v, plain) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [keep_together_in(v, plain) for v in data]
    return data


_TAG = re.compile(r"(<[^>]*>)")
_VERBATIM = re.compile(r"<(code|pre|kbd|samp|script|style)\b[^>]*>.*?</\1\s*>", re.S | re.I)
"""Elements whose text is copied or run, not read: a command, a hash, a style sheet."""


def _bind_text(document: str, entity: str) -> str:
    pieces = _TAG.split(document)
    return "".join(p if i % 2 else keep_together(p).replace(NBSP, entity)
                   for i, p in enumerate(pieces))


def keep_together_html(document: str) -> str:
    """Return an HTML `document` with `keep_together` applied to its text, written ``&nbsp;``.

    Only the text between tags changes (attributes and addresses are left alone); the entity
    keeps the source ASCII, so it reads the same whatever charset a mail client assumes. Text
    inside ``code``, ``pre``, ``kbd``, ``samp``, ``script`` and ``style`` stays as written: a
    command such as ``sha256sum versies/1.1.canoniek.txt`` must still run when copied.
    """
    out: list[str] = []
    at = 0
    for verbatim in _VERBATIM.finditer(document):
        out += [_bind_text(document[at:verbatim.start()], "&nbsp;"), verbatim[0]]
        at = verbatim.end()
    return "".join(out) + _bind_text(document[at:], "&nbsp;")


_FEED_TEXT = re.compile(r"(<(title|subtitle|summary)>)(.*?)(</\2>)", re.S)


def keep_together_feed(document: str) -> str:
    """Return an Atom feed with `keep_together` applied to the text a feed reader shows.

    Only the ``title``, ``subtitle`` and ``summary`` elements change; ids, dates, links and
    names are read by machines and stay as they are. XML has no ``&nbsp;``, so the no-break space
    is written ``&#160;``.
    """
    return _FEED_TEXT.sub(lambda m: m[1] + _bind_text(m[3], "&#160;") + m[4], document)
