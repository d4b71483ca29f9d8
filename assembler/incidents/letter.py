"""The breach notice's Dutch texts (art. 7.3), shared by the letter PDF and the e-mail.

Art. 7.3 fixes what the notice holds: that there was a breach; (I) its nature, with where
possible the categories and approximate numbers of data subjects and records; (II) its likely
consequences; (III) the measures taken or proposed. GDPR art. 33(3)(b) adds the contact point and
art. 33(4) allows the information in phases: whatever is not yet known is said plainly, and the
next update is promised; in the final notice, what is still unknown is said to be not established
(`wording.not_known`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from assembler.dutch import format_date_nl, format_number_nl, format_time_nl, join_nl
from assembler.fsutil import safe_name
from assembler.incidents.data_concerned import data_concerned, data_sentences, data_unknowns, in_sentence
from assembler.incidents.deadline import breach_deadline
from assembler.incidents.wording import not_known
from assembler.model import Agreement, Catalogue, Count, Customer, Incident, Party, Phase
from assembler.notices.salutation import salutation

PHASE_NAMES: dict[Phase, str] = {"initial": "melding", "update": "aanvullende melding",
                                 "final": "slotmelding"}
"""How the letter names each phase."""


@dataclass(frozen=True)
class BreachParts:
    """What every customer's notice of one incident and phase shares; prepared once."""

    incident: Incident
    phase: Phase
    processor: Party
    agreement_name: str
    """How the agreement names itself: ``"Verwerkersovereenkomst"``."""
    services: dict[str, str]
    """Catalogue service id → Dutch label."""
    categories: dict[str, str]
    """Catalogue data-category id → Dutch label."""
    catalogue: Catalogue
    """The Bijlage 1 catalogue: which data categories and data subjects each service involves."""
    notice_at: dt.datetime
    """When the notice is built (the real clock, Europe/Amsterdam): its date and Date header."""
    sender: str
    """The From address."""
    website: str = ""
    """The processor's website, the last line of the e-mail's signature."""


def reference(incident_id: str, customer_id: str) -> str:
    """Return our reference (kenmerk) of a breach notice, the same in every phase: ``DL-2027-001-C-1042``."""
    return f"DL-{incident_id}-{customer_id}"


def file_stem(parts: BreachParts, customer: Customer) -> str:
    """Return the base name of a customer's letter and e-mail files in one phase."""
    return f"datalek-{parts.incident.id}-{parts.phase}-{safe_name(customer.customer_id)}"


def _count(count: Count, noun: str, final: bool) -> str:
    if count.precision == "unknown" or count.count is None:
        return not_known(f"Hoeveel {noun} het betreft", final)
    number = format_number_nl(count.count)
    if count.precision == "exact":
        return f"Het gaat om {number} {noun}."
    return f"Naar schatting gaat het om {number} {noun}."


def _period(incident: Incident, final: bool) -> str:
    start, end = incident.occurred_from, incident.occurred_to
    if start and end:
        return f"Het datalek deed zich voor van {format_time_nl(start)} tot {format_time_nl(end)}."
    if start:
        return (f"Het datalek begon op {format_time_nl(start)}; "
                f"{not_known('wanneer het is beëindigd', final)}")
    if end:
        return (f"Het datalek eindigde op {format_time_nl(end)}; "
                f"{not_known('wanneer het is begonnen', final)}")
    return not_known("Wanneer het datalek precies is begonnen en geëindigd", final)


def why_you(parts: BreachParts, customer: Customer, ended: dt.date | None = None) -> str:
    """Return the sentences saying why this customer receives the notice.

    `ended` is the day the agreement of a customer told only because we still held their data
    ended (`customers.lifecycle.owed_notice`, basis ``data_held``): they used the service in
    the past, and the notice says why it reaches them all the same (art. 11.1).
    """
    i = parts.incident
    held = "" if ended is None else (
        f" De {parts.agreement_name} is met ingang van {format_date_nl(ended)} geëindigd, maar "
        f"de persoonsgegevens die wij voor u verwerkten, hadden wij toen het datalek begon nog "
        f"niet vernietigd (artikel 11.1); het datalek betreft daarom ook uw gegevens.")
    # a former customer's data we processed, and they used the services: in the past tense
    process = "verwerken" if ended is None else "verwerkten"
    if customer.customer_id in i.customers:
        return (f"U ontvangt deze melding omdat persoonsgegevens die wij voor u {process} bij het "
                "datalek betrokken zijn." + held)
    used = [parts.services.get(s, s) for s in i.services if s in customer.services]
    if used:
        kind = "de dienst" if len(used) == 1 else "de diensten"
        verb = "gebruikmaakt" if ended is None else "gebruikmaakte"
        return (f"U ontvangt deze melding omdat {customer.company_name} {verb} van {kind} "
                f"{join_nl(used)}, waarop het datalek betrekking heeft." + held)
    cats = [in_sentence(parts.categories.get(c, c)) for c in i.categories]
    kind = "de categorie" if len(cats) == 1 else "de categorieën"
    return (f"U ontvangt deze melding omdat wij voor {customer.company_name} persoonsgegevens "
            f"{process} van {kind} {join_nl(cats)}, waarop het datalek betrekking heeft." + held)


def unknowns(incident: Incident) -> list[str]:
    """Return, in Dutch, what the record says is not known."""
    out = []
    no_start, no_end = incident.occurred_from is None, incident.occurred_to is None
    if no_start or no_end:
        out.append("wanneer het datalek is " + ("begonnen en geëindigd" if no_start and no_end else
                                                "begonnen" if no_start else "beëindigd"))
    if incident.subjects.precision == "unknown":
        out.append("hoeveel betrokkenen het betreft")
    if incident.records.precision == "unknown":
        out.append("hoeveel persoonsgegevensregisters het betreft")
    if not incident.consequences:
        out.append("wat de waarschijnlijke gevolgen zijn")
    if not incident.measures:
        out.append("welke maatregelen verder nodig zijn")
    return out


def _intro(parts: BreachParts, detected: str) -> list[str]:
    i, name = parts.incident, parts.agreement_name
    deadline = format_time_nl(breach_deadline(i.detected_at))
    if parts.phase == "initial":
        return [f"Hierbij melden wij u, zoals artikel 7.1 van de {name} voorschrijft, een inbreuk "
                f"in verband met persoonsgegevens (een datalek) die wij op {detected} hebben "
                f"ontdekt. Wij zijn verplicht u onmiddellijk en in ieder geval binnen 48 uur na de "
                f"ontdekking (uiterlijk {deadline}) te informeren.",
                "Met deze melding kunt u beoordelen of u het datalek moet melden aan de Autoriteit "
                "Persoonsgegevens, zonder onredelijke vertraging en zo mogelijk binnen 72 uur "
                "nadat u er kennis van heeft genomen, en of u de betrokkenen moet informeren "
                "(artikelen 33 en 34 AVG)."]
    if parts.phase == "update":
        return [f"Met deze aanvullende melding vullen wij onze eerdere melding aan over het "
                f"datalek dat wij op {detected} hebben ontdekt, zoals artikel 33, vierde lid, AVG "
                "toestaat. Hieronder staat wat wij nu weten."]
    return [f"Met deze slotmelding ronden wij onze meldingen af over het datalek dat wij op "
            f"{detected} hebben ontdekt. Hieronder staat wat ons onderzoek heeft vastgesteld."]


def _next(parts: BreachParts) -> str:
    if parts.phase == "final":
        return "Dit is onze laatste melding over dit datalek. Mocht er toch nog iets nieuws " \
               "blijken, dan informeren wij u onmiddellijk."
    when = parts.incident.next_update
    return (f"Wij informeren u opnieuw {when}, en eerder zodra wij meer weten." if when else
            "Zodra wij meer weten, informeren wij u met een aanvullende melding onder hetzelfde "
            "kenmerk.")


def _open_questions(parts: BreachParts, missing: list[str]) -> dict[str, str]:
    """Return the heading and the text of what is not known: still open, or in the final notice
    not established (`wording.not_known`)."""
    name, final = parts.agreement_name, parts.phase == "final"
    if not missing:
        return {"heading": "Volledigheid van deze melding",
                "text": (f"Alle informatie die artikel 7.3 van de {name} noemt, is vastgesteld."
                         if final else "Op dit moment is alle informatie bekend die artikel 7.3 "
                         f"van de {name} noemt.")}
    if final:
        return {"heading": "Niet vastgesteld",
                "text": f"Wat niet kon worden vastgesteld: {join_nl(missing)}."}
    return {"heading": "Nog niet bekend", "text": f"Wat wij nu nog niet weten: {join_nl(missing)}."}


def breach_texts(parts: BreachParts, customer: Customer,
                 ended: dt.date | None = None) -> dict[str, object]:
    """Return the Dutch texts of one customer's notice, as the letter and the e-mail show them.

    `ended`: see `why_you`.
    """
    i, final = parts.incident, parts.phase == "final"
    ref = reference(i.id, customer.customer_id)
    detected = format_time_nl(i.detected_at)
    data = data_concerned(i, parts.catalogue, customer)
    questions = _open_questions(parts, [*data_unknowns(data), *unknowns(i)])
    return {
        "subject": f"{PHASE_NAMES[parts.phase].capitalize()} datalek {i.id}, kenmerk {ref}",
        "intro": [*_intro(parts, detected), why_you(parts, customer, ended)],
        "sections": [
            {"heading": "Wat er is gebeurd",
             "paragraphs": [i.nature, _period(i, final)]},
            {"heading": "Welke gegevens en hoeveel betrokkenen",
             "paragraphs": [*data_sentences(data, final, former=ended is not None),
                            _count(i.subjects, "betrokkenen", final),
                            _count(i.records, "persoonsgegevensregisters", final)]},
            {"heading": "Waarschijnlijke gevolgen",
             "paragraphs": [i.consequences or (
                 not_known("Wat de waarschijnlijke gevolgen zijn", final) if final else
                 "De waarschijnlijke gevolgen kunnen wij nog niet overzien.")]},
            {"heading": "Genomen en voorgestelde maatregelen",
             "paragraphs": [i.measures or not_known("Welke maatregelen verder nodig zijn", final,
                                                    "onderzoeken wij nog")]},
        ],
        "unknown": questions["text"],
        "next": _next(parts),
        "headings": {"unknown": questions["heading"], "contact": "Contactpunt"},
        "contact": f"Ons contactpunt voor vragen over dit datalek: {i.contact}. Wilt u daarbij "
                   f"ons kenmerk {ref} vermelden?",
        "closing": "Met vriendelijke groet,",
        "signature": [x for x in (parts.processor.signatory_name, parts.processor.signatory_role,
                                  parts.processor.name) if x],
        "salutation": salutation(customer),
        "reference": ref,
        "place_date": f"{parts.processor.city}, {format_date_nl(parts.notice_at.date())}",
        "date": format_date_nl(parts.notice_at.date()),
    }


def breach_parts(agreement: Agreement, incident: Incident, phase: Phase, notice_at: dt.datetime,
                 sender: str) -> BreachParts:
    """Return the shared parts of one phase's notices, with the catalogue's Dutch labels."""
    meta, catalogue = agreement.meta, agreement.catalogue
    return BreachParts(
        incident=incident, phase=phase, processor=meta.processor,
        agreement_name=meta.self_names[0] if meta.self_names else agreement.title,
        services={s.id: s.label for s in catalogue.services},
        categories={c.id: c.label for c in catalogue.data_categories}, catalogue=catalogue,
        notice_at=notice_at, sender=sender, website=meta.website)
