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


ABBREVIATIONS = ("art.", "e.g.", "i.e.", "cf.", "nr.", "no.", "lid.", "vs.")
"""Words ending in a period that click takes for the end of a sentence."""


def listed(group: click.Group, prefix: str = "assembler") -> list[tuple[str, click.Command, int]]:
    """Return every command with the width click gives its line in its group's listing.

    `Group.format_commands` allows the short help 6 columns less than the formatter's width
    (78 in an 80-column terminal) minus its longest command name.
    """
    ctx = click.Context(group)
    names = group.list_commands(ctx)
    limit = 78 - 6 - max(len(n) for n in names)
    out = []
    for name in names:
        cmd = group.get_command(ctx, name)
        assert cmd is not None
        out.append((f"{prefix} {name}", cmd, limit))
        if isinstance(cmd, click.Group):
            out += listed(cmd, f"{prefix} {name}")
    return out


LISTED = listed(main)


def test_the_listing_walks_every_command() -> None:
    assert {n for n, _, _ in LISTED} == {n for n, _ in COMMANDS}


@pytest.mark.parametrize(("name", "command", "limit"), LISTED, ids=[n for n, _, _ in LISTED])
def test_short_help_in_the_listing_reads_in_full(name: str, command: click.Command,
                                                 limit: int) -> None:
    short = command.get_short_help_str(limit)
    assert not short.endswith("..."), f"{name}: click cuts its help to {short!r}: give a short_help"
    assert not short.lower().endswith(ABBREVIATIONS), \
        f"{name}: {short!r} stops at an abbreviation: give a short_help"
    assert short.endswith("."), f"{name}: {short!r} is not a whole sentence"
