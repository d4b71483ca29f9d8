"""The typed context every command reads: global options, the project, the registry; shared helpers."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from assembler.agreement.project import Project, find_root
from assembler.customers.registry import Registry, open_project_registry, registry_path
from assembler.errors import UsageError


@dataclass
class CliContext:
    """What the root command was given, and what is opened once per invocation (``ctx.obj``)."""

    debug: bool = False
    """``--debug``: show a traceback when something fails."""
    contract: str | None = None
    """``--contract``: the contract under contracts/ (None: the only one)."""
    registry: str | None = None
    """``--registry`` (or ``$ASSEMBLER_REGISTRY`` through click): the registry file."""
    project: Project | None = None
    """The project the current directory is in, once asked for."""


def context() -> CliContext:
    """Return the root command's `CliContext` (a fresh one when a command runs on its own)."""
    root = click.get_current_context().find_root()
    if not isinstance(root.obj, CliContext):
        root.obj = CliContext()
    return root.obj


def project() -> Project:
    """Return the project the current directory is in (memoised per invocation)."""
    ctx = context()
    if ctx.project is None:
        ctx.project = Project(find_root())
    return ctx.project


def contract_option() -> str | None:
    """Return the --contract given to the root command, if any."""
    return context().contract


def registry_file(root: Path) -> Path:
    """Return the registry file of the project at `root`: ``--registry``, the environment or var/."""
    return registry_path(root, context().registry)


def registry(*, create: bool = False) -> Registry:
    """Open the project's registry (the one opener every command uses); close it with `with`.

    A missing registry file is refused with one line naming it; only a command that stores
    customers (`customers import`) passes ``create=True``.
    """
    return open_project_registry(project().root, context().registry, create=create)


def iso_date(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date | None:
    """Click callback: parse an option given as YYYY-MM-DD, or say clearly that it is not one."""
    if value is None:
        return None
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date in the form YYYY-MM-DD") from None
    if not dt.date(2000, 1, 1) <= day <= dt.date(2999, 12, 31):
        # the date arithmetic of deadlines would overflow near year 9999
        raise click.BadParameter(f"{value!r} is not a day from 2000-01-01 to 2999-12-31")
    return day


def shown_path(path: Path, root: Path) -> str:
    """Return `path` as the build commands print it: relative to the project root when inside it.

    Every `build` prints where it wrote the same way (``build/notices/1.1``), short and the same
    on every machine; a folder outside the project (``-o /tmp/x``) is printed in full.
    """
    path, root = path.resolve(), root.resolve()
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)


summary_format = click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
    help="The summary printed at the end: text, or JSON for scripts.")
"""The `--format` of a bulk job (`notices build`, `subprocessors build`, `incidents build`)."""


def echo_json(data: Any) -> None:
    """Print `data` as indented JSON (UTF-8, keys in the order given)."""
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def echo_csv(rows: Iterable[Mapping[str, Any]], fields: Sequence[str]) -> None:
    """Print `rows` as CSV with a header of `fields` (LF line ends, the columns in that order)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    click.echo(buffer.getvalue(), nl=False)


def use_colour() -> bool:
    """Return whether stdout is a terminal that wants colour."""
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def one_event(flags: Mapping[str, bool]) -> str:
    """Return the one event flag given of `flags` (name → given); refuse none or several.

    The `record` commands take one event at a time, so that each is stored with its own day.
    """
    chosen = [name for name, given in flags.items() if given]
    if len(chosen) != 1:
        names = [f"--{name}" for name in flags]
        raise UsageError(f"say what happened, one event at a time: {', '.join(names[:-1])} or "
                         f"{names[-1]}")
    return chosen[0]
