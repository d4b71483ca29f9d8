"""Configuration: ``assembler.toml`` at the project root, each key overridable by environment.

``[section] key = value`` is overridden by ``ASSEMBLER_<SECTION>_<KEY>`` (upper case, ``-`` → ``_``).
Secrets (passwords) are never read from the file: only from their environment variable or a prompt.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assembler.errors import ConfigError
from assembler.tomlfile import load_toml

CONFIG_FILE = "assembler.toml"


def env_name(section: str, key: str) -> str:
    """Return the environment variable that overrides ``[section] key``."""
    return f"ASSEMBLER_{section}_{key}".upper().replace("-", "_")


@dataclass(frozen=True)
class Config:
    """The parsed assembler.toml (possibly empty) of a project."""

    path: Path
    """Where the file is (or would be)."""
    data: dict[str, Any] = field(default_factory=dict)
    """Its tables."""

    def get(self, section: str, key: str, default: Any = None) -> Any:
        """Return ``[section] key``: the environment variable first, then the file, then `default`.

        Values from the environment are strings; pass a `default` of another type to have them
        converted (int, float, bool).
        """
        env = os.environ.get(env_name(section, key))
        if env is not None:
            return _convert(env, default, env_name(section, key))
        table = self.data.get(section, {})
        if not isinstance(table, dict):
            raise ConfigError(str(self.path), None, f"[{section}] must be a table")
        return table.get(key, default)

    def whole_number(self, section: str, key: str, default: int, low: int, high: int) -> int:
        """Return ``[section] key`` as a whole number from `low` to `high`; else one clear ConfigError."""
        value = self.get(section, key, default)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            where = env_name(section, key) if env_name(section, key) in os.environ else str(self.path)
            raise ConfigError(where, None, f"[{section}] {key} must be a whole number from {low} to "
                                           f"{high}, not {value!r}")
        return value

    def path_setting(self, section: str, key: str, default: str | None = None) -> Path | None:
        """Return a path setting, relative paths taken from the project root."""
        value = self.get(section, key, default)
        if value in (None, ""):
            return None
        path = Path(str(value)).expanduser()
        return path if path.is_absolute() else self.path.parent / path


def _convert(value: str, default: Any, name: str) -> Any:
    if isinstance(default, bool):
        if value.lower() in ("1", "true", "yes", "on"):
            return True
        if value.lower() in ("0", "false", "no", "off", ""):
            return False
        raise ConfigError(name, None, f"expected true or false, not {value!r}")
    if isinstance(default, int):
        try:
            return int(value)
        except ValueError:
            raise ConfigError(name, None, f"expected a whole number, not {value!r}") from None
    if isinstance(default, float):
        try:
            return float(value)
        except ValueError:
            raise ConfigError(name, None, f"expected a number, not {value!r}") from None
    return value


def load_config(root: Path) -> Config:
    """Read ``assembler.toml`` from `root`; a missing file is an empty configuration."""
    path = root / CONFIG_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Config(path)
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(str(path), None, f"cannot read: {exc}") from exc
    return Config(path, load_toml(text, str(path), ConfigError))
