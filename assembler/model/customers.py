"""A customer as the registry holds them, and the signature boxes of their contract."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Customer:
    """A business customer as kept in the registry (personal data: never in git)."""

    customer_id: str
    """Opaque id, e.g. ``"C-1042"``; the only way the repository refers to a customer."""
    company_name: str
    kvk: str
    """Chamber of Commerce number: 8 digits, kept as text (leading zeros matter)."""
    street: str
    postcode: str
    """Normalised Dutch postcode: ``"1234 AB"``."""
    city: str
    contact_name: str
    contact_email: str
    signatory_name: str
    signatory_role: str
    services: tuple[str, ...]
    """Service ids from the catalogue."""
    version: str
    """The contract version the customer has signed / is on."""
    signed_on: dt.date
    btw_id: str = ""
    """VAT id ``NL123456789B01``, optional."""
    contact_salutation: str = ""
    """How the letter addresses the contact, e.g. ``"Geachte mevrouw Jansen"``; optional."""


@dataclass(frozen=True)
class SignatureBox:
    """Where a signature block landed in a rendered PDF, for placing a signature field."""

    page: int
    """0-based page index."""
    x1: float
    """Lower-left x, in PDF points from the page's lower-left corner."""
    y1: float
    x2: float
    """Upper-right x, in PDF points."""
    y2: float
