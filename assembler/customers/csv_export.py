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


def customers_csv(customers: Iterable[Customer]) -> Iterable[str]:
    """Yield the CSV lines (header first) of `customers`, importable again."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    yield buffer.getvalue()
    for customer in customers:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(customer_record(customer))
        yield buffer.getvalue()
