"""Every CLI command has help text and is documented in the README (sqlite-utils' test_docs)."""

from __future__ import annotations

import click
import pytest

from assembler.cli import COMMAND_MODULES, main
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def commands(group: click.Group, prefix: str = "assembler") -> list[tuple[str, click.Command]]:
    out = []
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        cmd = group.get_command(ctx, name)
        assert cmd is not None, f"{prefix} {name} is listed but no module registers it"
        full = f"{prefix} {name}"
        out.append((full, cmd))
        if isinstance(cmd, click.Group):
            out += commands(cmd, full)
    return out


COMMANDS = commands(main)


def test_there_are_commands() -> None:
    assert {"assembler check", "assembler show", "assembler versions", "assembler release"} <= {n for n, _ in COMMANDS}


@pytest.mark.parametrize(("name", "command"), COMMANDS, ids=[n for n, _ in COMMANDS])
def test_command_has_help_and_is_in_readme(name: str, command: click.Command) -> None:
    assert (command.help or "").strip(), f"{name} has no help text"
    assert f"`{name}" in README or f"$ {name}" in README, f"{name} is not documented in README.md"


def test_every_registered_command_is_in_the_lazy_map() -> None:
    import importlib

    for module_name in sorted(set(COMMAND_MODULES.values())):
        group = click.Group()
        importlib.import_module(f"assembler.cli.{module_name}").register(group)
        expected = {name for name, m in COMMAND_MODULES.items() if m == module_name}
        assert set(group.commands) == expected, module_name


def test_check_does_not_load_the_heavy_libraries() -> None:
    import subprocess
    import sys

    code = ("import sys; from click.testing import CliRunner; from assembler.cli import main; "
            "CliRunner().invoke(main, ['check']); "
            "print(sorted(m for m in ('pyhanko', 'typst', 'docxtpl', 'docx') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_readme_starts_with_the_two_commands() -> None:
    head = README[: README.index("## Contents")]
    assert "make demo" in head and "make test" in head
