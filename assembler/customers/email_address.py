"""The one e-mail address rule: what import accepts is what the notices can send to."""

from __future__ import annotations

import re
from email.errors import HeaderParseError
from email.headerregistry import Address

# Pragmatic address syntax: local part of atext and dots, a domain of LDH labels with a TLD.
_EMAIL_RE = re.compile(
    r"^(?!\.)(?!.*\.\.)[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}(?<!\.)"
    r"@(?=.{1,253}$)(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$")


def valid_email(address: str) -> bool:
    """Return whether `address` is one plain e-mail address (local@domain, no display name).

    The syntax is checked by a pattern (atext local part, LDH domain with a TLD) and the result
    must also parse as an RFC 5322 addr-spec, so an address the registry holds can always be put
    in a ``To:`` header.
    """
    if not _EMAIL_RE.match(address):
        return False
    try:
        parsed = Address(addr_spec=address)
    except (ValueError, IndexError, HeaderParseError):
        return False
    return bool(parsed.username and "." in parsed.domain)
