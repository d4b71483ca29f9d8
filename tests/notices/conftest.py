"""Fixtures for the notices: a project with a released 1.1, customers, a real SMTP server."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import socket
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from freezegun import freeze_time

from assembler.agreement.project import Project
from assembler.customers.registry import open_project_registry
from assembler.model import Customer
from assembler.notices.build import BuildRequest, build_notices
from assembler.notices.ledger import Ledger
from assembler.notices.plan import PlanRequest, Texts, plan_notices
from assembler.workflow.release import release_version
from tests.conftest import ROOT, git

CONTRACT = "verwerkersovereenkomst"
EFFECTIVE = dt.date(2027, 2, 1)
TODAY = dt.date(2026, 11, 28)
NOTE_7 = "Wij melden een datalek voortaan binnen 24 uur in plaats van binnen 48 uur."
SENDER = "privacy@example.nl"


def customer(n: int, version: str = "1.0", services: tuple[str, ...] = ("sip-trunk",),
             **kw: Any) -> Customer:
    """Return a fictitious customer number `n` (example.nl addresses only)."""
    values: dict[str, Any] = dict(
        customer_id=f"C-{n:04d}", company_name=f"Voorbeeld {n} B.V.", kvk=f"{10000000 + n}",
        street=f"Dorpsstraat {n}", postcode="1234 AB", city="Utrecht",
        contact_name=f"Kim Jansen {n}", contact_email=f"kim{n}@example.nl",
        signatory_name=f"Kim Jansen {n}", signatory_role="Directeur", services=services,
        version=version, signed_on=dt.date(2020, 1, 1))
    values.update(kw)
    return Customer(**values)


def release_11(project_dir: Path, notes: dict[str, str] | None = None) -> None:
    """Edit clause 7.1 (48 → 24 hours), release it as 1.1 and commit."""
    path = project_dir / "contracts" / CONTRACT / "07-datalekken.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("achtenveertig (48)", "vierentwintig (24)"), encoding="utf-8")
    release_version(Project(project_dir), CONTRACT, "1.1", EFFECTIVE, today=TODAY,
                    toelichting={"7": NOTE_7} if notes is None else notes)
    git(project_dir, "add", "-A")
    git(project_dir, "commit", "-q", "-m", "v1.1")


@pytest.fixture
def notice_project(project_dir: Path) -> Path:
    """A project with 1.1 released (clause 7.1 changed) and three customers in the registry."""
    release_11(project_dir)
    add_customers(project_dir, [customer(1), customer(2, contact_salutation="Geachte mevrouw Jansen"),
                                customer(3, version="1.1")])
    return project_dir


def build(project_dir: Path, today: dt.date = TODAY, version: str = "1.1") -> Any:
    """Build the notices of `version` in-process, as `notices build` does."""
    project = Project(project_dir)
    registry = open_project_registry(project_dir)
    ledger = Ledger(registry.connection, CONTRACT)
    customers = list(registry.customers())
    plan = plan_notices(project, PlanRequest(CONTRACT, version, today), customers, ledger)
    request = BuildRequest(project_dir / "build" / "notices" / version, today, SENDER)
    summary = build_notices(Texts(project, CONTRACT), plan, customers, ledger, request)
    registry.close()
    return summary


def add_customers(project_dir: Path, customers: list[Customer]) -> None:
    """Store `customers` in the project's registry."""
    with open_project_registry(project_dir) as registry:
        registry.upsert_customers(customers)


def open_ledger(project_dir: Path) -> Ledger:
    """Return the ledger of the project's registry."""
    return Ledger(open_project_registry(project_dir).connection, CONTRACT)


def pin_sent_at(project_dir: Path, customer_id: str, when: str) -> None:
    """Set the recorded send time of a notice (the SMTP run happens in a subprocess, where the
    clock cannot be frozen), so that date-dependent assertions do not depend on today."""
    with open_project_registry(project_dir) as registry:
        registry.connection.execute("UPDATE notices SET sent_at=? WHERE customer_id=?",
                                    (when, customer_id))


def pin_recorded_at(project_dir: Path, customer_id: str, when: str) -> None:
    """Set when the events of a customer's notice were recorded (see `pin_sent_at`)."""
    with open_project_registry(project_dir) as registry:
        registry.connection.execute("UPDATE notice_events SET recorded_at=? WHERE customer_id=?",
                                    (when, customer_id))


@dataclass
class Received:
    """One message the test server accepted."""

    mail_from: str
    rcpt_tos: list[str]
    content: bytes

    @property
    def message_id(self) -> str:
        return str(message_from_bytes(self.content, policy=policy.default)["Message-ID"])


@dataclass
class Handler:
    """An aiosmtpd handler: accepts, or replies 4xx/5xx as told; can hold one message."""

    received: list[Received] = field(default_factory=list)
    transient: dict[str, int] = field(default_factory=dict)
    """Address → how many times to answer 451 before accepting."""
    reject: set[str] = field(default_factory=set)
    """Addresses answered 550."""
    hold_after: int | None = None
    """Queue the message after this many, but hold its reply back until `release` is set."""
    holding: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    drop: set[str] = field(default_factory=set)
    """Addresses whose message is queued, then the connection dropped before the reply."""
    attempts: list[str] = field(default_factory=list)
    connections: int = 0
    """EHLO greetings seen: one per SMTP connection."""

    async def handle_EHLO(self, server: Any, session: Any, envelope: Any, hostname: str,
                          responses: list[str]) -> list[str]:
        self.connections += 1
        session.host_name = hostname
        return responses

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        rcpt = envelope.rcpt_tos[0]
        self.attempts.append(rcpt)
        if rcpt in self.reject:
            return "550 5.1.1 mailbox unavailable"
        if self.transient.get(rcpt, 0) > 0:
            self.transient[rcpt] -= 1
            return "451 4.3.0 try again later"
        message = Received(envelope.mail_from, list(envelope.rcpt_tos),
                           bytes(envelope.original_content))
        if rcpt in self.drop:
            self.received.append(message)
            server.transport.close()  # accepted, but the sender never hears so
            return "250 2.0.0 Ok: queued"
        if self.hold_after is not None and len(self.received) == self.hold_after:
            # The server has queued the message, but its reply is held back: a sender killed now
            # never learns that the message was accepted.
            self.hold_after = None
            self.received.append(message)
            self.holding.set()
            while not self.release.is_set():
                await asyncio.sleep(0.01)
            return "250 2.0.0 Ok: queued"
        self.received.append(message)
        return "250 2.0.0 Ok: queued"


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that is free right now (aiosmtpd cannot bind port 0)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp() -> Iterator[tuple[Controller, Handler]]:
    """A real SMTP server on 127.0.0.1 (ephemeral port)."""
    handler = Handler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield controller, handler
    finally:
        handler.release.set()
        controller.stop()


def smtp_env(controller: Controller, **extra: str) -> dict[str, str]:
    """Return the environment pointing the assembler at the test server."""
    return {"ASSEMBLER_SMTP_HOST": "127.0.0.1", "ASSEMBLER_SMTP_PORT": str(controller.port),
            "ASSEMBLER_SMTP_SECURITY": "none", "ASSEMBLER_SMTP_SENDER": SENDER,
            "ASSEMBLER_SMTP_RATE": "0", "ASSEMBLER_SMTP_BACKOFF": "0.01", **extra}


FROZEN_CLOCK = ROOT / "tests" / "frozen_clock"
"""Put on PYTHONPATH, it starts a command's clock at ASSEMBLER_TEST_NOW (see its sitecustomize)."""

NOW = f"{TODAY.isoformat()} 09:00:00"
"""When the fixtures' commands run as processes (UTC): the day 1.1 was released."""


@pytest.fixture
def clock_of_the_commands() -> Iterator[None]:
    """Run a test's in-process steps (a build, a check of the ledger) at the moment its commands
    run as processes (`cli_env`'s clock, `NOW`), so that a notice built in the test is not from
    another day than its send. The test's SMTP server keeps the real clock."""
    with freeze_time(NOW, tick=True, ignore=["asyncio", "aiosmtpd"]):
        yield


def frozen_clock_env(now: str = NOW) -> dict[str, str]:
    """Return what a CLI subprocess needs to import the project with its clock started at `now`.

    A process cannot be frozen by the test's ``freeze_time``: without its own clock a test of a
    notice that must go out a month ahead would fail once the real day passed the fixtures'.
    """
    return {"PYTHONPATH": os.pathsep.join([str(ROOT), str(FROZEN_CLOCK)]), "ASSEMBLER_TEST_NOW": now}


def cli_env(project_dir: Path, now: str = NOW, **extra: str) -> dict[str, str]:
    """Return the environment of a CLI subprocess run in `project_dir`, its clock started at `now`."""
    return {**os.environ, "ASSEMBLER_ROOT": str(project_dir), **frozen_clock_env(now), **extra}


PYTHON = sys.executable
