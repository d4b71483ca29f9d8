"""The notice letter: its Dutch texts and the letter PDF (Typst).

Everything shared by the customers of one version change (the texts of the changes, and per set
of services their Bijlage 1 notes, before/after and redline PDF) is prepared once in
`SharedParts`; per customer only the letter and the e-mail are composed.
Output is deterministic: the Date header is the notice date, MIME boundaries derive from the
Message-ID, and the PDF timestamp is the notice date, so the same input gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

from assembler.dutch import format_date_nl
from assembler.model import ClauseChange, ContractMeta, Customer
from assembler.notices.customer_changes import CustomerAnnex, ServiceSet, service_set
from assembler.notices.salutation import salutation
from assembler.redline.words import word_ops
from assembler.render.typst_pdf import file_data_template, timestamp_of

Medium = Literal["brief", "e-mail"]
"""What a text is written for: the letter PDF or the body of the e-mail."""
Channel = Literal["e-mail", "post"]
"""How the letter travels: attached to the notice e-mail (today's only way) or printed and posted."""

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
    by_version: tuple[tuple[str, str], ...] = ()
    """Each version's own explanation, ``(version, text)``, when the customer skips several."""


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
    redline_name: str
    """The redline's name as the customer receives it: ``wijzigingen-1.0-1.1.pdf``."""
    notice_date: dt.date
    sender: str
    """The From address."""
    composed_at: dt.datetime | None = None
    """When the notices were written (the real clock at build, Europe/Amsterdam): the e-mail's
    Date header. None (parts made by hand in tests and benches): midnight UTC of `notice_date`."""
    by_services: Mapping[ServiceSet, CustomerAnnex] = field(default_factory=dict)
    """Per set of services: the Bijlage 1 notes, before/after rows and narrowed redline."""

    def annex(self, customer: Customer) -> CustomerAnnex:
        """Return what `customer` reads about their own Bijlage 1 (prepared for their services)."""
        return self.by_services[service_set(customer)]


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


def termination_paragraphs(shared: SharedParts, customer: Customer) -> list[str]:
    """Return what the letter says about the customer's right to terminate, in Dutch.

    Art. 11.2 lets the customer terminate "dagelijks ... zoals overeengekomen in de
    Hoofdovereenkomst": the Verwerkersovereenkomst is a supplement to the Hoofdovereenkomst and
    cannot be seen apart from it (art. 11.5), and it lasts as long as we provide services
    (art. 11.1). So what can be terminated is the Hoofdovereenkomst (and with it this agreement),
    at any day, in the way and with the notice period the Hoofdovereenkomst sets; the letter
    cannot name that period, it is not in our texts. Until the termination takes effect the
    version in force applies, and from the effective date that is the new version.
    """
    p = shared.meta.processor
    effective = format_date_nl(shared.effective)
    ref = reference(shared.version, customer.customer_id)
    return [
        f"Artikel 11.2 van de {_name(shared)} bepaalt: “{TERMINATION_CLAUSE}” Gaat u niet akkoord "
        f"met versie {shared.version}, dan kunt u dus op elke dag de Hoofdovereenkomst tussen "
        f"{customer.company_name} en {p.name} opzeggen, en daarmee deze {_name(shared)}, die daar "
        "een aanvulling op is en zolang duurt als wij diensten voor u verrichten (artikelen 11.5 "
        "en 11.1).",
        "De opzegging gaat in op de datum die volgt uit de opzegtermijn en de wijze van opzeggen "
        "in de Hoofdovereenkomst. Tot die datum geldt de versie die dan van kracht is: tot "
        f"{effective} versie {shared.from_version}, daarna versie {shared.version}.",
        f"Stuur uw opzegging per e-mail naar {p.email} of per post naar {p.name}, {p.street}, "
        f"{p.postcode} {p.city}, onder vermelding van ons kenmerk {ref}. Zegt u niet op, dan geldt "
        f"versie {shared.version} vanaf {effective}.",
    ]


def _fulltext(shared: SharedParts, medium: Medium, channel: Channel, contract_file: str) -> str:
    """Return where the full text is: words that fit what the reader holds."""
    what = f"De volledige tekst van versie {shared.version}, met uw eigen Bijlage 1,"
    if medium == "e-mail":
        where = "is als bijlage bij deze e-mail gevoegd"
    elif channel == "post":
        where = "is bij deze brief gevoegd"
    else:
        where = f"is als bijlage ({contract_file}) gevoegd bij de e-mail waarmee wij u deze brief sturen"
    return (f"{what} {where}; alle versies staan op {shared.meta.website}. De "
            f"SHA-256-controlewaarde van de tekst van versie {shared.version} is:")


def annex_note(shared: SharedParts, customer: Customer) -> str:
    """Return the letter's sentence on the customer's changed Bijlage 1, with their toelichting.

    The toelichting is the customer's own (`customer_changes`): the general note on Bijlage 1 and
    the notes on the items in their Bijlage 1. Notes of several versions follow under their own
    version headings (`annex_by_version`), not in this paragraph.
    """
    notes = shared.annex(customer).notes
    own = notes[0][1] if len(notes) == 1 else ""
    return (f"Ook uw Bijlage 1, waarin staat welke persoonsgegevens wij voor u verwerken, "
            f"verandert. {own}").strip()


def annex_by_version(shared: SharedParts, customer: Customer) -> list[list[str]]:
    """Return the customer's Bijlage 1 notes as ``[version, text]`` when several versions have one."""
    notes = shared.annex(customer).notes
    return [list(n) for n in notes] if len(notes) > 1 else []


def letter_texts(shared: SharedParts, customer: Customer, annex_changes: bool,
                 medium: Medium = "brief", channel: Channel = "e-mail") -> dict[str, object]:
    """Return the Dutch paragraphs the letter and the e-mail (`medium` "e-mail") share."""
    p = shared.meta.processor
    effective = format_date_nl(shared.effective)
    ref = reference(shared.version, customer.customer_id)
    names = attachment_names(shared, customer)
    enclosed = " (bij de e-mail)" if medium == "brief" and channel == "e-mail" else ""
    return {
        "subject": f"Wijziging {_name(shared)} per {effective} (versie {shared.version})",
        "intro": [
            f"Op {effective} treedt versie {shared.version} van de {_name(shared)} in werking. Deze "
            f"versie vervangt versie {shared.from_version}, die nu tussen {customer.company_name} en "
            f"{p.name} geldt.",
            f"Met deze {medium} informeren wij u, zoals artikel 11.2 van de {_name(shared)} "
            "voorschrijft, ten minste één maand van tevoren over de wijzigingen. Hieronder leest u "
            "per artikel wat er verandert en waarom.",
        ],
        "headings": {"changes": "Wat verandert er?",
                     "rights": "Wat kunt u doen als u niet akkoord gaat?",
                     "fulltext": "Waar vindt u de volledige tekst?",
                     "contact": "Heeft u vragen?"},
        "annex_note": annex_note(shared, customer) if annex_changes else "",
        "rights": termination_paragraphs(shared, customer),
        "fulltext": _fulltext(shared, medium, channel, names["contract"]),
        "contact": (f"Neem dan contact met ons op via {p.email}, onder vermelding van ons kenmerk "
                    f"{ref}."),
        "closing": "Met vriendelijke groet,",
        "signature": [x for x in (p.signatory_name, p.signatory_role, p.name) if x],
        "enclosures_heading": f"Bijlagen{enclosed}",
        "enclosures": [f"1. Overzicht van de wijzigingen ten opzichte van versie {shared.from_version} "
                       f"({names['redline']})",
                       f"2. {shared.title}, versie {shared.version}, met uw Bijlage 1 "
                       f"({names['contract']})"],
    }


def marked_runs(old: str, new: str) -> tuple[list[list[str]], list[list[str]]]:
    """Return the old and the new text as runs ``[kind, text]``: kept, deleted or inserted words."""
    ops = _word_ops(old, new)
    return ([[op, text] for op, text in ops if op != "insert"],
            [[op, text] for op, text in ops if op != "delete"])


@lru_cache(maxsize=512)
def _word_ops(old: str, new: str) -> tuple[tuple[str, str], ...]:
    """Return the word diff of a changed clause, once per process: every letter shows the same."""
    return tuple((o.op, o.text) for o in word_ops(old, new))


def annex_table(shared: SharedParts, customer: Customer, annex_changes: bool) -> dict[str, object]:
    """Return the before/after of the customer's own Bijlage 1 for the letter, words marked."""
    rows = shared.annex(customer).rows if annex_changes else ()
    return {"annex_table_intro": (f"De passages van uw Bijlage 1 die veranderen, naast elkaar (links "
                                  f"versie {shared.from_version}, rechts versie {shared.version}); "
                                  "vervallen woorden zijn doorgehaald, nieuwe woorden onderstreept:"),
            "annex_rows": [dict(zip(("old_runs", "new_runs"), marked_runs(r.old_text, r.new_text),
                                    strict=True)) | {"old_text": r.old_text, "new_text": r.new_text}
                           for r in rows]}


def letter_data(shared: SharedParts, customer: Customer, annex_changes: bool,
                channel: Channel = "e-mail") -> tuple[dict[str, object], dict[str, object]]:
    """Return the JSON data of `notice_letter.typ`: (shared by all customers, this customer's)."""
    p = shared.meta.processor
    texts = letter_texts(shared, customer, annex_changes, channel=channel)
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
        "date": format_date_nl(shared.notice_date),
        "articles": [{"heading": a.heading, "toelichting": a.toelichting,
                      "by_version": [list(n) for n in a.by_version if len(a.by_version) > 1]}
                     for a in shared.articles],
        "table_intro": f"De gewijzigde bepalingen naast elkaar (links versie {shared.from_version}, "
                       f"rechts versie {shared.version}); vervallen woorden zijn doorgehaald, "
                       "nieuwe woorden onderstreept:",
        "old_heading": f"Versie {shared.from_version}",
        "new_heading": f"Versie {shared.version}",
        "changes": [c.__dict__ | dict(zip(("old_runs", "new_runs"), marked_runs(c.old_text, c.new_text),
                                          strict=True)) for c in shared.changes],
        "sha256": shared.sha256,
    }
    own = {**texts, "recipient": recipient,
           "annex_by_version": annex_by_version(shared, customer) if annex_changes else [],
           **annex_table(shared, customer, annex_changes),
           "reference": reference(shared.version, customer.customer_id),
           "customer_id": customer.customer_id, "salutation": salutation(customer)}
    return common, own


def render_letter(shared: SharedParts, customer: Customer, annex_changes: bool,
                  channel: Channel = "e-mail") -> bytes:
    """Return the letter PDF (PDF/A-2b, PDF/UA-1) for one customer."""
    common, own = letter_data(shared, customer, annex_changes, channel)
    return file_data_template("notice_letter.typ").render(
        {"shared.json": common, "customer.json": own}, timestamp_of(shared.notice_date))
