"""The dry run of each send says what the real send does with each notice, refusals included.

In-process (freezegun holds the clock) against the real SMTP test server. For each of the three
sends a notice the real send refuses at send time (late by now, built on an earlier day, its
file gone) is shown by the dry run as "would refuse" with the reason the real send gives, the
other notices as held, and the dry run stops with the real send's error and exit status; the
dry run sends nothing and changes no ledger row.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from click.testing import Result

import assembler.cli.incidents
import assembler.cli.subprocessors  # noqa: F401 - imported before any clock is frozen
from assembler.customers.registry import open_project_registry
from assembler.notices.ledger import Ledger
from tests.cli.test_lifecycle import at, cli, ok
from tests.incidents.conftest import breach_project  # noqa: F401 (fixture)
from tests.notices.conftest import (  # noqa: F401 (fixtures)
    CONTRACT,
    add_customers,
    customer,
    notice_project,
    open_ledger,
    smtp,
    smtp_env,
)
from tests.subprocessors.test_notices import CHANGE


def use_smtp(root: Path, controller: Any, monkeypatch: pytest.MonkeyPatch, **extra: str) -> None:
    monkeypatch.setenv("ASSEMBLER_ROOT", str(root))
    for key, value in smtp_env(controller, **extra).items():
        monkeypatch.setenv(key, value)


def dry_refusals(result: Result, label: str = "") -> dict[str, str]:
    """Return customer id → reason of each "would refuse" line of a dry run."""
    line = re.compile(rf"^{re.escape(label)}would refuse (\S+) to \S+ <[^>]+>: (.*)$")
    return {m[1]: m[2] for m in map(line.match, result.stdout.splitlines()) if m}


def send_refusals(result: Result, label: str = "") -> dict[str, str]:
    """Return customer id → reason of each "refused" line the real send writes on stderr."""
    line = re.compile(rf"^{re.escape(label)}(\S+): refused: (.*)$")
    return {m[1]: m[2] for m in map(line.match, result.stderr.splitlines()) if m}


def assert_same_refusal(dry: Result, real: Result, label: str = "") -> None:
    """The dry run refuses what the send refuses, for the same reasons, and stops the same way."""
    assert dry_refusals(dry, label) == send_refusals(real, label) != {}
    assert dry.exit_code == real.exit_code != 0
    error = real.stderr.strip().splitlines()[-1]
    assert error.startswith("assembler: error: ")
    assert dry.stderr.strip().splitlines()[-1] == error
    assert "would send" not in dry.stdout and "nothing was sent" in dry.stdout


def test_notices_dry_run_refuses_late_notices_sent_without_late(notice_project: Path, smtp,  # noqa: F811
                                                                monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """1.1 takes effect on 1 February 2027; on 15 January its notices are late (art. 11.2)."""
    controller, handler = smtp
    use_smtp(notice_project, controller, monkeypatch)
    with at("2027-01-15 10:00:00"):
        ok("notices", "build", "1.1", "--late")
        dry = cli("notices", "send", "1.1", "--dry-run")
        assert handler.received == [] and handler.connections == 0
        assert {n.state for n in open_ledger(notice_project).notices("1.1")} == {"pending"}
        real = cli("notices", "send", "1.1")
        assert handler.received == []
        assert_same_refusal(dry, real)
        assert dry_refusals(dry)["C-0001"] == (
            "late under art. 11.2: the latest send day for 1.1 was 2026-12-30; build with "
            "`notices build 1.1 --late`, then send with --late")
        assert dry.stdout.splitlines()[-1].endswith("0 notice(s) would be sent via 127.0.0.1:"
                                                     f"{controller.port}; 2 refused; 0 already sent; "
                                                     "nothing was sent")
        with_late = ok("notices", "send", "1.1", "--late", "--dry-run")
        assert with_late.stdout.startswith("would send C-0001 to kim1@example.nl ")
        ok("notices", "send", "1.1", "--late")
    assert sorted(m.rcpt_tos[0] for m in handler.received) == ["kim1@example.nl", "kim2@example.nl"]


def test_notices_dry_run_holds_the_others_while_one_notice_file_is_missing(  # type: ignore[no-untyped-def]
        notice_project: Path, smtp, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    controller, handler = smtp
    use_smtp(notice_project, controller, monkeypatch)
    with at("2026-12-01 10:00:00"):
        ok("notices", "build", "1.1")
        eml = notice_project / "build/notices/1.1/C-0001/VWO-1.1-C-0001.eml"
        eml.unlink()
        dry = cli("notices", "send", "1.1", "--dry-run")
        real = cli("notices", "send", "1.1")
    assert_same_refusal(dry, real)
    shown = open_ledger(notice_project).notice("1.1", "C-0001").eml_path  # type: ignore[union-attr]
    assert Path(shown) in (eml, eml.relative_to(notice_project))
    assert dry_refusals(dry) == {"C-0001": f"{shown} is missing; run `assembler notices build` again"}
    assert re.search(r"^would hold C-0002 to kim2@example.nl <[^>]+>: not sent while 1 notice\(s\) "
                     r"are refused$", dry.stdout, re.M)
    assert "; 1 refused; 1 held; 0 already sent; nothing was sent" in dry.stdout
    assert handler.received == [] and handler.connections == 0
    assert {n.state for n in open_ledger(notice_project).notices("1.1")} == {"pending"}


def test_subprocessors_dry_run_refuses_notices_late_since_they_were_built(  # type: ignore[no-untyped-def]
        notice_project: Path, smtp, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    """Built in time for 30 days' notice; by the time of sending the period is 45 days."""
    controller, handler = smtp
    add_customers(notice_project, [customer(1, services=("gespreksopname",)),
                                   customer(3, services=("hosted-telefonie", "gespreksopname"))])
    use_smtp(notice_project, controller, monkeypatch)
    with at("2026-12-01 09:00:00"):
        ok("subprocessors", "build", CHANGE)
    monkeypatch.setenv("ASSEMBLER_SUBPROCESSORS_NOTICE_DAYS", "45")
    with at("2026-12-01 15:00:00"):
        dry = cli("subprocessors", "send", CHANGE, "--dry-run")
        assert handler.received == [] and handler.connections == 0
        real = cli("subprocessors", "send", CHANGE)
    assert_same_refusal(dry, real)
    assert dry_refusals(dry)["C-0003"] == (
        "can no longer go out 45 days before the effective date (latest send day 2026-11-27, "
        "today 2026-12-01) and was not built with --late")
    assert handler.received == []
    ledger = Ledger(open_project_registry(notice_project).connection, CONTRACT, "subprocessor")
    assert {n.state for n in ledger.notices(CHANGE)} == {"pending"}


def test_incidents_dry_run_refuses_a_phase_built_yesterday(breach_project: Path, smtp,  # noqa: F811
                                                           monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    controller, handler = smtp
    use_smtp(breach_project, controller, monkeypatch)
    with at("2027-03-27 10:30:00"):
        ok("incidents", "build", "2027-001")
    with at("2027-03-28 08:00:00"):
        dry = cli("incidents", "send", "2027-001", "--dry-run")
        assert handler.received == [] and handler.connections == 0
        real = cli("incidents", "send", "2027-001")
    assert_same_refusal(dry, real, label="initial: ")
    assert dry_refusals(dry, "initial: ")["C-0001"] == (
        "built on 2027-03-27, before today: its date would be wrong; run `assembler incidents "
        "build 2027-001 --phase initial` again, then send")
    assert handler.received == []


def test_incidents_dry_run_holds_a_later_phase_while_an_earlier_one_is_refused(  # type: ignore[no-untyped-def]
        breach_project: Path, smtp, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    """Every phase is checked before any goes out: a stale update holds a fresh final notice."""
    controller, handler = smtp
    use_smtp(breach_project, controller, monkeypatch)
    with at("2027-03-27 10:30:00"):
        ok("incidents", "build", "2027-001")
        ok("incidents", "send", "2027-001")
        ok("incidents", "build", "2027-001", "--phase", "update")
    sent = len(handler.received)
    with at("2027-03-28 08:00:00"):
        ok("incidents", "build", "2027-001", "--phase", "final")
        dry = cli("incidents", "send", "2027-001", "--dry-run")
        real = cli("incidents", "send", "2027-001")
    assert_same_refusal(dry, real, label="update: ")
    assert send_refusals(real, "final: ") == {}
    assert re.search(r"^final: would hold C-0001 to kim1@example.nl <breach\.2027-001\.final\.[^>]+>: "
                     r"not sent while 2 notice\(s\) are refused$", dry.stdout, re.M)
    assert "final: dry run: 0 notice(s) would be sent" in dry.stdout
    assert "initial: dry run: 0 notice(s) would be sent" in dry.stdout  # sent the day before
    assert len(handler.received) == sent


def _edit_first_eml(root: Path, kind: str, subject: str) -> tuple[str, str]:
    """Append a line to the first built .eml of `subject`; return its customer id and path."""
    notice = Ledger(open_project_registry(root).connection, CONTRACT, kind).notices(subject)[0]
    path = Path(notice.eml_path) if Path(notice.eml_path).is_absolute() else root / notice.eml_path
    path.write_bytes(path.read_bytes() + b"\r\nP.S. edited by hand\r\n")
    return notice.customer_id, notice.eml_path


class _Kind(NamedTuple):
    project: str
    """The fixture of its project."""
    kind: str
    build: tuple[str, ...]
    subject: str
    label: str
    """What the dry run writes before each line."""
    day: str
    rebuild: str


@pytest.mark.parametrize("case", [
    _Kind("notice_project", "revision", ("notices", "build", "1.1"), "1.1", "", "2026-12-01 10:00:00",
          "run `assembler notices build` again"),
    _Kind("notice_project", "subprocessor", ("subprocessors", "build", CHANGE), CHANGE, "",
          "2026-12-01 09:00:00", "run `assembler subprocessors build` again"),
    _Kind("breach_project", "breach", ("incidents", "build", "2027-001"), "2027-001/initial",
          "initial: ", "2027-03-27 10:30:00", "build the breach notices again"),
], ids=lambda case: case.kind)
def test_every_send_and_its_dry_run_refuse_an_eml_changed_since_its_build(  # type: ignore[no-untyped-def]
        request: pytest.FixtureRequest, smtp, monkeypatch: pytest.MonkeyPatch,  # noqa: F811
        case: _Kind) -> None:
    controller, handler = smtp
    root = request.getfixturevalue(case.project)
    if case.kind == "subprocessor":
        add_customers(root, [customer(1, services=("gespreksopname",))])
    use_smtp(root, controller, monkeypatch)
    with at(case.day):
        ok(*case.build)
        cid, eml = _edit_first_eml(root, case.kind, case.subject)
        send = (case.build[0], "send", case.build[2])
        dry = cli(*send, "--dry-run")
        real = cli(*send)
    assert_same_refusal(dry, real, case.label)
    assert dry_refusals(dry, case.label)[cid] == (
        f"{eml} differs from what the ledger recorded at build time; {case.rebuild}")
    assert "differs from what the ledger recorded at build time (sha256 " in real.stderr
    assert handler.received == []  # the others are held: nothing goes out
