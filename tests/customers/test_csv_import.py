"""Customer CSV validation: every rule, with line, column and reason."""

from __future__ import annotations

import datetime as dt

import pytest
from freezegun import freeze_time

from assembler.customers.csv_export import customers_csv
from assembler.customers.csv_import import btw_checksum_ok, normalise_postcode, parse_customers_csv
from tests.customers.conftest import EXAMPLES, GOOD_ROW, HEADER

SERVICES = ["hosted-telefonie", "sip-trunk", "mobiel", "gespreksopname", "fax2mail", "callcenter",
            "nummerportering"]
VERSIONS = {"1.0": dt.date(2018, 5, 25), "1.1": dt.date(2027, 2, 1)}
"""Released versions and their effective dates."""


def parse(*rows: str, header: str = HEADER):
    return parse_customers_csv("\n".join([header, *rows]) + "\n", SERVICES, VERSIONS)


def row(**changes: str) -> str:
    """Return GOOD_ROW with some columns replaced (values CSV-quoted)."""
    names = HEADER.split(",")
    values = dict(zip(names, GOOD_ROW.split(","), strict=True))
    values.update(changes)
    return ",".join('"' + values[n].replace('"', '""') + '"' for n in names)


def problems_of(text_row: str) -> list[tuple[int, str, str]]:
    return [(p.line, p.column, p.reason) for p in parse(text_row).problems]


def test_a_valid_row_becomes_a_customer() -> None:
    parsed = parse(GOOD_ROW)
    assert parsed.problems == [] and parsed.invalid_rows == 0
    (c,) = parsed.customers
    assert (c.customer_id, c.kvk, c.postcode, c.services, c.signed_on) == (
        "C-2001", "12345678", "1234 AB", ("sip-trunk",), dt.date(2020, 1, 2))


def test_the_examples_are_all_valid() -> None:
    parsed = parse_customers_csv(EXAMPLES.read_text(encoding="utf-8"), SERVICES, VERSIONS)
    assert parsed.errors == []
    assert len(parsed.customers) >= 25
    ids = [c.customer_id for c in parsed.customers]
    assert "C-1042" in ids
    names = " ".join(c.company_name for c in parsed.customers)
    for needle in ("&", '"', "'", "ü", "Ž", "Ø"):
        assert needle in names or needle.lower() in names
    assert len({c.services for c in parsed.customers}) >= 10  # varied services
    emails = [c.contact_email for c in parsed.customers]
    assert all(e.endswith(("@example.nl", "@example.com")) for e in emails)  # the domains themselves
    assert len(set(emails)) == len(emails)


@pytest.mark.parametrize("kvk", ["1234567", "123456789", "1234567a", "12 345 678"])
def test_kvk_must_be_eight_digits(kvk: str) -> None:
    (problem,) = problems_of(row(kvk=kvk))
    assert problem[:2] == (2, "kvk") and "8 digits" in problem[2]


def test_kvk_keeps_leading_zeros() -> None:
    (c,) = parse(row(kvk="01234567")).customers
    assert c.kvk == "01234567"


@pytest.mark.parametrize("email", ["anna", "anna@", "@example.nl", "anna@example", "an na@example.nl",
                                   "anna@@example.nl", "anna..x@example.nl", "anna@-x.example"])
def test_email_syntax(email: str) -> None:
    (problem,) = problems_of(row(contact_email=email))
    assert problem[1] == "contact_email" and "not an e-mail address" in problem[2]


@pytest.mark.parametrize(("given", "normalised"), [("1234AB", "1234 AB"), ("1234 ab", "1234 AB"),
                                                   (" 9999zz ", "9999 ZZ")])
def test_postcode_is_normalised(given: str, normalised: str) -> None:
    (c,) = parse(row(postcode=given)).customers
    assert c.postcode == normalised


@pytest.mark.parametrize("postcode", ["0123 AB", "123 AB", "12345", "1234 A", "1234 SA", "1234 ss",
                                      "1234-AB"])
def test_postcode_must_be_dutch(postcode: str) -> None:
    (problem,) = problems_of(row(postcode=postcode))
    assert problem[1] == "postcode" and "Dutch postcode" in problem[2]
    with pytest.raises(ValueError):
        normalise_postcode(postcode)


def test_services_must_be_known_and_are_kept_in_catalogue_order() -> None:
    (c,) = parse(row(services="mobiel; sip-trunk;mobiel")).customers
    assert c.services == ("sip-trunk", "mobiel")
    (problem,) = problems_of(row(services="sip-trunk;internet"))
    assert problem[1] == "services" and "unknown service 'internet'" in problem[2]
    (problem,) = problems_of(row(services=";;"))
    assert problem[1:] == ("services", "names no service")


def test_version_must_be_released() -> None:
    (problem,) = problems_of(row(version="2.0"))
    assert problem[1] == "version" and "unknown version '2.0' (released: 1.0, 1.1)" in problem[2]


@pytest.mark.parametrize("day", ["2020-13-01", "2020-02-30", "02-01-2020", "20200102", "2020-1-2"])
def test_signed_on_must_be_an_iso_date(day: str) -> None:
    (problem,) = problems_of(row(signed_on=day))
    assert problem[1] == "signed_on" and "YYYY-MM-DD" in problem[2]


@freeze_time("2026-12-01T22:30:00Z")  # 23:30 in Amsterdam: still 1 December there
@pytest.mark.parametrize(("day", "refused"), [("2026-12-01", False), ("2026-12-02", True),
                                              ("2027-06-01", True)])
def test_signed_on_in_the_future_is_refused(day: str, refused: bool) -> None:
    problems = problems_of(row(signed_on=day))
    if not refused:
        assert problems == []
        return
    assert problems == [(2, "signed_on", f"{day} is in the future (today is 2026-12-01, "
                         "Europe/Amsterdam): import a contract once it is signed")]


@freeze_time("2027-03-01 10:00:00")
@pytest.mark.parametrize(("version", "day", "refused"), [
    ("1.0", "2017-06-01", True), ("1.0", "2018-05-24", True), ("1.0", "2018-05-25", False),
    ("1.1", "2027-01-31", True), ("1.1", "2027-02-01", False)])
def test_signed_on_before_the_version_took_effect_is_refused(version: str, day: str,
                                                             refused: bool) -> None:
    """A version binds nobody before its effective date: such a signing date is not a fact."""
    problems = problems_of(row(version=version, signed_on=day))
    effective = VERSIONS[version].isoformat()
    assert problems == ([(2, "signed_on", f"{day} is before version {version} took effect "
                          f"({effective})")] if refused else [])


def parse_btw(btw_id: str):
    return parse(f'{GOOD_ROW},"{btw_id}"', header=HEADER + ",btw_id")


def test_btw_id_format_is_an_error_and_checksum_only_a_warning() -> None:
    (problem,) = parse_btw("NL12345678B01").problems
    assert problem.column == "btw_id" and "not a Dutch VAT id" in problem.reason
    assert not problem.warning and parse_btw("NL12345678B01").customers == []
    parsed = parse_btw("nl 1234.56789 b01")  # normalised, then fails the checksum
    (c,) = parsed.customers
    assert c.btw_id == "NL123456789B01"
    (warning,) = parsed.problems
    assert warning.warning and warning.format("f.csv").startswith("f.csv:2: column btw_id: warning:")
    assert parse_btw("NL000099998B57").problems == []
    assert parse_btw("").customers[0].btw_id == ""  # optional


@pytest.mark.parametrize(("btw", "ok"), [("NL000099998B57", True),   # mod 97 (sole traders)
                                         ("NL341672117B01", True),   # eleven test
                                         ("NL123456789B01", False), ("NL341672118B01", False)])
def test_btw_checksum(btw: str, ok: bool) -> None:
    assert btw_checksum_ok(btw) is ok


def test_every_required_field_must_be_filled() -> None:
    (problem,) = problems_of(row(signatory_role="  "))
    assert problem == (2, "signatory_role", "is empty")


def test_text_fields_reject_control_characters_and_overlong_values() -> None:
    (problem,) = problems_of(row(company_name="A\x07B"))
    assert problem[1] == "company_name" and "U+0007" in problem[2]
    (problem,) = problems_of(row(city="x" * 301))
    assert problem[1] == "city" and "longer than 300" in problem[2]
    assert parse(row(city="x" * 300)).problems == []


def test_customer_id_must_be_usable_in_a_file_name() -> None:
    (problem,) = problems_of(row(customer_id="../C-1"))
    assert problem[1] == "customer_id" and "not an id" in problem[2]


def test_a_duplicate_id_in_one_file_is_an_error() -> None:
    parsed = parse(GOOD_ROW, GOOD_ROW)
    assert [(p.line, p.column) for p in parsed.problems] == [(3, "customer_id")]
    assert "already appears on line 2" in parsed.problems[0].reason


def test_line_numbers_count_physical_lines_of_quoted_multiline_fields() -> None:
    multiline = row(company_name="Twee\nregels")  # a newline is a control character: rejected
    parsed = parse(multiline, row(customer_id="C-2", kvk="1"))
    assert [(p.line, p.column) for p in parsed.problems] == [(2, "company_name"), (4, "kvk")]


def test_header_problems() -> None:
    parsed = parse(GOOD_ROW.replace(",2020-01-02", ""), header=HEADER.replace(",signed_on", ""))
    assert [(p.line, p.column, p.reason) for p in parsed.problems] == [
        (1, "signed_on", "missing from the header")]
    parsed = parse(GOOD_ROW + ",x", header=HEADER + ",colour")
    assert parsed.problems[0].column == "colour" and "not a known column" in parsed.problems[0].reason
    assert parse_customers_csv("", SERVICES, VERSIONS).problems[0].reason.startswith("the file is empty")


def test_a_row_with_the_wrong_number_of_fields() -> None:
    (problem,) = problems_of(GOOD_ROW + ",extra")
    assert problem[0] == 2 and "has 14 fields, the header 13" in problem[2]


def test_a_short_row_names_the_columns_it_lacks() -> None:
    header = HEADER + ",btw_id,contact_salutation"
    (problem,) = parse(GOOD_ROW, header=header).problems
    assert (problem.line, problem.column, problem.reason) == (
        2, "", "has 13 fields, the header 15: no field for btw_id, contact_salutation (an empty "
        "value still needs its separator)")


def test_a_semicolon_csv_from_dutch_excel_is_read_by_its_header() -> None:
    import csv
    import io

    rows = list(csv.reader(io.StringIO(EXAMPLES.read_text(encoding="utf-8"))))
    semicolons = io.StringIO()
    csv.writer(semicolons, delimiter=";", lineterminator="\r\n").writerows(rows)
    text = "\ufeff" + semicolons.getvalue()  # as Excel saves "CSV (puntkomma-gescheiden)"
    assert text.splitlines()[0].startswith("\ufeffcustomer_id;company_name;kvk;")
    parsed = parse_customers_csv(text, SERVICES, VERSIONS)
    assert parsed.errors == [] and parsed.invalid_rows == 0
    as_commas = parse_customers_csv(EXAMPLES.read_text(encoding="utf-8"), SERVICES, VERSIONS)
    assert parsed.customers == as_commas.customers
    assert parsed.customers[0].services == ("hosted-telefonie", "nummerportering")  # quoted ';'


def test_the_header_alone_decides_the_separator() -> None:
    # a comma header with ';' inside a row's values (the services list) stays a comma CSV
    parsed = parse(row(services="sip-trunk;mobiel"))
    assert parsed.errors == [] and parsed.customers[0].services == ("sip-trunk", "mobiel")
    header = HEADER.replace(",", ";")
    (problem,) = parse(GOOD_ROW, header=header).problems  # a comma row under a ';' header
    assert problem.reason.startswith("has 1 field, the header 13: no field for company_name, kvk")


def test_all_problems_of_a_row_are_reported_together() -> None:
    columns = [p[1] for p in problems_of(row(kvk="1", postcode="x", contact_email="y", version="9"))]
    assert columns == ["kvk", "contact_email", "postcode", "version"]


def test_a_bom_is_ignored_and_the_export_reimports_identically() -> None:
    parsed = parse_customers_csv("\ufeff" + EXAMPLES.read_text(encoding="utf-8"), SERVICES, VERSIONS)
    again = parse_customers_csv("".join(customers_csv(parsed.customers)), SERVICES, VERSIONS)
    assert again.customers == parsed.customers and again.problems == []


@pytest.mark.parametrize("name, script", [("株式会社ボイス", "CJK"), ("보이스 주식회사", "HANGUL"),
                                          ("บริษัท วอยซ์ จำกัด", "THAI")])
def test_names_in_scripts_no_shipped_font_shows_are_refused_at_import(name: str, script: str) -> None:
    (problem,) = problems_of(row(company_name=name))
    assert problem[:2] == (2, "company_name")
    assert f"{script} script), which no font of the contract can show; write it in Latin letters" in problem[2]


def test_a_rare_symbol_no_font_has_is_refused_in_any_field() -> None:
    (problem,) = problems_of(row(city="Utrecht \u16a0"))
    assert problem[:2] == (2, "city") and "U+16A0, RUNIC script), which no font" in problem[2]


def test_names_the_fonts_show_are_accepted() -> None:
    for name in ("Ærø Ølfabriek ApS", "Müller & Söhne GmbH", "Ωmega Жук B.V.", "Café e\u0301 😀 B.V."):
        assert problems_of(row(company_name=name)) == [], name


def test_noncharacters_are_refused_like_control_characters() -> None:
    (problem,) = problems_of(row(city="Utrecht\ufffe"))
    assert problem[1] == "city" and "U+FFFE" in problem[2]


def test_ids_differing_only_in_case_are_one_id() -> None:
    parsed = parse(GOOD_ROW, row(customer_id="c-2001", company_name="Ander B.V."))
    assert [(p.line, p.column) for p in parsed.problems] == [(3, "customer_id")]
    assert "'c-2001' already appears on line 2 (ids are the same whatever the case)" in parsed.problems[0].reason


def test_export_neutralises_formula_cells_and_reimports_them_unchanged() -> None:
    hostile = "=HYPERLINK(\"http://example.com/x\",\"klik\")"
    parsed = parse(row(company_name=hostile, city="@SUM(1)", street="+31 Straat 1", contact_name="-Piet"))
    assert parsed.problems == []
    exported = "".join(customers_csv(parsed.customers))
    cells = exported.splitlines()[1]
    assert "'=HYPERLINK(" in cells and "'@SUM(1)" in cells and "'+31 Straat 1" in cells and "'-Piet" in cells
    again = parse_customers_csv(exported, SERVICES, VERSIONS)
    assert again.customers == parsed.customers
