"""Commands of the customers: the customer registry (`customers …`) and per-customer contracts (`build`)."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import click

from assembler.cli.context import contract_option, echo_json, iso_date, project, registry
from assembler.cli.lifecycle import COMMANDS as lifecycle_commands
from assembler.customers.csv_export import customer_record, customers_csv, standing_cells
from assembler.customers.csv_import import COLUMNS
from assembler.customers.lifecycle import customer_history, in_force_on, version_in_force
from assembler.customers.registry import Registry
from assembler.customers.timeline import (
    event_line,
    history_record,
    in_force_record,
    in_force_text,
    standings,
)
from assembler.dutch import today_nl
from assembler.errors import CustomerImportError, InputError, UsageError
from assembler.fsutil import MB, read_limited
from assembler.model import Customer

if TYPE_CHECKING:  # the contract builders load Typst, docxtpl and pyHanko: only `build` needs them
    from assembler.customers.bulk import BatchOptions
    from assembler.signing.keys import SignerConfig

FORMAT_CHOICE = click.Choice(["text", "json", "csv"])


def _csv_text(customers: list[Customer], standing: dict[str, dict[str, str]] | None = None) -> str:
    return "".join(customers_csv(customers, standing))


CSV_LIMIT = 50 * MB
"""The largest customer CSV `import` reads (10,000 customers take about 3 MB)."""


@click.group(short_help="Keep the customer registry and each agreement over time.")
def customers() -> None:
    """Keep the customer registry (SQLite, outside git) and each customer's agreement over time."""


@customers.command("import", short_help="Import customers from a CSV file, or update them.")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--skip-invalid", is_flag=True,
              help="Import the valid rows and skip the invalid ones (default: import nothing "
                   "when any row is invalid).")
def import_(file: Path, skip_invalid: bool) -> None:
    """Import customers from a UTF-8 CSV with a header; a customer_id already known is updated.

    Columns: customer_id, company_name, kvk, street, postcode, city, contact_name, contact_email,
    signatory_name, signatory_role, services (ids separated by ';'), version, signed_on
    (YYYY-MM-DD); optional btw_id and contact_salutation. Each invalid row is reported as
    FILE:LINE: column X: reason.
    """
    p = project()
    contract = p.contract(contract_option())
    try:
        text = read_limited(file, CSV_LIMIT, "a customer CSV").decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(str(file), None, f"not UTF-8 (byte {exc.start}): save the CSV as "
                         "UTF-8") from exc
    agreement = p.resolve(None, contract).agreement
    services = [s.id for s in agreement.catalogue.services]
    versions = {v.number: v.effective for v in p.versions(contract)}
    from assembler.customers.csv_import import parse_customers_csv

    parsed = parse_customers_csv(text, services, versions)
    for problem in parsed.problems:
        click.echo(problem.format(str(file)), err=True)
    header_broken = any(pr.line == 1 and not pr.warning for pr in parsed.problems)
    if header_broken or (parsed.invalid_rows and not skip_invalid):
        raise CustomerImportError(str(file), max(parsed.invalid_rows, 1), header=header_broken)
    with registry(create=True) as reg:  # the one command that may create the registry
        result = reg.upsert_customers(parsed.customers)
        total = reg.count()
    skipped = f", {parsed.invalid_rows} invalid row(s) skipped" if parsed.invalid_rows else ""
    click.echo(f"imported {len(parsed.customers)} customer(s) from {file}: {result.added} added, "
               f"{result.updated} updated, {result.unchanged} unchanged{skipped}; "
               f"{total} in the registry")


@customers.command("list", short_help="List the customers and the version in force today.")
@click.option("--format", "fmt", type=FORMAT_CHOICE, default="text", show_default=True)
def list_(fmt: str) -> None:
    """List the customers: id, version in force today, status, company, services."""
    today = today_nl()
    with registry() as reg:
        rows = list(reg.customers())
        standing = {s.customer_id: s for s in standings(reg, today, rows)}
    if fmt == "json":
        echo_json([{**customer_record(c), "in_force": in_force_record(standing[c.customer_id].in_force),
                    "status": standing[c.customer_id].status} for c in rows])
    elif fmt == "csv":
        cells = {cid: standing_cells(in_force_record(s.in_force), s.status)
                 for cid, s in standing.items()}
        click.echo(_csv_text(rows, cells), nl=False)
    elif not rows:
        click.echo("no customers yet (see `assembler customers import FILE.csv`)")
    else:
        width = max(len(c.customer_id) for c in rows)
        lines = []
        for c in rows:
            s = standing[c.customer_id]
            version = s.in_force.version if s.in_force else "-"
            lines.append(f"{c.customer_id:<{width}}  {version:<5}  {s.status:<11}  {c.company_name}  "
                         f"[{', '.join(c.services)}]\n")
        click.echo("".join(lines), nl=False)  # one write: click flushes after every echo
        click.echo(f"{len(rows)} customer(s); version in force on {today.isoformat()}", err=True)


@customers.command("show", short_help="Show one customer's record and timeline.")
@click.argument("customer_id")
@click.option("--on", "on", callback=iso_date, metavar="YYYY-MM-DD",
              help="Which version bound them on this day (default: today).")
@click.option("--format", "fmt", type=FORMAT_CHOICE, default="text", show_default=True)
def show(customer_id: str, on: dt.date | None, fmt: str) -> None:
    """Show one customer's record, the version in force, their status and their timeline."""
    day = on or today_nl()
    with registry() as reg:
        customer = reg.customer(customer_id)
        history = customer_history(reg, customer_id)
    record = customer_record(customer)
    lifecycle = history_record(customer_id, history, day)
    if fmt == "json":
        echo_json({**record, **lifecycle})
    elif fmt == "csv":
        cells = standing_cells(lifecycle["in_force"], lifecycle["status"])
        click.echo(_csv_text([customer], {customer.customer_id: cells}), nl=False)
    else:
        width = max(len(k) for k in COLUMNS)
        for key, value in record.items():
            click.echo(f"{key:<{width}}  {value}")
        click.echo(f"\nin force on {day.isoformat()}: "
                   f"{in_force_text(version_in_force(history, day))}; status {lifecycle['status']}")
        click.echo("timeline:")
        for event in history:
            click.echo(f"  {event_line(event)}")


@customers.command("export", short_help="Export every customer (CSV, JSON or text).")
@click.option("--format", "fmt", type=FORMAT_CHOICE, default="csv", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this file (default: standard output).")
def export(fmt: str, output: Path | None) -> None:
    """Export every customer (CSV in the import format, JSON, or text)."""
    from assembler.fsutil import atomic_write_text

    with registry() as reg:
        rows = list(reg.customers())
    if fmt == "csv":
        text = _csv_text(rows)
    elif fmt == "json":
        import json

        text = json.dumps([customer_record(c) for c in rows], ensure_ascii=False, indent=2) + "\n"
    else:
        buffer = io.StringIO()
        for c in rows:
            for key, value in customer_record(c).items():
                buffer.write(f"{key}: {value}\n")
            buffer.write("\n")
        text = buffer.getvalue()
    if output is None:
        click.echo(text, nl=False)
    else:
        atomic_write_text(output, text, mode=0o600)  # personal data: private like the registry
        click.echo(f"wrote {len(rows)} customer(s) to {output}", err=True)


def _formats(ctx: click.Context, param: click.Parameter, value: str) -> tuple[str, ...]:
    from assembler.customers.document import FORMATS

    chosen = tuple(dict.fromkeys(v.strip() for v in value.split(",") if v.strip()))
    bad = [f for f in chosen if f not in FORMATS]
    if bad or not chosen:
        raise click.BadParameter(f"{value!r}: choose from {', '.join(FORMATS)} (comma-separated)")
    return chosen


def _relative(path: Path) -> str:
    """Return `path` relative to the current folder when it is inside it."""
    absolute = path.resolve()
    return str(absolute.relative_to(Path.cwd())) if absolute.is_relative_to(Path.cwd()) else str(path)


@click.command(short_help="Build customers' contracts as PDF and DOCX.")
@click.option("--customer", "customer_ids", metavar="ID", multiple=True,
              help="The customer to build for (repeatable).")
@click.option("--all", "all_", is_flag=True, help="Build for every customer in the registry.")
@click.option("--version", "version_ref", metavar="V",
              help="Version, git ref or worktree (default: the version in force for each "
                   "customer today).")
@click.option("--format", "formats", default="pdf,docx", show_default=True, callback=_formats,
              help="Formats, comma-separated: pdf, docx.")
@click.option("-o", "--output", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Output folder (default: build/contracts/ under the project).")
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=2, show_default=True,
              help="Worker processes for --all.")
@click.option("--sign", "sign", is_flag=True,
              help="Sign each PDF (PAdES, see `assembler sign`) before it is written; with --customer.")
@click.option("--summary", "summary", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="The summary --all prints at the end: text, or JSON for scripts.")
def build(customer_ids: tuple[str, ...], all_: bool, version_ref: str | None,
          formats: tuple[str, ...], out_dir: Path | None, jobs: int, sign: bool,
          summary: str) -> None:
    """Build customers' contracts: <customer_id>-<contract>-<version>.pdf and .docx.

    The version in the name is the version number, or "concept" for a text that is not a released
    version (the work tree with edits, a branch).
    """
    from assembler.customers.bulk import BatchOptions, write_contract
    from assembler.customers.document import ContractBuilder

    if bool(customer_ids) == all_:
        raise UsageError("give --customer ID (one or more) or --all")
    p = project()
    contract = p.contract(contract_option())
    out = out_dir if out_dir is not None else p.root / "build" / "contracts"
    if sign and (all_ or "pdf" not in formats):
        raise UsageError("--sign signs the PDF of each --customer: give --customer and a pdf format")
    signer = _signer() if sign else None  # a key problem stops before anything is built
    today = today_nl()
    with registry() as reg:
        if customer_ids:
            chosen = [_in_force_today(reg, reg.customer(cid), today, version_ref)
                      for cid in customer_ids]
            builder = ContractBuilder(p, contract)
            for customer in chosen:
                if signer is None:
                    built = builder.build(customer, version_ref, formats, boxes=False)
                else:
                    from assembler.cli.signing import sign_built, signing_now

                    who = builder.resolve(version_ref or customer.version)[0].agreement.meta.processor
                    signing, now = signing_now(signer, f"{who.signatory_name} ({who.signatory_role})")
                    built = sign_built(builder.build(customer, version_ref, formats, True, signing),
                                       signer, signing, now)
                for path in write_contract(built, out, formats):
                    click.echo(f"wrote {_relative(path)}")
            return
        _build_all(reg, p.root, BatchOptions(out, version_ref=version_ref, formats=formats,
                                             contract=contract), _Run(jobs, today, summary))


@dataclass(frozen=True)
class _Run:
    """How `build --all` runs: worker processes, the day whose versions bind, the summary's format."""

    jobs: int
    today: dt.date
    summary: str


def _signer() -> SignerConfig:
    """Return the configured signer; pyHanko takes a second to import, so only when signing."""
    from assembler.cli.signing import signer_from_config

    return signer_from_config()


def _build_all(reg: Registry, root: Path, options: BatchOptions, run: _Run) -> None:
    """Build every customer bound today, by the version in force for them (or --version)."""
    total = reg.count()
    if total == 0:
        raise UsageError(f"{reg.path}: no customers (see `assembler customers import`)")
    from assembler.cli.progress import progress_bar
    from assembler.customers.bulk import batch_pool, build_many

    # The workers start first and load the text while this process reads the registry.
    with batch_pool(root, options, min(run.jobs, max(1, total // 20)), total) as pool:
        everyone = list(reg.customers())
        bound = in_force_on(reg, run.today, everyone)
        chosen = [replace(c, version=bound[c.customer_id].version) for c in everyone
                  if c.customer_id in bound]
        if len(chosen) < total:
            click.echo(f"{total - len(chosen)} customer(s) skipped: no version binds them on "
                       f"{run.today.isoformat()} (terminated)", err=True)
        with progress_bar("building contracts") as bar:
            result = build_many(root, chosen, options, pool=pool,
                                progress=lambda done: bar(done, len(chosen)))
    for cid, message in result.failures:
        click.echo(f"assembler: error: {cid}: {message}", err=True)
    rate = result.built / result.seconds if result.seconds else 0.0
    if run.summary == "json":
        echo_json({"customers": total, "built": result.built, "skipped": total - len(chosen),
                   "files": result.file_count,
                   "failed": [{"customer_id": cid, "error": m} for cid, m in result.failures],
                   "output": _relative(options.out_dir), "seconds": round(result.seconds, 3),
                   "per_second": round(rate, 1)})
    else:
        click.echo(f"built {result.built} of {total} customer(s) ({result.file_count} files) in "
                   f"{result.seconds:.1f} s ({rate:.0f} customers/s) into {_relative(options.out_dir)}/")
    if result.failures:
        raise SystemExit(1)


def _in_force_today(reg: Registry, customer: Customer, today: dt.date,
                    version_ref: str | None) -> Customer:
    """Return `customer` with the version in force today as theirs, saying so; or refuse."""
    if version_ref is not None:
        return customer
    in_force = version_in_force(customer_history(reg, customer.customer_id), today)
    if in_force is None:
        raise UsageError(f"{customer.customer_id}: no version binds them on {today.isoformat()} "
                         "(terminated, or not signed yet); give --version to build one anyway")
    click.echo(f"{customer.customer_id}: the version in force today is {in_force_text(in_force)}",
               err=True)
    return replace(customer, version=in_force.version)


def register(group: click.Group) -> None:
    """Add this module's commands to `group`."""
    for command in lifecycle_commands:
        customers.add_command(command)
    group.add_command(customers)
    group.add_command(build)

