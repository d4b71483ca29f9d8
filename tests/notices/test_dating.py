"""Who a send skips, and why: `not_owed` asks the lifecycle's rule of the notice's own kind."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

from freezegun import freeze_time

from assembler.customers.lifecycle import record_event, record_termination
from assembler.customers.registry import open_registry
from assembler.model import Customer, HistoryEvent
from assembler.notices.dating import not_owed

D = dt.date


@freeze_time("2027-03-27 12:00:00")
def test_a_breach_skips_only_a_customer_whose_data_were_destroyed_before_it(tmp_path: Path) -> None:
    """Both agreements ended on 2 February; C-0001's data were destroyed on 1 March, C-0002's
    are still held. A revision or sub-processor notice about 26-27 March is owed to neither."""
    base = Customer(customer_id="C-0001", company_name="Voorbeeld B.V.", kvk="01234567",
                    street="Dorpsstraat 1", postcode="1234 AB", city="Utrecht",
                    contact_name="Anna de Vries", contact_email="anna@example.nl",
                    signatory_name="Anna de Vries", signatory_role="Directeur",
                    services=("gespreksopname",), version="1.0", signed_on=D(2020, 1, 2))
    registry = open_registry(tmp_path / "registry.sqlite3")
    try:
        registry.upsert_customers([base, replace(base, customer_id="C-0002")])
        for cid in ("C-0001", "C-0002"):
            record_termination(registry, cid, received=D(2027, 2, 1))
        record_event(registry, "C-0001", HistoryEvent(customer_id="C-0001", kind="destroyed",
                                                      version="1.0", on=D(2027, 3, 1)))
        ids, first, last = ["C-0001", "C-0002"], D(2027, 3, 26), D(2027, 3, 27)
        assert not_owed(registry, ids, first, last, "breach") == {
            "C-0001": "no agreement ran and none of their data was held on 2027-03-26 to "
                      "2027-03-27 (destroyed before)"}
        assert not_owed(registry, ids, first, last) == {
            cid: "no agreement runs on 2027-03-26 to 2027-03-27 (terminated)" for cid in ids}
    finally:
        registry.close()
