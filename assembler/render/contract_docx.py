"""DOCX of a customer's contract: docxtpl (the only module that imports it) and the house template.

The template ``templates/contract.docx`` is made by ``tools/make_contract_template.py``. docxtpl
renders it with ``autoescape=True`` and Jinja's ``StrictUndefined``: customer text is XML-escaped
(``&`` and ``<B.V.>`` stay text), and a field the template names but the data lacks is an error
naming that field.

Speed: docxtpl compiles the Jinja template and re-parses the XML on every render (~100 ms for this
contract). Everything but the customer is the same for every customer of a version, so the template
is rendered once per version (and per shape: which optional fields are filled, how many annex
paragraphs) with a unique placeholder token for each customer value; each customer's document is
then that rendered XML with the placeholders replaced by the XML-escaped values. The result is
byte-identical to a direct render (a test checks this) at a fraction of the cost.

The body gets its no-break spaces on the way in (``render.typography.keep_together``: dates,
"48 uur", "artikel 7", "(VI) Wachtwoord"; Word keeps them on one line); the core properties are
written from the data as it is.

Output is deterministic: the zip entries carry a fixed timestamp and the core properties a fixed
date (the version's effective date).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from collections import OrderedDict
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from docxtpl import DocxTemplate

from assembler.errors import RenderError
from assembler.render.jinja_env import Environment, Markup, TemplateError, UndefinedError, environment
from assembler.render.ooxml_zip import read_parts, write_package
from assembler.render.typography import METADATA_KEYS, keep_together_in

TEMPLATE = Path(__file__).resolve().parent / "templates" / "contract.docx"
_TOKEN = "\ue000{}\ue001"
"""Placeholder for the n-th customer value: private-use characters no real text contains."""
_TOKEN_RE = re.compile("\ue000(\\d+)\ue001")
# Characters XML 1.0 cannot carry at all, and control characters docxtpl would turn into breaks.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_BREAKS = re.compile("[\t\n\r]")
_CORE = "docProps/core.xml"
_PER_CUSTOMER = frozenset({"customer", "services", "services_text", "annexes", "keywords",
                           "description"})
"""The keys of the data that differ between the customers of a version (`ContractDocx`)."""


def _environment() -> Environment:
    return environment()


def _text_xml(value: str) -> str:
    """Return `value` as the text of an XML element, escaped exactly as lxml serialises it."""
    return escape(_BREAKS.sub(" ", _XML_INVALID.sub("\ufffd", value)))


def _docxtpl_safe(value: str) -> Markup:
    """Return `value` XML-escaped, with the sequences docxtpl rewrites after rendering protected.

    docxtpl turns ``{_{``, ``}_}``, ``{_%`` and ``%_}`` in its output into ``{{``, ``}}``, ``{%``
    and ``%}``; writing the underscore as a character reference keeps such text literal.
    """
    text = re.sub(r"(?<=[{%])_(?=[{%])|(?<=[}%])_(?=[}%])", "&#95;", _text_xml(value))
    return Markup(text)


def _core_xml(data: dict[str, Any], created: dt.date) -> bytes:
    stamp = f"{created.isoformat()}T00:00:00Z"
    title = escape(f"{data['title']} – {data['customer']['company_name']}")
    keywords = escape(", ".join(data["keywords"]))
    description = escape(data["description"])
    author = escape(data["processor"]["name"])
    return (
        "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
        'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.'
        'org/dc/terms/" xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.'
        'org/2001/XMLSchema-instance">'
        f"<dc:title>{title}</dc:title><dc:subject>{escape(data['contract'])}</dc:subject>"
        f"<dc:creator>{author}</dc:creator><cp:keywords>{keywords}</cp:keywords>"
        f"<dc:description>{description}</dc:description><cp:lastModifiedBy>assembler"
        "</cp:lastModifiedBy><cp:revision>1</cp:revision><dc:language>nl-NL</dc:language>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified>'
        "</cp:coreProperties>").encode()


def _zip(parts: dict[str, bytes], fresh: frozenset[str] = frozenset()) -> bytes:
    """Return a DOCX package of `parts` with fixed timestamps, in a fixed order."""
    return write_package(parts, fresh=fresh)


def render_docx_direct(data: dict[str, Any], created: dt.date) -> bytes:
    """Render the template with docxtpl for `data`, directly (no caching)."""
    return _zip(_render_parts(_escape_values(keep_together_in(data, METADATA_KEYS)), created, data))


def _escape_values(data: Any) -> Any:
    if isinstance(data, str):
        return _docxtpl_safe(data)
    if isinstance(data, dict):
        return {k: _escape_values(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_escape_values(v) for v in data]
    return data


def _render_parts(context: dict[str, Any], created: dt.date, data: dict[str, Any]) -> dict[str, bytes]:
    template = DocxTemplate(str(TEMPLATE))
    try:
        template.render(context, _environment(), autoescape=True)
    except UndefinedError as exc:
        raise RenderError(f"DOCX template {TEMPLATE.name}: missing field: {exc.message}") from exc
    except TemplateError as exc:
        raise RenderError(f"DOCX template {TEMPLATE.name}: {exc}") from exc
    buffer = io.BytesIO()
    template.save(buffer)
    stored = read_parts(buffer.getvalue())
    names = sorted(stored, key=lambda n: (n != "[Content_Types].xml", n))
    parts = {n: stored[n] for n in names}
    parts[_CORE] = _core_xml(data, created)
    return parts


# --- the per-version cache ------------------------------------------------------------------


def _customer_paths(data: dict[str, Any]) -> list[tuple[Any, ...]]:
    """Return the paths of the values that differ per customer, in a fixed order."""
    paths: list[tuple[Any, ...]] = [("customer", k) for k in sorted(data["customer"])]
    paths.append(("services_text",))
    for i, annex in enumerate(data["annexes"]):
        paths += [("annexes", i, "blocks", j, "text") for j in range(len(annex["blocks"]))]
    paths += [("keywords", i) for i in range(len(data["keywords"]))]
    paths.append(("description",))
    return paths


def _get(data: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        data = data[key]
    return data


def _set(data: Any, path: tuple[Any, ...], value: Any) -> None:
    for key in path[:-1]:
        data = data[key]
    data[path[-1]] = value


class ContractDocx:
    """Renders contracts, reusing one docxtpl render per version and shape of customer data."""

    def __init__(self, max_cached: int = 64) -> None:
        self._cache: OrderedDict[Any, dict[str, bytes]] = OrderedDict()
        self._max = max_cached
        self._shared: tuple[str, dict[str, Any]] = ("", {})
        """The last shared part: its plain JSON, and the same typeset."""

    def _typeset(self, data: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        """Return the plain JSON of `data`'s part shared by every customer, and `data` typeset.

        The shared part (the agreement's text) is typeset once, not for every customer: it is the
        same as the last one's when its plain JSON is. JSON is exact where equality is not (``1 ==
        True == 1.0``), and a copy, so a part changed in place since is seen as changed; it also
        keys the cache of rendered versions (both ~0.3 ms a customer, against ~0.6 ms for
        typesetting all of it and a ``repr`` of the shared part; in-process, 300 customers).
        """
        shared = {k: v for k, v in data.items() if k not in _PER_CUSTOMER}
        given = json.dumps(shared, ensure_ascii=False)
        if given != self._shared[0]:
            self._shared = (given, keep_together_in(shared, METADATA_KEYS))
        shown_shared = self._shared[1]
        own = keep_together_in({k: v for k, v in data.items() if k in _PER_CUSTOMER}, METADATA_KEYS)
        return given, {k: shown_shared[k] if k in shown_shared else own[k] for k in data}

    def render(self, data: dict[str, Any], created: dt.date) -> bytes:
        """Return the DOCX of the contract described by `data` (see `customers.document.contract_data`)."""
        paths = _customer_paths(data)
        shared_key, shown = self._typeset(data)
        values = [_get(shown, path) for path in paths]
        # The shape decides the template's branches: which values are empty, how many there are.
        key = (shared_key, created, tuple(map(repr, paths)),
               tuple(bool(v) for v in values),
               tuple((a["number"], a["title"], tuple(b["kind"] for b in a["blocks"]))
                     for a in data["annexes"]))
        parts = self._cache.get(key)
        if parts is None:
            skeleton = _escape_values(shown)
            for n, path in enumerate(paths):
                if values[n]:
                    _set(skeleton, path, Markup(_TOKEN.format(n)))
            parts = _render_parts(skeleton, created, data)
            self._cache[key] = parts
            if len(self._cache) > self._max:
                self._cache.popitem(last=False)
        else:
            self._cache.move_to_end(key)
        escaped = [_text_xml(v) if isinstance(v, str) else "" for v in values]
        filled = {}
        fresh = set()
        for name, blob in parts.items():
            if name == _CORE:
                filled[name] = _core_xml(data, created)
                fresh.add(name)
            elif name.endswith(".xml") and b"\xee\x80\x80" in blob:  # UTF-8 of U+E000
                text = _TOKEN_RE.sub(lambda m: escaped[int(m.group(1))], blob.decode("utf-8"))
                filled[name] = text.encode("utf-8")
                fresh.add(name)
            else:
                filled[name] = blob
        return _zip(filled, frozenset(fresh))


_RENDERER = ContractDocx()


def render_contract_docx(data: dict[str, Any], created: dt.date) -> bytes:
    """Return the DOCX of one customer's contract (see `ContractDocx`)."""
    return _RENDERER.render(data, created)
