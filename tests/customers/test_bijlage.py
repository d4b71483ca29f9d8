"""A customer's own Bijlage 1: only the categories of their services, numbered (I), (II), …."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from assembler.agreement.annex import customer_catalogue
from assembler.agreement.project import Project
from assembler.customers.document import build_contract
from tests.customers.helpers import customer_c1042, docx_paragraphs, pdf_body, squash

ALL = ('["hosted-telefonie", "sip-trunk", "mobiel", "gespreksopname", "fax2mail", "callcenter", '
       '"nummerportering"]')


@pytest.fixture
def limited(contract_dir: Path) -> Project:
    """The project with a catalogue where some categories apply to some services only."""
    toml = contract_dir / "bijlage-1.toml"
    text = toml.read_text(encoding="utf-8")
    # Belhistorie: telephony only; Wachtwoord: hosted only; a new subject for the call centre.
    text = re.sub(r'(id = "belhistorie"\nlabel = "Belhistorie"\nservices = )\[[^\]]*\]',
                  r'\1["hosted-telefonie", "sip-trunk", "mobiel"]', text)
    text = re.sub(r'(id = "wachtwoord"\nlabel = "Wachtwoord"\nservices = )\[[^\]]*\]',
                  r'\1["hosted-telefonie"]', text)
    text += ('\n[[data_subjects]]\nid = "medewerkers"\nlabel = "Medewerkers van '
             'Verwerkingsverantwoordelijke"\nservices = ["callcenter", "gespreksopname"]\n')
    assert text.count(ALL) == 6  # the two edits took
    toml.write_text(text, encoding="utf-8")
    return Project(contract_dir.parent.parent)


def test_catalogue_filter_keeps_order(limited: Project) -> None:
    catalogue = limited.resolve("worktree").agreement.catalogue
    fax = customer_catalogue(catalogue, ("fax2mail",))
    assert [i.id for i in fax.data_categories] == ["naw", "telefoonnummer", "email", "financieel",
                                                   "bedrijfsnaam"]
    assert [i.id for i in fax.data_subjects] == ["klanten"]
    hosted = customer_catalogue(catalogue, ("callcenter", "hosted-telefonie"))
    assert [i.id for i in hosted.data_categories][-2:] == ["wachtwoord", "belhistorie"]
    assert [i.id for i in hosted.data_subjects] == ["klanten", "medewerkers"]


def test_bijlage_in_both_formats_lists_only_the_customers_categories(limited: Project) -> None:
    fax = dataclasses.replace(customer_c1042(), services=("fax2mail",))
    built = build_contract(limited, fax, "worktree")
    assert built.version == "concept"  # the edited catalogue is no released version
    assert built.stem == "C-1042-verwerkersovereenkomst-concept"
    categories = ("(I) NAW-gegevens, (II) Telefoonnummer, (III) E-mailadres, (IV) Financiële "
                  "gegevens en (V) Bedrijfsnaam.")
    paragraphs = docx_paragraphs(built.docx)
    bijlage = paragraphs[paragraphs.index("Bijlage 1: Specificatie persoonsgegevens en betrokkenen"):]
    assert categories in bijlage and "(I) Klanten." in bijlage
    assert not any("Belhistorie" in p or "Wachtwoord" in p or "Medewerkers" in p for p in bijlage)
    assert "tussen VoIP Express (Focused2Create) en Bakkerij De Gouden Korrel B.V." in bijlage[1]
    text = pdf_body(built.pdf)
    annex = squash(text[text.index("Bijlage 1:"):])
    assert squash(categories) in annex and squash("(I) Klanten.") in annex
    assert "Belhistorie" not in annex and "Medewerkers" not in annex

    call = dataclasses.replace(fax, services=("callcenter", "hosted-telefonie"))
    paragraphs = docx_paragraphs(build_contract(limited, call, "worktree", formats=("docx",)).docx)
    assert "(I) Klanten en (II) Medewerkers van Verwerkingsverantwoordelijke." in paragraphs
    assert any(p.endswith("(VI) Wachtwoord en (VII) Belhistorie.") for p in paragraphs)
