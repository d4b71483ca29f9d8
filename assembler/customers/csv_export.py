"""Customer CSV export: the registry written back in the import format."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping

from assembler.customers.csv_import import COLUMNS
from assembler.model import Customer


def customer_record(customer: Customer) -> dict[str, str]:
    """Return a customer as the CSV columns (the export/import format)."""
    return {
        "customer_id": customer.customer_id, "company_name": customer.company_name,
        "kvk": customer.kvk, "street": customer.street, "postcode": customer.postcode,
        "city": customer.city, "contact_name": customer.contact_name,
        "contact_email": customer.contact_email, "signatory_name": customer.signatory_name,
        "signatory_role": customer.signatory_role, "services": ";".join(customer.services),
        "version": customer.version, "signed_on": customer.signed_on.isoformat(),
        "btw_id": customer.btw_id, "contact_salutation": customer.contact_salutation,
    }


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""A cell starting with one of these is a formula to Excel and LibreOffice (OWASP: CSV injection)."""


def neutralise(cell: str) -> str:
    """Return `cell` safe to open in a spreadsheet: a formula-like cell gets a leading ``'``.

    The OWASP rule for CSV injection; the import takes the ``'`` off again, so an export
    imports back unchanged.
    """
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


STANDING_COLUMNS = ("in_force.version", "in_force.since", "in_force.basis", "status")
"""The columns `customers list|show --format csv` add: the JSON's ``in_force`` and ``status``, flat."""


def standing_cells(in_force: dict[str, str] | None, status: str) -> dict[str, str]:
    """Return the `STANDING_COLUMNS` of one customer from its JSON ``in_force`` and ``status``.

    No version in force (terminated, not signed yet) leaves the three ``in_force.*`` cells empty.
    """
    return {"in_force.version": in_force["version"] if in_force else "",
            "in_force.since": in_force["since"] if in_force else "",
            "in_force.basis": in_force["basis"] if in_force else "", "status": status}


def customers_csv(customers: Iterable[Customer],
                  standing: Mapping[str, dict[str, str]] | None = None) -> Iterable[str]:
    """Yield the CSV lines (header first) of `customers`, importable again, formula cells neutralised.

    With `standing` (customer id → `standing_cells`) the `STANDING_COLUMNS` follow the import
    columns; the import ignores nothing, so such a file is a report, not an import file.
    """
    buffer = io.StringIO()
    fields = COLUMNS + (STANDING_COLUMNS if standing is not None else ())
    writer = csv.DictWriter(buffer, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    yield buffer.getvalue()
    for customer in customers:
        buffer.seek(0)
        buffer.truncate()
        row = customer_record(customer)
        if standing is not None:
            row |= standing[customer.customer_id]
        writer.writerow({k: neutralise(v) for k, v in row.items()})
        yield buffer.getvalue()
