"""Read a notice e-mail as a mail client shows it: its plain part and what its HTML part holds."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from html.parser import HTMLParser


class _Outline(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.headings: list[tuple[str, str]] = []
        self.links: list[str] = []
        self.text: list[str] = []
        self._tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._tags.append(tag)
        if tag == "a":
            self.links += [v or "" for k, v in attrs if k == "href"]
        if tag in {"p", "li", "br", "h1", "h2", "h3", "h4"}:
            self.text.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if self._tags and self._tags[-1] == tag:
            self._tags.pop()

    def handle_data(self, data: str) -> None:
        data = data.replace("\xa0", " ")  # a no-break space shows as a space
        tag = self._tags[-1] if self._tags else ""
        if tag in {"h1", "h2", "h3", "h4"}:
            self.headings.append((tag, data))
        if "title" not in self._tags and "h1" not in self._tags:
            self.text.append(data)


@dataclass
class EmailParts:
    """The parts of a notice e-mail a reader sees."""

    mail: EmailMessage
    plain: str
    html: str
    """The HTML part's markup, each ``&nbsp;`` read as the space it shows (see `as_shown`)."""
    headings: list[tuple[str, str]] = field(default_factory=list)
    """The HTML part's headings, as (tag, text), in order."""
    links: list[str] = field(default_factory=list)
    """The HTML part's link targets, in order."""
    html_text: str = ""
    """The HTML part's text below its `<h1>`, whitespace collapsed."""


def read_email(eml: bytes) -> EmailParts:
    """Return the plain part, the HTML part and the HTML's outline of the RFC 5322 message `eml`."""
    mail = message_from_bytes(eml, policy=policy.default)
    assert isinstance(mail, EmailMessage)
    plain, rich = mail.get_body(("plain",)), mail.get_body(("html",))
    assert plain is not None and rich is not None, "a plain and an HTML part"
    html = as_shown(rich.get_content().replace("\r\n", "\n"))
    outline = _Outline()
    outline.feed(html)
    return EmailParts(mail, plain.get_content().replace("\r\n", "\n"), html, outline.headings, outline.links,
                      squash("".join(outline.text)))


def as_shown(html: str) -> str:
    """Return HTML markup with each ``&nbsp;`` as the space a reader sees ("1 februari 2027")."""
    return html.replace("&nbsp;", " ")


def squash(text: str) -> str:
    """Return `text` with runs of whitespace as one space, list dashes removed, trimmed."""
    return re.sub(r"\s+", " ", re.sub(r"(?m)^- ", "", text)).strip()


_ADDRESS = re.compile(r"https://[^\s,;]+[^\s,;.)]|[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def addresses(plain: str) -> list[str]:
    """Return the web and e-mail addresses of a plain part as link targets (``mailto:`` for mail)."""
    return [a if a.startswith("https://") else f"mailto:{a}" for a in _ADDRESS.findall(plain)]
