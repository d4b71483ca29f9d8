"""Fixtures for the customer registry and contract tests: a project, a registry, the CLI."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from assembler.cli import main
from assembler.model import Customer
from tests.conftest import ROOT

EXAMPLES = ROOT / "examples" / "customers.csv"
HEADER = ("customer_id,company_name,kvk,street,postcode,city,contact_name,contact_email,"
          "signatory_name,signatory_role,services,version,signed_on")
GOOD_ROW = ("C-2001,Voorbeeld B.V.,12345678,Dorpsstraat 1,1234 AB,Utrecht,Anna de Vries,"
            "anna.voorbeeld@example.nl,Anna de Vries,Directeur,sip-trunk,1.0,2020-01-02")


@pytest.fixture
def customer() -> Customer:
    """A plain valid customer."""
    return Customer(
        customer_id="C-2001", company_name="Voorbeeld B.V.", kvk="01234567",
        street="Dorpsstraat 1", postcode="1234 AB", city="Utrecht", contact_name="Anna de Vries",
        contact_email="anna.voorbeeld@example.nl", signatory_name="Anna de Vries",
        signatory_role="Directeur", services=("sip-trunk", "mobiel"), version="1.0",
        signed_on=dt.date(2020, 1, 2))


@pytest.fixture
def registry_file(tmp_path: Path) -> Path:
    """Where the test's registry goes (not created yet)."""
    return tmp_path / "private" / "registry.sqlite3"


CliRun = Callable[..., Result]


@pytest.fixture
def cli(project_dir: Path, registry_file: Path, monkeypatch: pytest.MonkeyPatch) -> CliRun:
    """Run `assembler ARGS…` in-process in `project_dir` with the test registry."""
    monkeypatch.chdir(project_dir)
    monkeypatch.delenv("ASSEMBLER_REGISTRY", raising=False)
    shutil.copy(EXAMPLES, project_dir / "customers.csv")

    def run(*args: str, registry: Path | None = registry_file) -> Result:
        runner = CliRunner()
        prefix = ["--registry", str(registry)] if registry else []
        return runner.invoke(main, [*prefix, *args], env={"ASSEMBLER_ROOT": str(project_dir)},
                             catch_exceptions=False)

    return run
