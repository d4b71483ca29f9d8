"""The command line. The only package that imports click, prints, or knows exit codes.

Each issue's commands live in their own module here and are registered at the bottom.
"""

from __future__ import annotations

import sys
import traceback
from typing import Any

import click

from ..errors import AssemblerError


class Group(click.Group):
    """A click group that turns an `AssemblerError` into one line on stderr and its exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except AssemblerError as exc:
            if ctx.find_root().params.get("debug"):
                traceback.print_exc()
            click.echo(f"assembler: error: {exc.message}", err=True)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("assembler: interrupted", err=True)
            sys.exit(130)


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show a traceback when something fails.")
@click.option("--contract", metavar="ID", envvar="ASSEMBLER_CONTRACT",
              help="Contract under contracts/ (default: the only one).")
@click.option("--registry", metavar="PATH", envvar="ASSEMBLER_REGISTRY",
              type=click.Path(dir_okay=False),
              help="Customer registry (SQLite; default var/registry.sqlite3 under the project).")
@click.version_option(package_name="assembler")
@click.pass_context
def main(ctx: click.Context, debug: bool, contract: str | None, registry: str | None) -> None:
    """Keep a standard agreement as Markdown clauses in git and turn it into documents.

    Wherever a version is asked for, give a version number (1.0), any git ref (HEAD, a commit)
    or `worktree`, the files on disk (the default).
    """
    ctx.ensure_object(dict)
    ctx.obj["contract"] = contract
    ctx.obj["registry"] = registry


# Each module registers its own commands; importing them last keeps `main` defined first.
from . import contract, customers, diff, notices, signing, site  # noqa: E402

for _module in (contract, diff, customers, signing, notices, site):
    _module.register(main)
