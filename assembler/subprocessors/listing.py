"""The list of sub-processors in use on a day, narrowed to one customer, and the diff of two lists.

Art. 4.1 hands the list out "op eerste verzoek": a customer reads the sub-processors that apply
to them, that is those used for one of the services they take (`applies_to`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence

from assembler.agreement.project import Project
from assembler.model import Register, RegisterChange, SubProcessor
from assembler.subprocessors.register import read_register

COMPARED = ("name", "registration", "country", "locations", "purpose", "services", "categories",
            "transfer", "effective", "removed", "replaces")
"""The fields whose difference makes an entry ``changed``."""
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def applies_to(entry: SubProcessor, services: Iterable[str]) -> bool:
    """Return whether `entry` concerns a customer who takes `services`.

    Art. 4.1 requires notice of new sub-processors "welke van toepassing zijn op de
    Verwerkingsverantwoordelijke": one that processes data for a service the customer does not
    take is not theirs, so they are neither told nor shown it.
    """
    return not set(entry.services).isdisjoint(services)


def in_use(register: Register, day: dt.date, services: Iterable[str] | None = None
           ) -> list[SubProcessor]:
    """Return the entries in use on `day` (for a customer taking `services`), by name."""
    wanted = None if services is None else tuple(services)
    return sorted((e for e in register.entries if e.in_use(day)
                   and (wanted is None or applies_to(e, wanted))), key=lambda e: (e.name, e.id))


def diff_lists(old: Sequence[SubProcessor], new: Sequence[SubProcessor]) -> list[RegisterChange]:
    """Return the entries added, removed and changed from `old` to `new`, by id."""
    before, after = {e.id: e for e in old}, {e.id: e for e in new}
    changes = []
    for entry_id in sorted(before.keys() | after.keys()):
        a, b = before.get(entry_id), after.get(entry_id)
        if a is None:
            changes.append(RegisterChange("added", entry_id, None, b))
        elif b is None:
            changes.append(RegisterChange("removed", entry_id, a, None))
        else:
            fields = tuple(f for f in COMPARED if getattr(a, f) != getattr(b, f))
            if fields:
                changes.append(RegisterChange("changed", entry_id, a, b, fields))
    return changes


def list_at(project: Project, contract: str, spec: str) -> list[SubProcessor]:
    """Return the list `spec` names: a date (YYYY-MM-DD) the list in use that day by the work
    tree's register; otherwise a git ref, every entry of the register at that commit."""
    if DATE_RE.match(spec):
        try:
            day = dt.date.fromisoformat(spec)
        except ValueError:
            day = None
        if day is not None:
            return in_use(read_register(project, contract), day)
    return list(read_register(project, contract, spec).entries)
