"""Read contract.toml (metadata) and bijlage-1.toml (the Bijlage 1 catalogue) into the model.

Structural problems (bad TOML, missing keys, wrong types) raise `CatalogueError` with the line;
semantic ones (an unknown service id, a duplicate id) are left to `lint`, which reports them all.
"""

from __future__ import annotations

import re
from typing import Any

from assembler.errors import CatalogueError
from assembler.model import Catalogue, CatalogueItem, ContractMeta, Party, Service, Source, Term
from assembler.tomlfile import line_of, load_toml


def _str(table: dict[str, Any], key: str, path: str, text: str, where: str = "") -> str:
    value = table.get(key)
    if not isinstance(value, str) or not value.strip():
        line = line_of(text, rf"^\s*{re.escape(key)}\s*=") or None
        raise CatalogueError(path, line, f"{where}'{key}' must be a non-empty string")
    return value


def parse_contract_meta(text: str, path: str) -> ContractMeta:
    """Parse contract.toml."""
    data = load_toml(text, path, CatalogueError)
    proc = data.get("processor")
    if not isinstance(proc, dict):
        raise CatalogueError(path, None, "missing [processor] table")
    processor = Party(
        name=_str(proc, "display_name", path, text, "[processor] "),
        kvk=_str(proc, "kvk", path, text, "[processor] "),
        street=str(proc.get("street", "")),
        postcode=str(proc.get("postcode", "")),
        city=str(proc.get("city", "")),
        email=str(proc.get("email", "")),
        signatory_name=str(proc.get("signatory_name", "")),
        signatory_role=str(proc.get("signatory_role", "")),
    )
    terms = []
    for i, raw in enumerate(data.get("terms", [])):
        if not isinstance(raw, dict):
            raise CatalogueError(path, None, f"[[terms]] entry {i + 1} must be a table")
        defined_by = raw.get("defined_by", "text")
        if defined_by not in ("text", "cover"):
            raise CatalogueError(path, line_of(text, r"defined_by") or None,
                                 f"defined_by must be 'text' or 'cover', not {defined_by!r}")
        name = _str(raw, "term", path, text, "[[terms]] ")
        terms.append(Term(term=name, defined_by=defined_by, meaning=str(raw.get("meaning", "")),
                          line=line_of(text, rf"^\s*term\s*=\s*\"{re.escape(name)}\"")))
    self_names = data.get("self_names", [])
    if not isinstance(self_names, list) or not all(isinstance(n, str) for n in self_names):
        raise CatalogueError(path, line_of(text, r"^\s*self_names") or None,
                             "self_names must be a list of strings")
    return ContractMeta(
        id=_str(data, "id", path, text),
        processor=processor,
        terms=tuple(terms),
        self_names=tuple(self_names),
        website=str(proc.get("website", "")),
        legal_name=str(proc.get("legal_name", "")),
    )


def parse_catalogue(text: str, path: str) -> Catalogue:
    """Parse bijlage-1.toml."""
    data = load_toml(text, path, CatalogueError)
    raw_services = data.get("services", {})
    if not isinstance(raw_services, dict):
        raise CatalogueError(path, None, "[services] must be a table of tables")
    services = []
    for sid, table in raw_services.items():
        if not isinstance(table, dict):
            raise CatalogueError(path, line_of(text, rf"services\.{re.escape(sid)}") or None,
                                 f"[services.{sid}] must be a table with a label")
        services.append(Service(id=sid, label=_str(table, "label", path, text, f"[services.{sid}] ")))

    def items(key: str) -> tuple[CatalogueItem, ...]:
        out = []
        raw = data.get(key, [])
        if not isinstance(raw, list):
            raise CatalogueError(path, None, f"{key} must be an array of tables ([[{key}]])")
        header_line = 0
        for i, entry in enumerate(raw):
            header_line = line_of(text, rf"^\s*\[\[{key}\]\]", header_line + 1)
            where = f"[[{key}]] #{i + 1}: "
            if not isinstance(entry, dict):
                raise CatalogueError(path, header_line or None, f"{where}must be a table")
            item_id = _str(entry, "id", path, text, where)
            services_of = entry.get("services", [])
            if not isinstance(services_of, list) or not all(isinstance(s, str) for s in services_of):
                raise CatalogueError(path, header_line or None,
                                     f"{where}services must be a list of service ids")
            out.append(CatalogueItem(id=item_id, label=_str(entry, "label", path, text, where),
                                     services=tuple(services_of),
                                     source=Source(path, header_line or 1)))
        return tuple(out)

    return Catalogue(services=tuple(services), data_categories=items("data_categories"),
                     data_subjects=items("data_subjects"), path=path)
