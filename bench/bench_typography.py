"""No-break spaces: what binding them on the way into Typst and docxtpl costs a customer's contract.

No target of its own: the contract's target (DOCX + PDF of one customer in-process <= 60 ms,
bench_contracts.py) must still hold. Baseline, measured in the same run: the same builds with the
binding switched off (every string handed over as it is).
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assembler.agreement.project import Project  # noqa: E402
from assembler.customers.document import ContractBuilder, contract_data  # noqa: E402
from assembler.render import contract_docx, typography, typst_pdf  # noqa: E402
from bench.common import ROOT, median_ms, report, with_and_without  # noqa: E402
from tests.customers.helpers import customer_c1042  # noqa: E402


def _as_is(data: object, plain: object = ()) -> object:
    return data


def main() -> None:
    project = Project(ROOT)
    builder = ContractBuilder(project)
    services = tuple(s.id for s in project.resolve("1.0").agreement.catalogue.services)
    customers = [dataclasses.replace(customer_c1042(), customer_id=f"C-{n:05d}",
                                     company_name=f"Klant {n} B.V.", services=services)
                 for n in range(200)]
    counter = iter(range(10**9))

    def one() -> None:
        # A different customer every time, as in bench_contracts.py: no whole-document cache hit.
        builder.build(customers[next(counter) % len(customers)], formats=("pdf", "docx"))

    # Alternate the two, several rounds, so that load from other processes hits both alike.
    bound, plain = with_and_without(one, [(typst_pdf, "keep_together_in"),
                                          (contract_docx, "keep_together_in")], _as_is,
                                    rounds=4, runs=15, warmup=3)
    report("one customer DOCX + PDF, no-break spaces bound (median)", bound, "ms", "<= 60", bound <= 60)
    report("  baseline: the same, binding switched off", plain, "ms", "-", True)

    data = contract_data(project.resolve("1.0"), customers[0])

    def cold() -> None:
        typography.keep_together.cache_clear()
        typography.keep_together_in(data, typography.METADATA_KEYS)

    report("  binding one contract's data, cache cleared", median_ms(cold), "ms", "-", True)
    report("  binding one contract's data, cached (next customer)",
           median_ms(lambda: typography.keep_together_in(data, typography.METADATA_KEYS)), "ms", "-", True)


if __name__ == "__main__":
    main()
