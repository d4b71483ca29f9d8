"""What the notices attach: the redline PDF and each customer's text of the new version.

One module, so that the notices depend on the redline and contract renderers in one place only.
"""

from __future__ import annotations

from pathlib import Path

from assembler.model import Customer, PublishedVersion, Redline, Resolved

_PDFS: dict[tuple[str, str, str, tuple[str, ...]], bytes] = {}
_PUBLISHED: dict[tuple[str, str, str], tuple[PublishedVersion, str]] = {}


def load_renderers() -> None:
    """Import the renderers below now, and read the Dutch locale data (else done on first use).

    A bulk build calls this before it forks its workers: they then inherit the modules instead
    of each importing its own copy before its first notice.
    """
    import assembler.customers.version_pdf  # noqa: F401
    import assembler.render.redline_pdf  # noqa: F401
    from assembler.dutch import load_locale

    load_locale()


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
    from assembler.customers.version_pdf import render_version_pdf

    services = tuple(sorted(customer.services))
    key = (str(root), contract, version, services)
    pdf = _PDFS.get(key)
    if pdf is None:
        text = _PUBLISHED.get(key[:3])
        if text is None:  # resolving a version walks git: once per process, not per set of services
            from assembler.agreement.project import Project

            text = keep_published(root, Project(root).resolve(version, contract))
        published, owner = text
        pdf = _PDFS[key] = render_version_pdf(published, owner, services)
    return pdf


def keep_published(root: Path, resolved: Resolved) -> tuple[PublishedVersion, str]:
    """Keep the released text `resolved` for `contract_pdf`; return it with its owner's name.

    A bulk build calls this with the text it has already resolved, before it forks its workers:
    they inherit it instead of each resolving it again (~50 ms before its first notice).
    """
    from assembler.customers.version_pdf import owner_name

    assert resolved.version is not None, f"{resolved.ref} is a released version"
    text = _PUBLISHED[(str(root), resolved.agreement.contract, resolved.version.number)] = (
        PublishedVersion(version=resolved.version, agreement=resolved.agreement, state="announced"),
        owner_name(resolved.agreement.meta))
    return text
