"""What the notices take from the rest of the assembler: the registry, redline and contract PDFs.

One module, so that the notices depend on the registry and contracts (issue 4) and the redlines
(issue 3) in one place only.
"""

from __future__ import annotations

from pathlib import Path

from .model import Customer, Redline
from .registry import Registry, open_registry, registry_path

_BUILDERS: dict[tuple[str, str | None], object] = {}


def open_notice_registry(root: Path, given: str | Path | None = None) -> Registry:
    """Open the project's registry (``--registry``, ``$ASSEMBLER_REGISTRY`` or var/), ledger included."""
    return open_registry(registry_path(root, given))


def redline_pdf(redline: Redline) -> bytes:
    """Return the redline PDF (issue 3's renderer) that every notice of a version change attaches."""
    from .render.redline_pdf import render_redline_pdf

    return render_redline_pdf(redline)


def contract_pdf(root: Path, contract: str, version: str, customer: Customer) -> bytes:
    """Return the customer's contract of `version` as PDF/A, with their own Bijlage 1 (issue 4).

    The builder (the parsed text and its customer-independent data) is kept per process, so a
    pool worker prepares it once.
    """
    from .assemble import ContractBuilder
    from .workspace import Project

    key = (str(root), contract)
    builder = _BUILDERS.get(key)
    if builder is None:
        builder = _BUILDERS[key] = ContractBuilder(Project(root), contract)
    assert isinstance(builder, ContractBuilder)
    built = builder.build(customer, version, formats=("pdf",), boxes=False)
    assert built.pdf is not None
    return built.pdf
