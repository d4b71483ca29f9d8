"""How every notice letter and e-mail addresses its reader (revision, sub-processor, breach)."""

from __future__ import annotations

from assembler.model import Customer


def salutation(customer: Customer) -> str:
    """Return the letter's salutation, with its comma.

    The registry's `contact_salutation` when set ("Geachte mevrouw Jansen"); otherwise the contact's
    full name ("Geachte Kim Jansen,"), the form Dutch style guides advise when the form of address is
    not known; without a name, "Geachte heer, mevrouw,".
    """
    if customer.contact_salutation.strip():
        text = customer.contact_salutation.strip()
        return text if text.endswith(",") else text + ","
    if customer.contact_name.strip():
        return f"Geachte {customer.contact_name.strip()},"
    return "Geachte heer, mevrouw,"
