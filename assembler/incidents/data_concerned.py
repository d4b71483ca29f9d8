"""Art. 7.3 (I) of a breach notice: the categories of personal data and of data subjects concerned.

The record may name the categories of personal data that leaked (the Bijlage 1 vocabulary).
What else the notice can say follows from the services concerned: the catalogue items this
customer's Bijlage 1 lists for them (`agreement.annex.applies_to`) are all the data we process
there, so they bound what a breach of those services can have touched, but do not say what it did.
"""

from __future__ import annotations

from dataclasses import dataclass

from assembler.agreement.annex import applies_to
from assembler.dutch import join_nl
from assembler.incidents.wording import not_known
from assembler.model import Catalogue, CatalogueItem, Customer, Incident


@dataclass(frozen=True)
class DataConcerned:
    """What one customer's notice can say about the data and the people a breach concerns."""

    services: list[str]
    """Dutch labels of this customer's services the breach concerns ([] for a named customer)."""
    categories: list[str]
    """Categories of personal data, as words in a sentence: those concerned, or those possible."""
    categories_known: bool
    """Whether `categories` are the ones concerned (named in the record, or the only one possible)."""
    subjects: list[str]
    """Categories of data subjects, as words in a sentence: those concerned, or those possible."""
    subjects_known: bool
    """Whether `subjects` are the ones concerned (the only one possible)."""


def in_sentence(label: str) -> str:
    """Return a catalogue label as written inside a Dutch sentence: "e-mailadres", "NAW-gegevens".

    Labels start with a capital because Bijlage 1 lists them; in running text only an
    abbreviation (a first word of two or more capitals) keeps its capitals.
    """
    first = label.replace("-", " ").split(" ")[0]
    return label if len(first) > 1 and first.isupper() else label[:1].lower() + label[1:]


def data_concerned(incident: Incident, catalogue: Catalogue, customer: Customer) -> DataConcerned:
    """Return the data categories and data subjects `incident` concerns for `customer`.

    Art. 7.3 (I) asks for "waar mogelijk" the categories of personal data and of data subjects.
    The services concerned are the affected services this customer uses, or, with only
    categories named, this customer's services those categories apply to. The categories the
    record names are the ones concerned, as far as this customer's Bijlage 1 lists them for those
    services. Without them, the categories these services process for this customer are only
    what may have been touched: stated as such (`data_sentences`), unless there is just one. The
    data subjects likewise. A customer only named in the record gets empty lists: not known.
    """
    services = [s for s in incident.services if s in customer.services]
    if not services:
        named = [c for c in catalogue.data_categories if c.id in incident.categories]
        services = [s for s in customer.services if any(applies_to(c, [s]) for c in named)]

    def labels(items: tuple[CatalogueItem, ...]) -> list[str]:
        return [in_sentence(x.label) for x in items if applies_to(x, services)]

    stated = [in_sentence(c.label) for c in catalogue.data_categories
              if c.id in incident.categories and (not services or applies_to(c, services))]
    possible = labels(catalogue.data_categories)
    subjects = labels(catalogue.data_subjects)
    names = {s.id: s.label for s in catalogue.services}
    return DataConcerned(
        services=[names.get(s, s) for s in services],
        categories=stated if incident.categories else possible,
        categories_known=bool(incident.categories) or len(possible) == 1,
        subjects=subjects, subjects_known=len(subjects) == 1)


def _kind(items: list[str]) -> str:
    return "categorie" if len(items) == 1 else "categorieën"


def data_sentences(data: DataConcerned, final: bool, former: bool = False) -> list[str]:
    """Return the art. 7.3 (I) sentences on the categories of personal data and of data subjects.

    Known categories are stated ("Het datalek betreft ..."). Otherwise the notice says plainly
    that which were touched is not (yet) known, and lists what the services concerned process
    for this customer, so that they can weigh the worst case themselves; listing those as
    "betreft" would assert more than we know. In the final notice the open question is not
    established rather than still investigated (`wording.not_known`). For a `former` customer
    (told because we still held their data, `letter.why_you`) the services processed them.
    """
    where = (f"Bij de {'dienst' if len(data.services) == 1 else 'diensten'} "
             f"{join_nl(data.services)} {'verwerkten' if former else 'verwerken'} wij voor u "
             ) if data.services else ""
    out = []
    for items, known, noun, question, processed in (
            (data.categories, data.categories_known, "persoonsgegevens",
             "Welke categorieën persoonsgegevens precies zijn getroffen", "de"),
            (data.subjects, data.subjects_known, "betrokkenen",
             "Tot welke categorieën de getroffen betrokkenen precies behoren", "gegevens van de")):
        if items and known:
            out.append(f"Het datalek betreft de {_kind(items)} {noun}: {join_nl(items)}.")
        elif items and where:
            out.append(f"{not_known(question, final, 'onderzoeken wij nog')} {where}{processed} "
                       f"volgende {_kind(items)} {noun}: {join_nl(items)}.")
        else:
            out.append(not_known(question, final))
    return out


def data_unknowns(data: DataConcerned) -> list[str]:
    """Return, in Dutch, what of art. 7.3 (I) on the data concerned is not known."""
    return [*(["welke categorieën persoonsgegevens precies zijn getroffen"]
              if not (data.categories and data.categories_known) else []),
            *(["tot welke categorieën de getroffen betrokkenen precies behoren"]
              if not (data.subjects and data.subjects_known) else [])]
