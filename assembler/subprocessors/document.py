"""The Dutch texts of a sub-processor entry, and the data of the "Lijst van sub-verwerkers" PDF.

The list is what art. 4.1 hands out "op eerste verzoek": the sub-processors that apply to one
customer on one day, and those announced but not yet in use. Every text a customer reads is
prepared here in Dutch; the template only lays it out.
"""

from __future__ import annotations

import datetime as dt

from assembler.dutch import country_name_nl, format_date_nl, join_nl
from assembler.model import Catalogue, ContractMeta, Customer, Register, SubProcessor
from assembler.render.subprocessor_pdf import render_subprocessor_list
from assembler.subprocessors.lint import outside_eea
from assembler.subprocessors.listing import applies_to, in_use

TRANSFER_NL = {
    "adequaatheidsbesluit": "adequaatheidsbesluit van de Europese Commissie (art. 45 AVG)",
    "SCC": "standaardcontractbepalingen van de Europese Commissie (art. 46 lid 2 onder c AVG)",
    "BCR": "bindende bedrijfsvoorschriften (art. 47 AVG)",
    "EU-US DPF": "EU-VS-kader voor gegevensbescherming (adequaatheidsbesluit, art. 45 AVG)",
}
"""The transfer bases as a customer reads them."""


def countries_nl(codes: tuple[str, ...]) -> str:
    """Return ``"Nederland en Duitsland"`` for ``("NL", "DE")``."""
    return join_nl([country_name_nl(c) for c in codes])


def transfer_nl(entry: SubProcessor) -> str:
    """Return the transfer basis in Dutch, or that none is needed (all within the EU/EEA)."""
    if not outside_eea(entry):
        return "niet van toepassing (verwerking binnen de EER)"
    return TRANSFER_NL.get(entry.transfer, entry.transfer)


def entry_nl(entry: SubProcessor, catalogue: Catalogue) -> dict[str, str]:
    """Return the Dutch description of `entry`: who, what for, which data, where, on what basis."""
    labels = {c.id: c.label for c in catalogue.data_categories}
    services = {s.id: s.label for s in catalogue.services}
    return {
        "id": entry.id,
        "name": entry.name,
        "registration": entry.registration,
        "country": country_name_nl(entry.country),
        "locations": countries_nl(entry.locations),
        "purpose": entry.purpose,
        "services": ", ".join(services.get(s, s) for s in entry.services),
        "categories": ", ".join(labels.get(c, c) for c in entry.categories),
        "transfer": transfer_nl(entry),
        "effective": format_date_nl(entry.effective),
        "removed": format_date_nl(entry.removed) if entry.removed else "",
    }


def list_data(register: Register, catalogue: Catalogue, meta: ContractMeta,
              customer: Customer | None, day: dt.date) -> dict[str, object]:
    """Return the data of the list PDF for `customer` (None: every sub-processor) on `day`."""
    if customer is None:
        return _data(register, catalogue, meta, None, day,
                     ("alle diensten", "de diensten van al haar klanten"), [])
    return _data(register, catalogue, meta, customer.services, day,
                 (f"{customer.company_name} (klantnummer {customer.customer_id})",
                  f"de diensten van {customer.company_name}"), [f"assembler:customer={customer.customer_id}"])


def services_list_data(register: Register, catalogue: Catalogue, meta: ContractMeta,
                       services: frozenset[str], day: dt.date) -> dict[str, object]:
    """Return the data of the list PDF for everyone who takes exactly `services`, on `day`.

    It names the services, not a customer, so one PDF serves every customer with these services:
    the one each sub-processor notice attaches (`list_cache`).
    """
    labels = {s.id: s.label for s in catalogue.services}
    named = join_nl([labels.get(s, s) for s in sorted(services, key=lambda s: labels.get(s, s))])
    word = "de dienst" if len(services) == 1 else "de diensten"
    return _data(register, catalogue, meta, tuple(sorted(services)), day,
                 (f"klanten met {word} {named}", f"{word} {named}"),
                 [f"assembler:services={','.join(sorted(services))}"])


def _data(register: Register, catalogue: Catalogue, meta: ContractMeta,
          services: tuple[str, ...] | None, day: dt.date, whom: tuple[str, str],
          keywords: list[str]) -> dict[str, object]:
    """Return the list PDF's data: the entries for `services` on `day`, for `whom`.

    `whom` is the "Voor:" line and what follows "inschakelt voor" in the introduction.
    """
    current = in_use(register, day, services)
    announced = sorted((e for e in register.entries if e.effective > day and e.added <= day
                        and (services is None or applies_to(e, services))),
                       key=lambda e: (e.effective, e.name))
    p = meta.processor
    return {
        "title": "Lijst van sub-verwerkers",
        "processor": p.name,
        "sender_lines": [p.street, f"{p.postcode} {p.city}", f"KvK {p.kvk}", p.email],
        "customer": whom[0],
        "date": format_date_nl(day),
        "intro": (f"Dit is de lijst van sub-verwerkers die {p.name} op {format_date_nl(day)} "
                  f"inschakelt voor {whom[1]}, zoals bedoeld in artikel 4.1 van de "
                  "Verwerkersovereenkomst. Sub-verwerkers buiten de Europese Economische Ruimte "
                  "verwerken persoonsgegevens alleen op de genoemde grondslag (artikel 4.3)."),
        "current": [entry_nl(e, catalogue) for e in current],
        "announced": [entry_nl(e, catalogue) for e in announced],
        "commit": register.commit or "werkkopie",
        "sha256": register.sha256,
        "keywords": [f"assembler:register-commit={register.commit or 'worktree'}",
                     f"assembler:register-sha256={register.sha256}"] + keywords,
        "footer": f"{p.name} · KvK {p.kvk} · register {register.sha256[:12]}",
    }


def list_pdf(register: Register, catalogue: Catalogue, meta: ContractMeta,
             customer: Customer | None, day: dt.date) -> bytes:
    """Return the "Lijst van sub-verwerkers" PDF (PDF/A-2b) for `customer` on `day`."""
    return render_subprocessor_list(list_data(register, catalogue, meta, customer, day), day)


def list_url(meta: ContractMeta) -> str:
    """Return where the site publishes the current list (`workflow.site`'s ``subverwerkers/``)."""
    return f"{meta.website.rstrip('/')}/subverwerkers/"
