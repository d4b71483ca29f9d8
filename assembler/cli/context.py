"""Helpers shared by the command modules."""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from typing import Any

import click

from assembler.agreement.project import Project, find_root


def project() -> Project:
    """Return the project the current directory is in (memoised per invocation)."""
    ctx = click.get_current_context()
    obj = ctx.find_root().ensure_object(dict)
    if "project" not in obj:
        obj["project"] = Project(find_root())
    result: Project = obj["project"]
    return result


def contract_option() -> str | None:
    """Return the --contract given to the root command, if any."""
    value: str | None = click.get_current_context().find_root().ensure_object(dict).get("contract")
    return value


def iso_date(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date | None:
    """Click callback: parse an option given as YYYY-MM-DD, or say clearly that it is not one."""
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date in the form YYYY-MM-DD") from None


def echo_json(data: Any) -> None:
    """Print `data` as indented JSON (UTF-8, keys in the order given)."""
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def use_colour() -> bool:
    """Return whether stdout is a terminal that wants colour."""
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")
