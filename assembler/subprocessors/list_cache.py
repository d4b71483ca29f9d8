"""The "Lijst van sub-verwerkers" each notice attaches: rendered once per distinct set of services.

Every customer who takes the same services gets the same list, so it is compiled once per set
(in the building process, before any worker starts) and the same bytes go into every e-mail. A
run for 10,000 customers with a handful of service combinations compiles a handful of PDFs, not
10,000.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from assembler.model import Catalogue, ContractMeta, Register
from assembler.render.subprocessor_pdf import render_subprocessor_list
from assembler.subprocessors.document import services_list_data

ServiceSet = frozenset[str]
"""The services one customer takes: the key of the cache."""


def list_attachment_name(day: dt.date) -> str:
    """Return the file name of the attached list, the same for everyone on `day`."""
    return f"lijst-sub-verwerkers-{day.isoformat()}.pdf"


def lists_by_services(register: Register, catalogue: Catalogue, meta: ContractMeta,
                      service_sets: Iterable[ServiceSet], day: dt.date) -> dict[ServiceSet, bytes]:
    """Return the list PDF (PDF/A-2b) on `day` for each distinct set in `service_sets`."""
    out: dict[ServiceSet, bytes] = {}
    for services in service_sets:
        if services not in out:
            out[services] = render_subprocessor_list(
                services_list_data(register, catalogue, meta, services, day), day)
    return out
