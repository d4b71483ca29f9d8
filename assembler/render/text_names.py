"""How a Dutch reader names a text of the agreement: a released version, or a concept.

A text that is no released version (the work tree with edits, a branch) has the label
``"concept"`` in file names and metadata; readers get words, not that label: "versie concept"
is not Dutch for anything.
"""

from __future__ import annotations

CONCEPT_NL = "concepttekst (nog niet vastgesteld)"
"""What a text that is no released version is called."""


def text_name_nl(name: str, version: str | None) -> str:
    """Return ``"Verwerkersovereenkomst versie 1.0"``, or for a concept (`version` None)
    ``"Verwerkersovereenkomst, concepttekst (nog niet vastgesteld)"``.

    `name` is how the text names itself (the contract's first ``self_names``) or its title.
    """
    return f"{name} versie {version}" if version else f"{name}, {CONCEPT_NL}"


def version_phrase_nl(version: str | None) -> str:
    """Return what follows a title in a header or footer: ``"versie 1.0"`` or ``"concepttekst"``."""
    return f"versie {version}" if version else "concepttekst"


def version_line_nl(version: str | None) -> str:
    """Return a text's version line: ``"Versie 1.0"``, or ``"Concepttekst (nog niet vastgesteld)"``."""
    return f"Versie {version}" if version else CONCEPT_NL[0].upper() + CONCEPT_NL[1:]
