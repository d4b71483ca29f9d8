"""What the notices attach: the redline PDF and each customer's text of the new version.

One module, so that the notices depend on the redline and contract renderers in one place only.
"""

from __future__ import annotations

from pathlib import Path

from assembler.model import Customer, PublishedVersion, Redline

_PDFS: dict[tuple[str, str, str, tuple[str, ...]], bytes] = {}
_PUBLISHED: dict[tuple[str, str, str], tuple[PublishedVersion, str]] = {}


def load_renderers() -> None:
    """Import the renderers below now (they are imported on first use otherwise).

    A bulk build calls this before it forks its workers: they then inherit the modules instead
    of each importing its own copy before its first notice.
    """
    import assembler.customers.version_pdf  # noqa: F401
    import assembler.render.redline_pdf  # noqa: F401


def redline_pdf(redline: Redline) -> bytes:
    """Return the redline PDF (the redline's PDF renderer) that every notice of a version change attaches."""
    from assembler.render.redline_pdf import render_redline_pdf

    return render_redline_pdf(redline)


def contract_pdf(root: Path, contract: str, version: str, customer: Customer) -> bytes:
    """Return the new version's full text as PDF/A, with the customer's own Bijlage 1.

    Bijlage 1 depends only on which services a customer uses, so the PDF is rendered once per
    distinct set of services (in each pool worker), not once per customer: a notice run over
    10,000 customers renders a few dozen texts. It is the published version's PDF (
    `version.typ`) with Bijlage 1 narrowed to those services; the parties' names stay out of it,
    the letter and the signed contract carry them.
    """
    from assembler.agreement.project import Project
    from assembler.customers.version_pdf import owner_name, render_version_pdf

    services = tuple(sorted(customer.services))
    key = (str(root), contract, version, services)
    pdf = _PDFS.get(key)
    if pdf is None:
        text = _PUBLISHED.get(key[:3])
        if text is None:  # resolving a version walks git: once per process, not per set of services
            resolved = Project(root).resolve(version, contract)
            assert resolved.version is not None, f"{version} is a released version"
            text = _PUBLISHED[key[:3]] = (
                PublishedVersion(version=resolved.version, agreement=resolved.agreement,
                                 state="announced"),
                owner_name(resolved.agreement.meta))
        published, owner = text
        pdf = _PDFS[key] = render_version_pdf(published, owner, services)
    return pdf
