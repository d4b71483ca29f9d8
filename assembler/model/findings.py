"""What `check` reports: one finding per rule broken, with its file and line."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]
"""How bad a finding is: an error fails the check, a warning is reported."""


@dataclass(frozen=True)
class Finding:
    """One problem `check` found."""

    severity: Severity
    """``"error"`` or ``"warning"``."""
    path: str
    """File the problem is in."""
    line: int
    """1-based line, 0 when the problem concerns the file as a whole."""
    message: str
    """What is wrong, in English."""
    rule: str
    """Short rule id, e.g. ``"numbering"``, ``"reference"``, ``"term"``."""

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.severity}: {self.message}"
