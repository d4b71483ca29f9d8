"""Customer CSV export: the registry written back in the import format."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

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


def customers_csv(customers: Iterable[Customer]) -> Iterable[str]:
    """Yield the CSV lines (header first) of `customers`, importable again, formula cells neutralised."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    yield buffer.getvalue()
    for customer in customers:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow({k: neutralise(v) for k, v in customer_record(customer).items()})
        yield buffer.getvalue()
