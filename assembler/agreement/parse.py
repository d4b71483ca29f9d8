"""Markdown clause files → the model. The only module that imports markdown_it.

A contract folder holds, read in file-name order:

- a preamble file whose heading is the title (``# Verwerkersovereenkomst VoIP Express``),
- one file per article, headed ``# Artikel 7. Datalekken, …``, whose paragraphs start with the
  literal clause number (``7.3. De meldplicht …``); a paragraph without a number continues the
  clause before it,
- one file per annex, headed ``# Bijlage 1: …``, with ``##`` subheadings, paragraphs and
  ``<!-- catalogue: data_categories -->`` markers where a list from the catalogue goes,
- ``contract.toml`` (metadata) and ``bijlage-1.toml`` (the catalogue), read by `agreement/metadata.py`.

Numbers are taken as written; whether they are right is `lint`'s business, not the parser's.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Mapping
from functools import cache, lru_cache
from typing import TYPE_CHECKING, get_args

from assembler.agreement.metadata import parse_catalogue, parse_contract_meta
from assembler.errors import ClauseParseError
from assembler.model import (
    Agreement,
    Annex,
    AnnexBlock,
    Article,
    Catalogue,
    Clause,
    ContractMeta,
    ListName,
    Paragraph,
    Source,
    Span,
    SpanStyle,
)
from assembler.render.plain_text import canonical_text

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

META_FILE = "contract.toml"
CATALOGUE_FILE = "bijlage-1.toml"
IGNORED_FILES = frozenset({"README.md"})

_ARTICLE = re.compile(r"^Artikel\s+(\d+)\.?\s+(.+)$")
_ANNEX = re.compile(r"^Bijlage\s+(\d+)\s*:\s*(.+)$")
_CLAUSE = re.compile(r"^(\d+)\.(\d+)(\.?)[ \t]+")
_CATALOGUE_MARKER = re.compile(r"^<!--\s*catalogue:\s*([a-z_]+)\s*-->\s*$")
_SUPPORTED_LISTS: dict[str, ListName] = {name: name for name in get_args(ListName)}


def parse_agreement(files: Mapping[str, bytes], folder: str) -> Agreement:
    """Parse a contract folder, given as file name → bytes, into an `Agreement`.

    `folder` is the folder's path relative to the project root; it prefixes every `Source`.
    """
    for name in (META_FILE, CATALOGUE_FILE):
        if name not in files:
            raise ClauseParseError(f"{folder}/{name}", None, "file is missing")
    meta = _meta(f"{folder}/{META_FILE}", files[META_FILE])
    catalogue = _catalogue(f"{folder}/{CATALOGUE_FILE}", files[CATALOGUE_FILE])

    title: str | None = None
    preamble: tuple[Paragraph, ...] = ()
    articles: list[Article] = []
    annexes: list[Annex] = []
    md_names = sorted(n for n in files if n.endswith(".md") and n not in IGNORED_FILES)
    if not md_names:
        raise ClauseParseError(folder, None, "no Markdown clause files")
    for name in md_names:
        path = f"{folder}/{name}"
        part = parse_file(path, files[name])
        if isinstance(part, Article):
            articles.append(part)
        elif isinstance(part, Annex):
            annexes.append(part)
        elif title is None and not articles and not annexes:
            title, preamble = part
        else:
            raise ClauseParseError(
                path, 1,
                f"heading {part[0]!r} is neither 'Artikel N. Titel' nor 'Bijlage N: Titel' "
                "(only the first file may be the preamble)",
            )
    if title is None:
        raise ClauseParseError(folder, None, "no preamble file with the contract's title as heading")
    text = canonical_text(title, preamble, tuple(articles), tuple(annexes), catalogue)
    return Agreement(
        meta=meta,
        title=title,
        preamble=preamble,
        articles=tuple(articles),
        annexes=tuple(annexes),
        catalogue=catalogue,
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        files=tuple(f"{folder}/{n}" for n in sorted(files)),
    )


@lru_cache(maxsize=256)
def _meta(path: str, data: bytes) -> ContractMeta:
    return parse_contract_meta(_decode(data, path), path)


@lru_cache(maxsize=256)
def _catalogue(path: str, data: bytes) -> Catalogue:
    return parse_catalogue(_decode(data, path), path)


@lru_cache(maxsize=4096)
def parse_file(path: str, data: bytes) -> Article | Annex | tuple[str, tuple[Paragraph, ...]]:
    """Parse one Markdown file; cached by content, so walking history re-parses only what changed."""
    tokens = _markdown().parse(_decode(data, path))
    heading, line, rest = _split_heading(tokens, path)
    if m := _ARTICLE.match(heading):
        return _parse_article(m.group(1), m.group(2).strip(), rest, path, line)
    if m := _ANNEX.match(heading):
        return _parse_annex(m.group(1), m.group(2).strip(), rest, path, line)
    return heading, tuple(_paragraphs_only(rest, path, "the preamble"))


@cache
def _markdown() -> MarkdownIt:
    """Return the CommonMark parser, imported on first use: ~25 ms that a command whose texts are
    all kept parsed (`agreement.parse_cache`) does not spend."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark")


def _decode(data: bytes, path: str) -> str:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ClauseParseError(path, line, "not valid UTF-8") from exc
    # Files saved on macOS may be NFD; the signed text is compared in NFC.
    return unicodedata.normalize("NFC", text.removeprefix("\ufeff"))


def _split_heading(tokens: list[Token], path: str) -> tuple[str, int, list[Token]]:
    """Return the file's level-1 heading, its line and the tokens after it."""
    if not tokens or tokens[0].type != "heading_open" or tokens[0].tag != "h1":
        line = _line(tokens[0]) if tokens else 1
        raise ClauseParseError(path, line, "a clause file must start with a '# ' heading")
    return tokens[1].content.strip(), _line(tokens[0]), tokens[3:]


def _line(token: Token) -> int:
    return token.map[0] + 1 if token.map else 1


def _blocks(tokens: list[Token], path: str) -> list[tuple[str, Token, Token | None]]:
    """Group block tokens into (kind, opening token, inline token) triples; reject the rest."""
    out: list[tuple[str, Token, Token | None]] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.type == "paragraph_open":
            out.append(("paragraph", tok, tokens[i + 1]))
            i += 3
        elif tok.type == "heading_open":
            out.append((tok.tag, tok, tokens[i + 1]))
            i += 3
        elif tok.type == "html_block":
            out.append(("html", tok, None))
            i += 1
        else:
            kind = tok.type.removesuffix("_open").replace("_", " ")
            raise ClauseParseError(
                path, _line(tok),
                f"a {kind} is not allowed here; write clauses as plain paragraphs",
            )
    return out


def _spans(inline: Token) -> tuple[tuple[Span, ...], tuple[int, ...]]:
    """Flatten an inline token into styled spans, joining soft line breaks with a space.

    Also return the text offsets at which each further source line starts.
    """
    spans: list[Span] = []
    starts: list[int] = []
    length = 0
    em = strong = 0
    for child in inline.children or []:
        t = child.type
        if t in ("text", "code_inline", "html_inline"):
            text = child.content
        elif t in ("softbreak", "hardbreak"):
            text = " "
            starts.append(length + 1)
        elif t == "em_open":
            em += 1
            continue
        elif t == "em_close":
            em -= 1
            continue
        elif t == "strong_open":
            strong += 1
            continue
        elif t == "strong_close":
            strong -= 1
            continue
        else:  # links, images: keep their text only
            text = child.content
            if not text:
                continue
        style: SpanStyle = "strong" if strong else "em" if em else ""
        length += len(text)
        if spans and spans[-1].style == style:
            spans[-1] = Span(spans[-1].text + text, style)
        else:
            spans.append(Span(text, style))
    return tuple(spans), tuple(starts)


def _paragraph(inline: Token, opening: Token, path: str) -> Paragraph:
    spans, starts = _spans(inline)
    return Paragraph(spans=spans, source=Source(path, _line(opening)), line_starts=starts)


def _paragraphs_only(tokens: list[Token], path: str, where: str) -> list[Paragraph]:
    paragraphs = []
    for kind, opening, inline in _blocks(tokens, path):
        if kind != "paragraph" or inline is None:
            raise ClauseParseError(path, _line(opening), f"only paragraphs are allowed in {where}")
        paragraphs.append(_paragraph(inline, opening, path))
    return paragraphs


def _strip_number(spans: tuple[Span, ...], length: int) -> tuple[Span, ...]:
    """Drop the first `length` characters (the clause number) from the spans."""
    out = list(spans)
    while length and out:
        first = out[0]
        if len(first.text) <= length:
            length -= len(first.text)
            out.pop(0)
        else:
            out[0] = Span(first.text[length:], first.style)
            length = 0
    return tuple(out)


def _parse_article(number: str, title: str, tokens: list[Token], path: str, line: int) -> Article:
    clauses: list[tuple[str, str, Source, list[Paragraph]]] = []
    for paragraph in _paragraphs_only(tokens, path, f"article {number}"):
        m = _CLAUSE.match(paragraph.text)
        if m:
            label = f"{m.group(1)}.{m.group(2)}{m.group(3)}"
            body = Paragraph(_strip_number(paragraph.spans, m.end()), paragraph.source,
                             tuple(start - m.end() for start in paragraph.line_starts))
            clauses.append((f"{m.group(1)}.{m.group(2)}", label, paragraph.source, [body]))
        elif clauses:
            clauses[-1][3].append(paragraph)
        else:
            raise ClauseParseError(
                path, paragraph.source.line,
                f"text before the first clause of article {number}; "
                f"a clause starts with its number, e.g. '{number}.1. '",
            )
    return Article(
        number=number,
        title=title,
        clauses=tuple(
            Clause(number=n, label=label, paragraphs=tuple(ps), source=src)
            for n, label, src, ps in clauses
        ),
        source=Source(path, line),
    )


def _parse_annex(number: str, title: str, tokens: list[Token], path: str, line: int) -> Annex:
    blocks: list[AnnexBlock] = []
    for kind, opening, inline in _blocks(tokens, path):
        src = Source(path, _line(opening))
        if kind == "html":
            m = _CATALOGUE_MARKER.match(opening.content.strip())
            if not m or m.group(1) not in _SUPPORTED_LISTS:
                raise ClauseParseError(
                    path, src.line,
                    "unknown marker; expected '<!-- catalogue: data_categories -->' "
                    "or '<!-- catalogue: data_subjects -->'",
                )
            blocks.append(AnnexBlock(kind="catalogue", source=src, list_name=_SUPPORTED_LISTS[m.group(1)]))
        elif kind in ("h2", "h3") and inline is not None:
            blocks.append(AnnexBlock(kind="heading", source=src,
                                     paragraph=_paragraph(inline, opening, path)))
        elif kind == "paragraph" and inline is not None:
            blocks.append(AnnexBlock(kind="paragraph", source=src,
                                     paragraph=_paragraph(inline, opening, path)))
        else:
            raise ClauseParseError(path, src.line, "only '##' subheadings, paragraphs and "
                                   "catalogue markers are allowed in an annex")
    return Annex(number=number, title=title, blocks=tuple(blocks), source=Source(path, line))
