"""Jinja2 environments, always with autoescape and a strict undefined: the only jinja2 module.

With autoescape off, ``&`` vanishes from a DOCX and ``<B.V.>`` corrupts it; a strict undefined
turns a missing field into an error instead of an empty string.
"""

from __future__ import annotations

from pathlib import Path

import jinja2
from markupsafe import Markup, escape

__all__ = ["Environment", "Markup", "TemplateError", "UndefinedError", "environment", "escape"]

Environment = jinja2.Environment
TemplateError = jinja2.TemplateError
UndefinedError = jinja2.UndefinedError


def environment(templates: Path | None = None, *, trim: bool = False) -> jinja2.Environment:
    """Return an autoescaping, strict environment, loading from `templates` if given.

    `trim` strips the newline after a block tag and the indentation before it (HTML pages).
    """
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates) if templates is not None else None,
        autoescape=True, undefined=jinja2.StrictUndefined,
        trim_blocks=trim, lstrip_blocks=trim, keep_trailing_newline=trim)
