"""The command line. The only package that imports click, prints, or knows exit codes.

Each area's commands live in their own module here, which `register`s them on the group. The
modules are imported only when one of their commands runs (`COMMAND_MODULES`): `assembler check`
need not load pyHanko, Typst and docxtpl, which would triple its start-up time.
"""

from __future__ import annotations

import importlib
import sys
import traceback
from typing import Any

import click

from assembler import __version__
from assembler.cli.context import CliContext
from assembler.cli.entry import collect_from_here
from assembler.db import DatabaseError
from assembler.errors import AssemblerError

COMMAND_MODULES: dict[str, str] = {
    "versions": "agreement",
    "show": "agreement",
    "check": "workflow",
    "release": "workflow",
    "diff": "redline",
    "customers": "customers",
    "build": "customers",
    "sign": "signing",
    "verify": "signing",
    "guard": "workflow",
    "tag": "workflow",
    "site": "workflow",
    "notices": "notices",
    "incidents": "incidents",
    "subprocessors": "subprocessors",
}
"""Command name → the module under assembler.cli that registers it."""


class Group(click.Group):
    """A click group that loads command modules lazily and turns an `AssemblerError` into one
    line on stderr and its exit code."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(COMMAND_MODULES))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMAND_MODULES:
            module = importlib.import_module(f"{__name__}.{COMMAND_MODULES[cmd_name]}")
            module.register(self)
        return super().get_command(ctx, cmd_name)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except AssemblerError as exc:
            _debug_traceback(ctx)
            click.echo(f"assembler: error: {exc.message}", err=True)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("assembler: interrupted", err=True)
            sys.exit(130)
        except click.exceptions.UsageError as exc:
            click.echo(f"assembler: error: {usage_line(exc)}", err=True)
            sys.exit(exc.exit_code)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort,
                BrokenPipeError):
            raise  # click's own handling: a reader that stopped reading (`| head`) ends us quietly
        except DatabaseError as exc:
            _debug_traceback(ctx)
            click.echo(f"assembler: error: the customer registry cannot be used: {exc} (another "
                       "process may be writing to it; try again when it is done)", err=True)
            sys.exit(1)
        except Exception as exc:  # noqa: BLE001 - the last line of defence: one line, no traceback
            _debug_traceback(ctx)
            click.echo(f"assembler: error: unexpected {type(exc).__name__}: {exc} (a bug; run with "
                       "--debug for the traceback)", err=True)
            sys.exit(1)


def usage_line(exc: click.exceptions.UsageError) -> str:
    """Return a usage error as one line: what is wrong and where the command's help is."""
    message = " ".join(exc.format_message().split())
    if exc.ctx is None:
        return message
    return f"{message} (see `{exc.ctx.command_path} -h`)"


def _debug_traceback(ctx: click.Context) -> None:
    if ctx.find_root().params.get("debug"):
        traceback.print_exc()


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show a traceback when something fails.")
@click.option("--contract", metavar="ID", envvar="ASSEMBLER_CONTRACT",
              help="Contract under contracts/ (default: the only one).")
@click.option("--registry", metavar="PATH", envvar="ASSEMBLER_REGISTRY",
              type=click.Path(dir_okay=False),
              help="Customer registry (SQLite; default var/registry.sqlite3 under the project).")
@click.version_option(version=__version__, prog_name="assembler")
@click.pass_context
def main(ctx: click.Context, debug: bool, contract: str | None, registry: str | None) -> None:
    """Keep a standard agreement as Markdown clauses in git and turn it into documents.

    Wherever a version is asked for, give a version number (1.0), any git ref (HEAD, a commit)
    or `worktree`, the files on disk (the default).
    """
    collect_from_here()  # the command and its module are loaded (click resolves it first)
    ctx.obj = CliContext(debug=debug, contract=contract, registry=registry)
