"""The notice letter: its Dutch texts and the letter PDF (Typst).

Everything shared by the customers of one version change (the texts of the changes, the redline
PDF) is prepared once in `SharedParts`; per customer only the letter and the e-mail are composed.
Output is deterministic: the Date header is the notice date, MIME boundaries derive from the
Message-ID, and the PDF timestamp is the notice date, so the same input gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from assembler.dutch import format_date_nl
from assembler.model import ClauseChange, ContractMeta, Customer
from assembler.render.typst_pdf import file_data_template, timestamp_of

_NEWLINE = re.compile(r"\r\n|\r|\n")

TERMINATION_CLAUSE = "Verwerkingsverantwoordelijke mag dagelijks opzeggen zoals overeengekomen in de " \
                     "Hoofdovereenkomst."
"""The sentence of art. 11.2 that gives the customer the right to terminate."""


@dataclass(frozen=True)
class ArticleNote:
    """A changed article as the letter explains it."""

    number: str
    heading: str
    """``"Artikel 7. Datalekken, …"`` (``"Artikel 6 (vervallen)"`` when removed)."""
    toelichting: str
    """The Dutch explanation from the version's manifest."""


@dataclass(frozen=True)
class SharedParts:
    """What every notice for one version change shares; prepared once, not per customer."""

    meta: ContractMeta
    title: str
    """The agreement's title: ``"Verwerkersovereenkomst VoIP Express"``."""
    version: str
    from_version: str
    effective: dt.date
    sha256: str
    """SHA-256 of the new version's canonical text."""
    articles: tuple[ArticleNote, ...]
    changes: tuple[ClauseChange, ...]
    annex_note: str
    """Toelichting on Bijlage 1, for customers whose Bijlage 1 changes."""
    redline_pdf: bytes
    redline_name: str
    notice_date: dt.date
    sender: str
    """The From address."""


def salutation(customer: Customer) -> str:
    """Return the letter's salutation, with its comma.

    The registry's `contact_salutation` when set ("Geachte mevrouw Jansen"); otherwise the contact's
    full name ("Geachte Kim Jansen,"), the form Dutch style guides advise when the form of address is
    not known; without a name, "Geachte heer, mevrouw,".
    """
    if customer.contact_salutation.strip():
        text = customer.contact_salutation.strip()
        return text if text.endswith(",") else text + ","
    if customer.contact_name.strip():
        return f"Geachte {customer.contact_name.strip()},"
    return "Geachte heer, mevrouw,"


def reference(version: str, customer_id: str) -> str:
    """Return our reference (kenmerk) of a notice: ``VWO-1.1-C-1042``."""
    return f"VWO-{version}-{customer_id}"


def attachment_names(shared: SharedParts, customer: Customer) -> dict[str, str]:
    """Return the file names of a notice's documents by kind."""
    cid = re.sub(r"[^A-Za-z0-9_.-]", "_", customer.customer_id)
    return {"letter": f"brief-{reference(shared.version, cid)}.pdf",
            "redline": shared.redline_name,
            "contract": f"{shared.meta.id}-{shared.version}-{cid}.pdf",
            "email": f"{reference(shared.version, cid)}.eml"}


def _name(shared: SharedParts) -> str:
    return shared.meta.self_names[0] if shared.meta.self_names else shared.title


def letter_texts(shared: SharedParts, customer: Customer, annex_changes: bool,
           medium: str = "brief") -> dict[str, object]:
    """Return the Dutch paragraphs the letter and the e-mail (`medium` "e-mail") share."""
    p = shared.meta.processor
    effective = format_date_nl(shared.effective)
    ref = reference(shared.version, customer.customer_id)
    names = attachment_names(shared, customer)
    postal = f"{p.name}, {p.street}, {p.postcode} {p.city}"
    return {
        "subject": f"Wijziging {_name(shared)} per {effective} (versie {shared.version})",
        "intro": [
            f"Op {effective} treedt versie {shared.version} van de {_name(shared)} in werking. Deze "
            f"versie vervangt versie {shared.from_version}, die nu tussen {customer.company_name} en "
            f"{p.name} geldt.",
            f"Met deze {medium} informeren wij u, zoals artikel 11.2 van de Verwerkersovereenkomst "
            "voorschrijft, ten minste één maand van tevoren over de wijzigingen. Hieronder leest u "
            "per artikel wat er verandert en waarom.",
        ],
        "annex_note": (f"Ook uw Bijlage 1, waarin staat welke persoonsgegevens wij voor u verwerken, "
                       f"verandert. {shared.annex_note}".strip() if annex_changes else ""),
        "rights": [
            f"Artikel 11.2 van de Verwerkersovereenkomst bepaalt: “{TERMINATION_CLAUSE}” Gaat u "
            f"niet akkoord met versie {shared.version}, dan kunt u de overeenkomst dus op elke dag "
            "opzeggen, op de wijze die in de Hoofdovereenkomst is afgesproken.",
            f"Stuur uw opzegging per e-mail naar {p.email} of per post naar {postal}, en vermeld "
            f"daarbij ons kenmerk {ref}. Zegt u niet op, dan geldt versie {shared.version} vanaf "
            f"{effective}.",
        ],
        "fulltext": (f"De volledige tekst van versie {shared.version}, met uw eigen Bijlage 1, vindt "
                     f"u als bijlage bij deze {medium} ({names['contract']}); alle versies staan op "
                     f"{shared.meta.website}. De SHA-256-controlewaarde van de tekst van versie "
                     f"{shared.version} is:"),
        "contact": (f"Heeft u vragen over deze wijziging? Neem dan contact met ons op via {p.email}, "
                    f"onder vermelding van kenmerk {ref}."),
        "closing": "Met vriendelijke groet,",
        "signature": [x for x in (p.signatory_name, p.signatory_role, p.name) if x],
        "enclosures": [f"1. Overzicht van de wijzigingen ten opzichte van versie {shared.from_version} "
                       f"({names['redline']})",
                       f"2. {shared.title}, versie {shared.version}, met uw Bijlage 1 "
                       f"({names['contract']})"],
    }


def letter_data(shared: SharedParts, customer: Customer,
                annex_changes: bool) -> tuple[dict[str, object], dict[str, object]]:
    """Return the JSON data of `notice_letter.typ`: (shared by all customers, this customer's)."""
    p = shared.meta.processor
    texts = letter_texts(shared, customer, annex_changes)
    recipient = [customer.company_name]
    if customer.contact_name:
        recipient.append(f"t.a.v. {customer.contact_name}")
    recipient += [customer.street, f"{customer.postcode}  {customer.city}"]
    common = {
        "subject": texts.pop("subject"),
        "closing": texts.pop("closing"),
        "signature": texts.pop("signature"),
        "sender": {"name": p.name,
                   "lines": [p.street, f"{p.postcode} {p.city}", f"KvK {p.kvk}", p.email,
                             shared.meta.website.removeprefix("https://")]},
        "footer": f"{p.name} · KvK {p.kvk} · {p.email}",
        "place_date": f"{p.city}, {format_date_nl(shared.notice_date)}",
        "articles": [{"heading": a.heading, "toelichting": a.toelichting} for a in shared.articles],
        "table_intro": f"De gewijzigde bepalingen naast elkaar (links versie {shared.from_version}, "
                       f"rechts versie {shared.version}):",
        "old_heading": f"Versie {shared.from_version}",
        "new_heading": f"Versie {shared.version}",
        "changes": [c.__dict__ for c in shared.changes],
        "sha256": shared.sha256,
    }
    own = {**texts, "recipient": recipient,
           "reference": reference(shared.version, customer.customer_id),
           "customer_id": customer.customer_id, "salutation": salutation(customer)}
    return common, own


def render_letter(shared: SharedParts, customer: Customer, annex_changes: bool) -> bytes:
    """Return the letter PDF (PDF/A-2b) for one customer."""
    common, own = letter_data(shared, customer, annex_changes)
    return file_data_template("notice_letter.typ").render(
        {"shared.json": common, "customer.json": own}, timestamp_of(shared.notice_date))
