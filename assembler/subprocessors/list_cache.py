"""The "Lijst van sub-verwerkers" each notice attaches: rendered once per distinct set of services.

Every customer who takes the same services gets the same list, so it is compiled once per set
and the same bytes go into every e-mail. A run for 10,000 customers with a handful of service
combinations compiles a handful of PDFs, not 10,000.

In a run large enough for a pool, the pool's workers compile the lists, one list per task,
while this process waits. Compiled here, they would be a serial step after the fork, one set
after another, while the workers had nothing to do but warm Typst up on a letter they then
drop. A worker's first PDF costs ~3 times the next (Typst loads the fonts); a list pays that as
well as a throwaway letter would, and is kept. Measured on runs of 200 notices with two sets of
services: the first letter begins ~20 ms after the fork instead of ~43 ms, but in a worker that
has not laid a letter out yet, so the run as a whole takes as long (0.97–1.00 times, paired
runs). What it saves is the serial step, which grows with the number of sets.
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
