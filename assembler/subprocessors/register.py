"""Read ``contracts/<contract>/subverwerkers.toml`` into a `Register`, every error with its line.

The register is reviewed in pull requests like the clauses, so it is read from the work tree or
from any git commit. Reading checks the shape of each entry (fields present, of the right type,
dates as TOML dates); the rules between entries and against the catalogue are `lint`'s.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from typing import Any, cast

from assembler.agreement.project import Project
from assembler.errors import RegisterError
from assembler.model import Register, SubProcessor, TransferBasis
from assembler.tomlfile import line_of, load_toml

REGISTER_FILE = "subverwerkers.toml"
TABLE = "subverwerker"
TEXT_FIELDS = ("id", "name", "registration", "country", "purpose")
LIST_FIELDS = ("locations", "services", "categories")
DATE_FIELDS = ("added", "effective", "removed")


def register_path(contract: str) -> str:
    """Return the register's path relative to the project root."""
    return f"contracts/{contract}/{REGISTER_FILE}"


def parse_register(data: bytes, path: str, commit: str | None = None) -> Register:
    """Return the register in `data` (read from `path`); raise `RegisterError` at the bad line."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RegisterError(path, None, f"not UTF-8: {exc}") from exc
    table = load_toml(text, path, RegisterError)
    raw = table.get(TABLE, [])
    if not isinstance(raw, list):
        raise RegisterError(path, line_of(text, rf"^\s*{TABLE}\s*="), f"{TABLE} must be [[{TABLE}]] tables")
    headers = [n for n, line in enumerate(text.splitlines(), 1) if line.strip() == f"[[{TABLE}]]"]
    entries = tuple(_entry(item, path, text, headers[i] if i < len(headers) else 0)
                    for i, item in enumerate(raw))
    return Register(path, entries, hashlib.sha256(data).hexdigest(), text, commit)


def _entry(item: dict[str, Any], path: str, text: str, line: int) -> SubProcessor:
    def fail(key: str, message: str) -> RegisterError:
        return RegisterError(path, line_of(text, rf"^\s*{key}\s*=", line) or line, message)

    _check_shape(item, fail)
    dates = {key: _date(item, key, fail) for key in ("added", "effective", "removed")}
    added, effective = dates["added"], dates["effective"]
    assert added is not None and effective is not None
    return SubProcessor(
        id=item["id"], name=item["name"], registration=item["registration"],
        country=item["country"], locations=tuple(item["locations"]), purpose=item["purpose"],
        services=tuple(item["services"]), categories=tuple(item["categories"]),
        transfer=cast(TransferBasis, item.get("transfer", "")), added=added,
        effective=effective, removed=dates["removed"], replaces=item.get("replaces", ""),
        line=line)


def _check_shape(item: dict[str, Any], fail: Callable[[str, str], RegisterError]) -> None:
    """Raise at the first field that is missing, of the wrong type, or unknown."""
    for key in TEXT_FIELDS:
        if not isinstance(item.get(key), str) or not item[key].strip():
            raise fail(key, f"{key} is required (a non-empty string)")
    for key in LIST_FIELDS:
        value = item.get(key)
        if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
            raise fail(key, f"{key} is required (a non-empty list of strings)")
    for key in ("transfer", "replaces"):
        if not isinstance(item.get(key, ""), str):
            raise fail(key, f"{key} must be a string")
    unknown = sorted(set(item) - {*TEXT_FIELDS, *LIST_FIELDS, *DATE_FIELDS, "transfer", "replaces"})
    if unknown:
        raise fail(unknown[0], f"unknown field {unknown[0]!r}")


def _date(item: dict[str, Any], key: str, fail: Callable[[str, str], RegisterError]) -> dt.date | None:
    value = item.get(key)
    if value is None and key == "removed":
        return None
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    raise fail(key, f"{key} must be a date (2027-01-04, without quotes)")


def read_register(project: Project, contract: str, ref: str | None = None) -> Register:
    """Return the register of `contract` in the work tree (`ref` None) or at git `ref`.

    A contract without a register has an empty one: it uses no sub-processors.
    """
    path = register_path(contract)
    if ref is None:
        file = project.root / path
        try:
            data = file.read_bytes() if file.is_file() else b""
        except OSError as exc:
            raise RegisterError(path, None, f"cannot read: {exc.strerror or exc}") from exc
        return parse_register(data, path)
    commit = project.history.commit_of(ref)
    files = project.history.files_at(commit, project.folder(contract)) or {}
    return parse_register(files.get(REGISTER_FILE, b""), path, commit)


def read_current_register(project: Project, contract: str) -> Register:
    """Return the work tree's register, with its git commit when it is the one committed at HEAD.

    The list handed to a customer names the commit it was made from; an uncommitted register
    has none (``commit`` None).
    """
    register = read_register(project, contract)
    head = project.history.file_at_head(register.path)
    if head is None:  # no repository, or nothing committed yet
        return register
    commit, data = head
    committed = parse_register(data or b"", register.path, commit)
    return committed if committed.sha256 == register.sha256 else register
