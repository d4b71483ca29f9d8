"""Who is affected by a breach, the deadline and the hours left; exit 1 once overdue."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from freezegun import freeze_time

from assembler.agreement.project import Project
from assembler.cli import main
from assembler.customers.lifecycle import owed_customers, record_termination
from assembler.customers.registry import open_project_registry
from assembler.incidents.deadline import AMSTERDAM
from assembler.incidents.plan import breach_days, breach_ledger, plan_incident
from assembler.incidents.record import Catalogue, read_incident
from tests.incidents.conftest import RECORD, write_record


def plan_of(project_dir: Path, now: dt.datetime) -> object:
    agreement = Project(project_dir).resolve().agreement
    with open_project_registry(project_dir) as registry:
        customers = list(registry.customers())
        known = Catalogue({s.id for s in agreement.catalogue.services},
                          {c.id for c in agreement.catalogue.data_categories},
                          {c.customer_id for c in customers})
        incident = read_incident(project_dir / "var" / "incidents" / "2027-001.toml", known)
        bound = owed_customers(registry, *breach_days(incident), kind="breach")
        return plan_incident(incident, customers, agreement.catalogue,
                             breach_ledger(registry.connection, "verwerkersovereenkomst"), now,
                             bound)


def test_selects_by_service_and_only_customers_bound_at_detection(breach_project: Path) -> None:
    plan = plan_of(breach_project, dt.datetime(2027, 3, 27, 12, tzinfo=AMSTERDAM))
    rows = plan.rows  # type: ignore[attr-defined]
    # C-0002 does not use gespreksopname; C-0004 signed only on 1 April 2027.
    assert [(r.customer_id, r.reason, r.status) for r in rows] == [
        ("C-0001", "uses gespreksopname", "on_time"), ("C-0003", "uses gespreksopname", "on_time")]


def test_selects_by_data_category_through_the_catalogue(breach_project: Path) -> None:
    # In 1.0 every category applies to every service: a belhistorie breach touches everyone bound.
    write_record(breach_project, RECORD.replace('services = ["gespreksopname"]', "services = []")
                 .replace("categories = []", 'categories = ["belhistorie"]'))
    plan = plan_of(breach_project, dt.datetime(2027, 3, 27, 12, tzinfo=AMSTERDAM))
    assert [(r.customer_id, r.reason) for r in plan.rows] == [  # type: ignore[attr-defined]
        ("C-0001", "data category belhistorie"), ("C-0002", "data category belhistorie"),
        ("C-0003", "data category belhistorie")]


def test_categories_of_a_named_service_describe_it_and_do_not_widen_the_selection(
        breach_project: Path) -> None:
    # Recordings leaked, exposing phone numbers and call history: still only their customers.
    write_record(breach_project, RECORD.replace(
        "categories = []", 'categories = ["telefoonnummer", "belhistorie"]'))
    plan = plan_of(breach_project, dt.datetime(2027, 3, 27, 12, tzinfo=AMSTERDAM))
    assert [(r.customer_id, r.reason) for r in plan.rows] == [  # type: ignore[attr-defined]
        ("C-0001", "uses gespreksopname"), ("C-0003", "uses gespreksopname")]


def test_selects_named_customers(breach_project: Path) -> None:
    write_record(breach_project, RECORD.replace('services = ["gespreksopname"]', "services = []")
                 .replace("customers = []", 'customers = ["C-0002"]'))
    plan = plan_of(breach_project, dt.datetime(2027, 3, 27, 12, tzinfo=AMSTERDAM))
    assert [(r.customer_id, r.reason) for r in plan.rows] == [  # type: ignore[attr-defined]
        ("C-0002", "named in the record")]


@freeze_time("2027-03-28T09:00:00Z")
def test_plan_command_shows_deadline_and_hours_left(breach_project: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSEMBLER_ROOT", str(breach_project))
    result = CliRunner().invoke(main, ["incidents", "plan", "2027-001"])
    assert result.exit_code == 0, result.output
    # 27 March 10:00 CET + 48 h across the spring change: the clock reads 10:00 again on 29 March
    # after 47 real hours, before 48 have elapsed.
    assert ("deadline (art. 7.1: 48 h on the clock or elapsed, whichever ends first): 2027-03-29 "
            "10:00 CEST, 47 real hours after detection; 23.0 h left") in result.output
    assert "2 affected customer(s): 2 on_time, 0 overdue" in result.output
    data = json.loads(CliRunner().invoke(main, ["incidents", "plan", "2027-001", "--format",
                                                "json"]).output)
    assert data["deadline"] == "2027-03-29T10:00:00+02:00" and data["real_hours"] == 47
    assert [c["customer_id"] for c in data["customers"]] == ["C-0001", "C-0003"]


@freeze_time("2026-10-25T12:00:00Z")
def test_plan_across_the_autumn_change_allows_48_real_hours_not_49(
        breach_project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_record(breach_project, RECORD.replace("2027-03-27T10:00:00", "2026-10-24T10:00:00")
                 .replace("2027-03-26T22:00:00", "2026-10-23T22:00:00"))
    monkeypatch.setenv("ASSEMBLER_ROOT", str(breach_project))
    result = CliRunner().invoke(main, ["incidents", "plan", "2027-001"])
    assert result.exit_code == 0, result.output
    # 24 October 10:00 CEST + 48 h; the clocks go back on 25 October: 48 elapsed hours end at
    # 26 October 09:00 CET, before the clock reads 10:00 again (49 real hours).
    assert ("deadline (art. 7.1: 48 h on the clock or elapsed, whichever ends first): 2026-10-26 "
            "09:00 CET, 48 real hours after detection; 20.0 h left") in result.output


def test_plan_exits_1_once_the_deadline_passed_for_anyone_not_notified(
        breach_project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSEMBLER_ROOT", str(breach_project))
    with freeze_time("2027-03-29T07:59:59Z"):  # 46 h 59 min 59 s after detection: still in time
        result = CliRunner().invoke(main, ["incidents", "plan", "2027-001"])
    assert result.exit_code == 0, result.output
    assert "C-0001     on_time" in result.output
    with freeze_time("2027-03-29T08:00:01Z"):  # past 10:00 CEST on the clock
        result = CliRunner().invoke(main, ["incidents", "plan", "2027-001"])
    assert result.exit_code == 1
    assert "C-0001     overdue" in result.output
    assert ("the art. 7.1 deadline of incident 2027-001 passed at 2027-03-29 10:00 CEST; 2 "
            "affected customer(s) not yet notified (C-0001, C-0003)") in result.output


@freeze_time("2027-03-01T12:00:00Z")
def _terminate(project_dir: Path, customer_id: str) -> None:
    with open_project_registry(project_dir) as registry:
        record_termination(registry, customer_id, received=dt.date(2027, 2, 1))


def _destroy(project_dir: Path, customer_id: str, when: str) -> None:
    """Issue the real art. 11.1 destruction statement of `customer_id` at `when` (UTC)."""
    with freeze_time(when):
        result = CliRunner().invoke(main, ["customers", "destruction-statement", customer_id],
                                    env={"ASSEMBLER_ROOT": str(project_dir)})
    assert result.exit_code == 0, result.output


def test_a_customer_whose_agreement_ended_before_the_breach_is_told_while_we_hold_their_data(
        breach_project: Path) -> None:
    """C-0003's agreement ended on 2 February; their data were not destroyed (art. 11.1), so the
    breach of 26-27 March concerned them too (art. 7.1, GDPR art. 33(2))."""
    _terminate(breach_project, "C-0003")
    plan = plan_of(breach_project, dt.datetime(2027, 3, 27, 12, tzinfo=AMSTERDAM))
    assert [(r.customer_id, r.reason) for r in plan.rows] == [  # type: ignore[attr-defined]
        ("C-0001", "uses gespreksopname"),
        ("C-0003", "uses gespreksopname; agreement ended on 2027-02-02; data held until destroyed")]


def test_a_customer_whose_data_were_destroyed_before_the_breach_is_not_told(
        breach_project: Path) -> None:
    _terminate(breach_project, "C-0003")
    _destroy(breach_project, "C-0003", "2027-03-01T12:00:00Z")
    plan = plan_of(breach_project, dt.datetime(2027, 3, 27, 12, tzinfo=AMSTERDAM))
    assert [r.customer_id for r in plan.rows] == ["C-0001"]  # type: ignore[attr-defined]


def test_a_customer_whose_data_were_destroyed_while_the_breach_went_on_is_told(
        breach_project: Path) -> None:
    """The breach began on 26 March at 22:00; the statement says the data were destroyed by
    27 March at the latest, so they were there when it began."""
    _terminate(breach_project, "C-0003")
    _destroy(breach_project, "C-0003", "2027-03-27T08:00:00Z")
    plan = plan_of(breach_project, dt.datetime(2027, 3, 27, 12, tzinfo=AMSTERDAM))
    assert [(r.customer_id, r.reason) for r in plan.rows][1] == (  # type: ignore[attr-defined]
        "C-0003", "uses gespreksopname; agreement ended on 2027-02-02; data held until destroyed "
                  "on 2027-03-27")


def test_a_customer_whose_agreement_ended_while_the_breach_went_on_is_told(
        breach_project: Path) -> None:
    """The breach ran from 26 March 22:00; C-0003's agreement ended at the start of 27 March,
    the day it was detected: their data was in it, so they are owed the notice (GDPR art. 33(2))."""
    with freeze_time("2027-03-27T10:30:00Z"):
        with open_project_registry(breach_project) as registry:
            record_termination(registry, "C-0003", received=dt.date(2027, 3, 26))
        result = CliRunner().invoke(main, ["incidents", "plan", "2027-001", "--format", "json"],
                                    env={"ASSEMBLER_ROOT": str(breach_project)})
    assert result.exit_code == 0, result.output
    assert [r["customer_id"] for r in json.loads(result.output)["customers"]] == ["C-0001", "C-0003"]
