"""Commands of each customer's agreement over time: `customers terminate` (and the lifecycle ones
beside it), attached to the `customers` group by `cli/customers.py`."""

from __future__ import annotations

import datetime as dt

import click

from assembler.cli.context import iso_date, registry
from assembler.customers.lifecycle import record_termination
from assembler.errors import UsageError


@click.command("terminate")
@click.argument("customer_id")
@click.option("--received", callback=iso_date, metavar="YYYY-MM-DD", required=True,
              help="The day the termination reached us (art. 3:37 BW).")
@click.option("--effective", callback=iso_date, metavar="YYYY-MM-DD",
              help="The first day no version binds any more (default: the day after receipt, "
                   "art. 4.2: one day's notice).")
@click.option("--reason", default="", help="Why, as the customer gave it (kept in the history).")
def terminate(customer_id: str, received: dt.date, effective: dt.date | None, reason: str) -> None:
    """Record that a customer terminated the agreement (art. 11.2 "dagelijks opzeggen").

    From the end date on no version binds them: they get no further notices and `build --all`
    skips them.
    """
    if received is None:
        raise UsageError("--received is required")
    with registry() as reg:
        event = record_termination(reg, customer_id, received=received, effective=effective,
                                   reason=reason)
    end = event.effective or received
    click.echo(f"recorded: {customer_id} terminated, received {received.isoformat()}; version "
               f"{event.version or '-'} binds until {(end - dt.timedelta(days=1)).isoformat()}, "
               f"nothing from {end.isoformat()}")


COMMANDS = (terminate,)
"""The lifecycle commands `cli/customers.py` adds to the `customers` group."""
