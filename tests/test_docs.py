"""Every CLI command has help text and is documented in the README (sqlite-utils' test_docs)."""

from __future__ import annotations

import click
import pytest

from assembler.cli import main
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def commands(group: click.Group, prefix: str = "assembler") -> list[tuple[str, click.Command]]:
    out = []
    for name, cmd in sorted(group.commands.items()):
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


def test_readme_starts_with_the_two_commands() -> None:
    head = README[: README.index("## Contents")]
    assert "make demo" in head and "make test" in head
