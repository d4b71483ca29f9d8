"""Commands of each customer's agreement over time: `customers terminate` (and the lifecycle ones
beside it), attached to the `customers` group by `cli/customers.py`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

import click

from assembler.cli.context import iso_date, registry
from assembler.customers.lifecycle import record_termination
from assembler.errors import UsageError

if TYPE_CHECKING:
    from assembler.customers.destruction import Signer


@click.command("terminate", short_help="Record a customer's termination (art. 11.2).")
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


@click.command("receive", short_help="Take in and archive a countersigned contract.")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--customer", "customer_id", metavar="ID",
              help="The customer the copy must belong to (default: the one the PDF names).")
@click.option("--trust", "trust", multiple=True, type=click.Path(path_type=Path, dir_okay=False),
              metavar="ROOT.pem", help="Our signature must chain to this root (PEM or DER); repeatable.")
def receive(file: Path, customer_id: str | None, trust: tuple[Path, ...]) -> None:
    """Take in a countersigned contract FILE.pdf: check, archive (var/archive/ID/) and record it.

    Accepted only when it is the contract we built and signed for that customer, our signature
    is intact, and exactly one signature was added, in the customer's field, with nothing else
    changed, and not by the processor's own certificate or organisation. Otherwise one line
    saying why, exit 1, and nothing is stored. A countersigner other than the registry's
    signatory is taken in with a warning.
    """
    from assembler.cli.signing import configured_signer_certificates, provenance_check, read_pdf
    from assembler.customers.receive import receive_countersigned
    from assembler.signing.keys import load_trust_roots

    pdf = read_pdf(file)
    check = provenance_check()
    if check is None:
        raise UsageError("run `customers receive` inside the project: the contract is rebuilt "
                         "to compare its text")
    roots = load_trust_roots(list(trust)) if trust else None
    with registry() as reg:
        got = receive_countersigned(reg, pdf, str(file), check, roots, customer_id,
                                    configured_signer_certificates())
    for warning in got.warnings:
        click.echo(f"assembler: warning: {warning}", err=True)
    e = got.event
    click.echo(f"received: {e.customer_id} countersigned {e.contract} {e.version} on "
               f"{e.on.isoformat()} ({e.detail}); archived {got.path} (sha256 {e.sha256[:12]}…)")


@click.command("dossier", short_help="Write every document of a customer, with an index.")
@click.argument("customer_id")
@click.option("-o", "--output", "out", type=click.Path(file_okay=False, path_type=Path),
              required=True, help="Folder to write the dossier into.")
def dossier(customer_id: str, out: Path) -> None:
    """Write every document that bound or reached a customer, with index.json and index.pdf.

    Countersigned copies, the destruction statement, every notice e-mail (revision, sub-processor,
    breach) exactly as each send carried it, the letters, and index.json / index.pdf (Dutch): which
    version bound them from when, the timeline with its evidence, the server's replies, and the
    SHA-256 of every file as the registry recorded it, so that every fact can be re-checked.
    """
    from assembler.cli.context import project
    from assembler.customers.dossier import write_dossier
    from assembler.dutch import today_nl

    with registry() as reg:
        index = write_dossier(reg, project().root, customer_id, out, today_nl())
    for f in index["files"]:
        if not f["matches_record"]:
            click.echo(f"assembler: warning: {f['name']} ({f['what']}): sha256 {f['sha256'][:12]}… "
                       f"differs from the registry's record {f['recorded_sha256'][:12]}…", err=True)
    for m in index["missing"]:
        click.echo(f"assembler: warning: {m['name']} ({m['what']}): no file holds the bytes with "
                   f"sha256 {m['recorded_sha256'][:12]}… any more; listed as missing", err=True)
    click.echo(f"wrote the dossier of {customer_id} to {out}/: {len(index['files'])} file(s), "
               "index.json and index.pdf")


STATEMENT_REASON = "Verklaring van vernietiging (art. 11.1) namens Verwerker"
"""The reason in the statement's signature, unless [signing] reason names another."""


@click.command("destruction-statement", short_help="Issue the art. 11.1 verklaring van vernietiging.")
@click.argument("customer_id")
@click.option("-o", "--output", "out", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the statement here (it is always archived under var/archive/ID/).")
@click.option("--sign", "sign", is_flag=True,
              help="Sign it (PAdES) with the processor's key of [signing], as `build --sign` does.")
def destruction_statement(customer_id: str, out: Path | None, sign: bool) -> None:
    """Issue the art. 11.1 "verklaring van vernietiging" of a customer whose agreement has ended.

    A Dutch PDF/A stating that the processor destroyed the personal data of the customer's
    services and data categories (their Bijlage 1), dated today, made by the signatory of the
    agreement. It is archived under var/archive/ID/ and recorded in the history as `destroyed`
    with its SHA-256. A customer whose agreement has not ended, or who has a statement already:
    one line, exit 1, nothing stored.
    """
    from assembler.cli.context import contract_option, project
    from assembler.customers.destruction import issue_statement
    from assembler.dutch import today_nl
    from assembler.fsutil import atomic_write_bytes

    p = project()
    contract = p.contract(contract_option())
    who = p.resolve(None, contract).agreement.meta.processor
    signatory = f"{who.signatory_name} ({who.signatory_role})"
    signer = _statement_signer(signatory) if sign else None  # a key problem stops first
    with registry() as reg:
        made = issue_statement(reg, lambda version: p.resolve(version, contract).agreement,
                               customer_id, today_nl(), signer)
    if out is not None:
        atomic_write_bytes(out, made.pdf)
    e = made.event
    click.echo(f"issued: destruction statement of {customer_id} ({'signed' if made.signed else 'unsigned'}), "
               f"{e.on.isoformat()}; archived {made.path} (sha256 {e.sha256[:12]}…)"
               + (f"; wrote {out}" if out is not None else ""))


def _statement_signer(signatory: str) -> Signer:
    """Return a signer that puts the processor's PAdES signature, by `signatory`, in the box."""
    from dataclasses import replace

    from assembler.cli.signing import signer_from_config
    from assembler.signing.keys import DEFAULT_REASON
    from assembler.signing.pades import sign_pdf

    config = signer_from_config()
    if config.reason == DEFAULT_REASON:  # the contract's reason; a configured one is kept
        config = replace(config, reason=STATEMENT_REASON)
    now = dt.datetime.now(dt.UTC)
    return lambda pdf, box: sign_pdf(pdf, config, box, None, now=now, signatory=signatory)


COMMANDS = (terminate, receive, dossier, destruction_statement)
"""The lifecycle commands `cli/customers.py` adds to the `customers` group."""
