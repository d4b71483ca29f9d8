"""Reading TOML files so that every error names its file and line: the one helper for all of them."""

from __future__ import annotations

import re
import tomllib
from typing import Any

from assembler.errors import InputError


def load_toml(text: str, path: str, error: type[InputError] = InputError) -> dict[str, Any]:
    """Return the table in `text` (read from `path`), or raise `error` at the line TOML names."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        raise error(path, int(m.group(1)) if m else None, f"not valid TOML: {exc}") from exc


def line_of(text: str, pattern: str, start: int = 1) -> int:
    """Return the 1-based line of the first match of regex `pattern` at or after line `start`."""
    for number, line in enumerate(text.splitlines()[start - 1 :], start):
        if re.search(pattern, line):
            return number
    return 0
