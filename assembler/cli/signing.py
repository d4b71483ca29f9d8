"""Commands of signing: `sign` and `verify`."""

from __future__ import annotations

import datetime as dt
import sys
from dataclasses import replace
from pathlib import Path

import click
from cryptography import x509

from assembler.agreement.project import Project, find_root
from assembler.cli.context import echo_json, project, registry_file
from assembler.config import Config, load_config
from assembler.customers.document import BuiltContract
from assembler.errors import InputError, RepositoryError, UsageError
from assembler.fsutil import MB, atomic_write_bytes, read_limited
from assembler.model import ProcessorSigning, SignatureBox, SignatureCheck, VerifyResult
from assembler.signing.appearance import TIMEZONE, local_time
from assembler.signing.document_kinds import identify
from assembler.signing.keys import (
    SignerConfig,
    configured_certificates,
    load_signer,
    load_trust,
    trust_entries,
)
from assembler.signing.pades import CUSTOMER_FIELD, check_unsigned, sign_pdf
from assembler.signing.provenance import check_provenance, locate_blocks, read_claim
from assembler.signing.verify import ProvenanceCheck, verify_pdf

PDF_LIMIT = 50 * MB
"""The largest PDF `sign` and `verify` read (a signed contract is well under 1 MB)."""
NOT_VERIFIED_EXIT = 3
"""`verify`'s exit code for a file that is intact but whose signer no trust root vouches for."""


def ask_password() -> str | None:
    """Ask for the key's password with a hidden prompt, only when stdin is a terminal."""
    if not sys.stdin.isatty():
        return None
    value: str = click.prompt("Password of the signing key", hide_input=True, default="",
                              show_default=False, err=True)
    return value


def _config() -> Config:
    try:
        root = find_root()
    except RepositoryError:
        root = Path.cwd()  # a PDF outside a project: assembler.toml of this folder, if any
    return load_config(root)


def signer_from_config(ltv: bool = False) -> SignerConfig:
    """Return the signer of the project's [signing] configuration (the password from env or prompt)."""
    return load_signer(_config(), ask_password, ltv=ltv)


def configured_signer_certificates() -> list[x509.Certificate]:
    """Return the configured signer's certificate, if readable without a prompt (for `receive`)."""
    return configured_certificates(_config())


def read_pdf(path: Path) -> bytes:
    """Return the bytes of `path`, or a clear InputError."""
    data = read_limited(path, PDF_LIMIT, "a contract PDF")
    if not data.startswith(b"%PDF-"):
        raise InputError(str(path), None, "not a PDF file")
    return data


def _project_and_registry() -> tuple[Project, Path] | None:
    """Return the current project and its registry file, or None outside a project."""
    try:
        p = project()
    except RepositoryError:
        return None
    return p, registry_file(p.root)


def placement(file: Path, pdf: bytes) -> tuple[SignatureBox, SignatureBox] | None:
    """Return where the signature blocks of one of our contracts are; warn and return None if unknown."""
    if read_claim(pdf) is None:
        kind = identify(pdf)
        what = (f"is a {kind.kind}, not a contract" if kind
                else "names no contract, version and customer in its metadata")
        click.echo(f"assembler: warning: {file} {what}: the signature is invisible and no field is "
                   "left for a countersignature", err=True)
        return None
    where = _project_and_registry()
    found = locate_blocks(*where, pdf) if where else "not inside an assembler project"
    if isinstance(found, str) or found is None:
        click.echo(f"assembler: warning: {file}: cannot find its signature blocks ({found}): the "
                   "signature is invisible and no field is left for a countersignature", err=True)
        return None
    return found


def signing_now(signer: SignerConfig, signatory: str) -> tuple[ProcessorSigning, dt.datetime]:
    """Return where, when and by whom the processor signs now (the clock, Amsterdam's day)."""
    now = dt.datetime.now(dt.UTC)
    return ProcessorSigning(signer.location, now.astimezone(TIMEZONE).date(), signatory), now


def sign_built(built: BuiltContract, signer: SignerConfig, signing: ProcessorSigning,
               now: dt.datetime) -> BuiltContract:
    """Return `built` with its PDF signed in the processor's block (for `build --sign`).

    `built` was rendered with `signing`, so its Plaats and Datum lines say what the stamp says.
    """
    assert built.pdf is not None
    return replace(built, pdf=sign_pdf(built.pdf, signer, built.processor_box, built.customer_box,
                                       now=now, signatory=signing.signatory))


@click.command("sign")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False),
              help="Where to write the signed PDF (default: FILE-signed.pdf beside FILE).")
@click.option("--ltv", is_flag=True,
              help="Embed revocation data (PAdES B-LT); fails when it cannot be fetched.")
def sign_command(file: Path, output: Path | None, ltv: bool) -> None:
    """Sign FILE.pdf (PAdES) with the key of [signing] pkcs12.

    The password comes from ASSEMBLER_SIGNING_PASSWORD or, on a terminal, a hidden prompt.
    A contract built by assembler is signed visibly in the processor's signature block, with an
    empty field left in the customer's block; any other PDF gets an invisible signature.
    """
    out = output or file.with_name(f"{file.stem}-signed.pdf")
    if out.resolve() == file.resolve():
        raise UsageError(f"{out}: refusing to overwrite the input; give another -o")
    pdf = read_pdf(file)
    signer = signer_from_config(ltv)  # first: a key problem is reported before anything else
    check_unsigned(pdf, contract=read_claim(pdf) is not None)  # before comparing it with a rebuild
    boxes = placement(file, pdf)
    signed = sign_pdf(pdf, signer, *(boxes or (None, None)))
    atomic_write_bytes(out, signed)
    level = "B-LT" if ltv else "B-T" if signer.tsa_url else "B-B"
    where = (f"visible in the processor's signature block, empty field {CUSTOMER_FIELD!r} for the "
             "customer" if boxes else "invisible")
    click.echo(f"signed {file} -> {out}: PAdES {level} by {signer.common_name}, {where}")


@click.command("verify", short_help="Check FILE.pdf's signatures, changes since and trust.")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--trust", "trust", multiple=True, metavar="[FIELD=]ROOT.pem",
              help="Trust this root certificate (PEM or DER), for every field or for FIELD only; "
                   "repeatable. Replaces [signing] trust / ASSEMBLER_SIGNING_TRUST.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def verify_command(file: Path, trust: tuple[str, ...], fmt: str) -> None:
    """Say whether FILE.pdf is authentic: signatures, changes since, trust, and provenance.

    Exits 0 (VALID) when every signature is valid, covers the file or only allowed later changes
    (the customer's countersignature), chains to a trust root, and the file is not shown to
    differ from the version it names; 3 (INTACT, SIGNER NOT VERIFIED) when all that holds but
    no trust root vouches for a signer; 1 (INVALID) otherwise.
    """
    pdf = read_pdf(file)
    result = verify_pdf(pdf, load_trust(trust_entries(_config(), list(trust))), provenance_check())
    if fmt == "json":
        echo_json(result_json(file, result))
    else:
        click.echo(result_text(file, result))
    if result.verdict != "valid":
        sys.exit(NOT_VERIFIED_EXIT if result.verdict == "not verified" else 1)


def provenance_check() -> ProvenanceCheck | None:
    """Return the provenance check of the current project, or None outside a project."""
    where = _project_and_registry()
    if where is None:
        return None
    return lambda signed_revision: check_provenance(*where, signed_revision)


def problems(result: VerifyResult) -> list[str]:
    """Return, in a few words each, why `result` is not valid."""
    found = [] if result.signatures else ["not signed"]
    for s in result.signatures:
        if s.problem:
            found.append(f"signature {s.field!r} cannot be evaluated")
        elif not s.intact:
            found.append(f"the content signed in {s.field!r} was modified")
        elif not s.valid:
            found.append(f"signature {s.field!r} does not verify")
        elif not s.changes_allowed:
            found.append(f"changes were appended after {s.field!r} was signed")
        if s.trusted is False:
            found.append(f"the signer of {s.field!r} is not trusted"
                         + (f" ({s.trust_problem})" if s.trust_problem else ""))
        if s.timestamp is not None and not s.timestamp.valid:
            found.append(f"the timestamp on {s.field!r} is not valid")
    if result.provenance.status == "mismatch":
        found.append("the text is not the contract version it claims to be")
    return found


def _plain(value: object) -> object:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dt.datetime):
        return value.isoformat()
    return value


def result_json(file: Path, result: VerifyResult) -> dict[str, object]:
    """Return `result` as the JSON `verify --format json` prints."""
    from dataclasses import asdict

    data = {"file": str(file), "verdict": result.verdict, "valid": result.valid,
            "problems": problems(result),
            "trust_checked": result.trust_checked,
            "signatures": [{**asdict(s), "ok": s.ok} for s in result.signatures],
            "empty_fields": list(result.empty_fields), "provenance": asdict(result.provenance)}
    return _plain(data)  # type: ignore[return-value]


def format_text(s: SignatureCheck) -> str:
    """Return what kind of signature `s` is: ``PAdES B-T (ETSI.CAdES.detached, SHA-256 digest)``.

    Only a PAdES signature (SubFilter ``ETSI.CAdES.detached``) has a PAdES level; any other is
    named for what it is, e.g. ``CMS (adbe.pkcs7.detached), not PAdES; SHA-256 digest``.
    """
    digest = f"{s.digest.upper().replace('SHA', 'SHA-')} digest"
    if s.level:
        return f"PAdES {s.level} ({s.subfilter}, {digest})"
    kind = f"CMS ({s.subfilter})" if s.subfilter else "no SubFilter"
    return f"{kind}, not PAdES; {digest}" + (", with a timestamp" if s.timestamp else "")


def _signature_text(s: SignatureCheck) -> list[str]:
    state = "valid" if s.ok else "INVALID"
    lines = [f"signature {s.field!r}: {state}"]
    if s.problem:
        return lines + [f"  problem:    cannot be evaluated: {s.problem}"]
    integrity = ("intact: the signed bytes are unchanged" if s.intact
                 else "MODIFIED: the signed bytes were changed after signing")
    if s.intact and not s.valid:
        integrity = "BROKEN: the bytes are unchanged but the signature over them does not verify"
    who = s.signer_cn + (f" ({s.signer_o})" if s.signer_o and s.signer_o not in s.signer_cn else "")
    lines += [f"  integrity:  {integrity}",
              f"  signer:     {who}",
              f"  format:     {format_text(s)}"]
    if s.signing_time:
        lines.append(f"  signed at:  {local_time(s.signing_time)}, as claimed by the signer")
    if s.timestamp:
        t = s.timestamp
        ts_state = "valid" if t.valid else "INVALID"
        if t.trusted is not None:
            ts_state += ", TSA trusted" if t.trusted else ", TSA NOT trusted"
        lines.append(f"  timestamp:  {local_time(t.time)} ({ts_state})")
    else:
        lines.append("  timestamp:  none (the signing time is only the signer's own claim)")
    if not s.intact:
        lines.append(f"  coverage:   {s.coverage}, but the signed bytes no longer match the signature")
    elif s.coverage == "whole file":
        lines.append("  coverage:   the whole file; nothing was changed or added after signing")
    elif s.changes_allowed:
        lines.append(f"  coverage:   the file as signed; added later: {s.later_changes} (allowed)")
    else:
        lines.append(f"  coverage:   {s.coverage}; CHANGED after signing: {s.later_changes} "
                     "(not allowed by this signature)")
    return lines + _trust_text(s)


def _trust_text(s: SignatureCheck) -> list[str]:
    lines = []
    if s.trusted is None:
        lines.append(f"  trust:      NOT VERIFIED: no trust root for {s.field!r} (set [signing] trust "
                     f"or give --trust ROOT.pem or --trust {s.field}=ROOT.pem)")
    else:
        lines.append("  trust:      " + ("trusted: the certificate chains to a trust root" if s.trusted
                                         else f"NOT trusted: {s.trust_problem or 'no path to a trust root'}"))
    if s.trust_problem and s.trusted is not False:
        lines.append(f"  validity:   {s.trust_problem}")
    return lines


def result_text(file: Path, result: VerifyResult) -> str:
    """Return `result` in plain words, as `verify` prints it."""
    if result.verdict == "valid":
        lines = [f"{file}: VALID"]
    elif result.verdict == "not verified":
        fields = ", ".join(repr(s.field) for s in result.signatures if s.trusted is None)
        lines = [f"{file}: INTACT, SIGNER NOT VERIFIED: no trust root vouches for {fields}"]
    else:
        lines = [f"{file}: INVALID: {'; '.join(problems(result))}"]
    if not result.signatures:
        lines.append("no signature: the PDF is not signed")
    for s in result.signatures:
        lines += _signature_text(s)
    for name in result.empty_fields:
        lines.append(f"empty signature field {name!r}: not signed yet"
                     + (" (for the customer's countersignature)" if name == CUSTOMER_FIELD else ""))
    p = result.provenance
    lines.append(f"provenance: {p.status}: {p.detail}")
    return "\n".join(lines)


def register(group: click.Group) -> None:
    """Add this module's commands to `group`."""
    group.add_command(sign_command)
    group.add_command(verify_command)

