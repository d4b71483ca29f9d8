"""`customers destruction-statement`: art. 11.1, only once the agreement has ended, and only once."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import stat
from pathlib import Path

import pytest
from freezegun import freeze_time

import assembler.cli.lifecycle  # noqa: F401 - imported before any clock is frozen
import assembler.customers.destruction  # noqa: F401
from assembler.agreement.project import Project
from assembler.customers.destruction import Statement, issue_statement
from assembler.customers.registry import open_registry
from assembler.errors import LifecycleError
from tests.conftest import ROOT
from tests.customers.conftest import CliRun
from tests.signing.conftest import key_env, run_cli, test_pki  # noqa: F401 (fixtures)


def timeline(cli: CliRun, cid: str) -> list[dict[str, str]]:
    shown = cli("customers", "show", cid, "--format", "json")
    assert shown.exit_code == 0, shown.output
    events: list[dict[str, str]] = json.loads(shown.stdout)["timeline"]
    return events


def test_statement_only_after_the_end_and_only_once(cli: CliRun, project_dir: Path,
                                                    registry_file: Path) -> None:
    cli("customers", "import", "customers.csv")
    with freeze_time("2026-11-30 10:00:00"):
        active = cli("customers", "destruction-statement", "C-1042")
        assert active.exit_code == 1
        assert active.stderr == ("assembler: error: C-1042 has not terminated the agreement; art. "
                                 "11.1 allows a destruction statement only after it has ended "
                                 "(`customers terminate`)\n")
        assert cli("customers", "terminate", "C-1042", "--received", "2026-11-30").exit_code == 0
        ending = cli("customers", "destruction-statement", "C-1042")
        assert ending.exit_code == 1 and "the agreement ends on 2026-12-01" in ending.stderr
    archive = registry_file.parent / "archive" / "C-1042"
    assert not list(archive.glob("*verklaring*"))  # nothing stored by a refusal

    with freeze_time("2026-12-01 10:00:00"):
        made = cli("customers", "destruction-statement", "C-1042", "-o", "verklaring.pdf")
        assert made.exit_code == 0, made.output
        assert "issued: destruction statement of C-1042 (unsigned), 2026-12-01" in made.stdout
        (kept,) = archive.glob("C-1042-verklaring-van-vernietiging-2026-12-01-*.pdf")
        assert stat.S_IMODE(kept.stat().st_mode) == 0o600
        assert kept.read_bytes() == (project_dir / "verklaring.pdf").read_bytes()
        last = timeline(cli, "C-1042")[-1]
        assert (last["kind"], last["on"], last["version"]) == ("destroyed", "2026-12-01", "1.0")
        assert last["sha256"] == hashlib.sha256(kept.read_bytes()).hexdigest()
        assert last["evidence"] == f"archived as {kept.name}"

        again = cli("customers", "destruction-statement", "C-1042")
        assert again.exit_code == 1
        assert "a destruction statement was issued on 2026-12-01" in again.stderr
    assert len(list(archive.glob("*verklaring*"))) == 1
    assert [e["kind"] for e in timeline(cli, "C-1042")].count("destroyed") == 1


def test_signed_statement_verifies_against_our_root(project_dir: Path,
                                                    key_env: dict[str, str]) -> None:  # noqa: F811
    env = {**key_env, "ASSEMBLER_ROOT": str(project_dir)}
    assert run_cli("customers", "import", str(ROOT / "examples" / "customers.csv"), env=env,
                   cwd=project_dir).returncode == 0
    # received on a day long past: the agreement has ended whatever the real date is
    assert run_cli("customers", "terminate", "C-1003", "--received", "2026-01-05", env=env,
                   cwd=project_dir).returncode == 0
    made = run_cli("customers", "destruction-statement", "C-1003", "--sign", "-o", "v.pdf",
                   env=env, cwd=project_dir)
    assert made.returncode == 0, made.stderr
    assert "(signed)" in made.stdout
    root = Path(env["ASSEMBLER_SIGNING_PKCS12"]).parent / "root.pem"
    verified = run_cli("verify", "v.pdf", "--trust", str(root), env=env, cwd=project_dir)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "VALID" in verified.stdout


@pytest.mark.parametrize("same_bytes", [True, False], ids=["same-file-name", "own-file-name"])
def test_two_runs_at_once_record_one_statement(cli: CliRun, project_dir: Path,
                                               registry_file: Path, same_bytes: bool) -> None:
    """A run that passed the first check while another recorded its statement is refused.

    The race is played out in order: run A's signer (called after A's first check, before it
    records) runs B to the end on its own connection. With `same_bytes` A's statement is the very
    file B archived, which A must not remove when it gives up.
    """
    cli("customers", "import", "customers.csv")
    project = Project(project_dir)
    with freeze_time("2026-11-30 10:00:00"):
        assert cli("customers", "terminate", "C-1042", "--received", "2026-11-30").exit_code == 0
    archive = registry_file.parent / "archive" / "C-1042"
    won: list[Statement] = []

    def run_b_first(pdf: bytes, _box: object) -> bytes:
        with open_registry(registry_file) as other:
            won.append(issue_statement(other, lambda v: project.resolve(v, None).agreement,
                                       "C-1042", dt.date(2026, 12, 1)))
        return pdf if same_bytes else pdf + b"%A\n"

    with freeze_time("2026-12-01 10:00:00"), open_registry(registry_file) as reg:
        with pytest.raises(LifecycleError, match="a destruction statement was issued on 2026-12-01"):
            issue_statement(reg, lambda v: project.resolve(v, None).agreement, "C-1042",
                            dt.date(2026, 12, 1), run_b_first)
        again = cli("customers", "destruction-statement", "C-1042")
    assert again.exit_code == 1 and again.stderr.count("\n") == 1
    assert [e["kind"] for e in timeline(cli, "C-1042")].count("destroyed") == 1
    (kept,) = archive.glob("*verklaring*")  # B's file, and only B's
    assert kept == won[0].path and kept.read_bytes() == won[0].pdf
