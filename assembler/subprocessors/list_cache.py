"""The "Lijst van sub-verwerkers" each notice attaches: rendered once per distinct set of services.

Every customer who takes the same services gets the same list, so it is compiled once per set
and the same bytes go into every e-mail. A run for 10,000 customers with a handful of service
combinations compiles a handful of PDFs, not 10,000.

In a run large enough for a pool, the pool's workers compile the lists, as their first PDFs,
while this process waits for them: it would otherwise compile them alone while the workers sat
ready (or rendered a letter only to warm Typst up, then dropped it). A worker's first PDF costs
~3 times the next (Typst loads the fonts); a list pays that as well as a letter would, and is
kept. Measured on a run of 200 notices: the first letter begins ~20 ms after the fork, against
~43 ms while this process compiled the lists and the workers warmed up.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from assembler.model import Catalogue, ContractMeta, Register
from assembler.pool import WorkerPool
from assembler.render.subprocessor_pdf import render_subprocessor_list
from assembler.subprocessors.document import services_list_data

ServiceSet = frozenset[str]
"""The services one customer takes: the key of the cache."""

ListJob = tuple[dict[str, object], dt.date]
"""What a worker needs to compile one list: its data, and the day it is dated."""


def list_attachment_name(day: dt.date) -> str:
    """Return the file name of the attached list, the same for everyone on `day`."""
    return f"lijst-sub-verwerkers-{day.isoformat()}.pdf"


def render_list(job: ListJob) -> bytes:
    """Return one list PDF (a pool's work: module level, so that a worker finds it by name)."""
    data, day = job
    return render_subprocessor_list(data, day)


def lists_by_services(register: Register, catalogue: Catalogue, meta: ContractMeta,
                      service_sets: Iterable[ServiceSet], day: dt.date,
                      pool: WorkerPool) -> dict[ServiceSet, bytes]:
    """Return the list PDF (PDF/A-2b) on `day` for each distinct set in `service_sets`.

    Compiled by `pool` (by its workers, one list per task, or in this process for a small run).
    """
    sets = list(dict.fromkeys(service_sets))
    jobs = [(services_list_data(register, catalogue, meta, s, day), day) for s in sets]
    return dict(zip(sets, pool.map(jobs, render_list), strict=True))
