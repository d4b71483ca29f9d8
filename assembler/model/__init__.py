"""The model at the hub: frozen dataclasses that every reader produces and every writer consumes.

Nothing here imports from the rest of the package. Readers (`agreement/parse.py`,
`agreement/manifests.py`, the registry) build these objects; renderers, lint, the redline and the
notices read them. One module per domain; this index re-exports them all, each loaded when a name
of it is first asked for (`__getattr__`): creating a frozen dataclass costs Python 3.11 about half
a millisecond (it compiles each generated method), and no command needs every domain. A
command's start-up runs 9–19 % fewer instructions for it than with every domain loaded up front
(`check`: 19 %; the bulk jobs' start-ups, all on one core: 9–17 %,
`bench/bench_start_up_instructions.py`).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the names as a type checker sees them (`X as X`: re-exported)
    from assembler.model.agreement import Agreement as Agreement
    from assembler.model.agreement import Annex as Annex
    from assembler.model.agreement import AnnexBlock as AnnexBlock
    from assembler.model.agreement import AnnexBlockKind as AnnexBlockKind
    from assembler.model.agreement import Article as Article
    from assembler.model.agreement import Catalogue as Catalogue
    from assembler.model.agreement import CatalogueItem as CatalogueItem
    from assembler.model.agreement import Clause as Clause
    from assembler.model.agreement import ContractMeta as ContractMeta
    from assembler.model.agreement import ListName as ListName
    from assembler.model.agreement import Paragraph as Paragraph
    from assembler.model.agreement import Party as Party
    from assembler.model.agreement import Service as Service
    from assembler.model.agreement import Source as Source
    from assembler.model.agreement import Span as Span
    from assembler.model.agreement import SpanStyle as SpanStyle
    from assembler.model.agreement import Term as Term
    from assembler.model.agreement import TermSource as TermSource
    from assembler.model.customers import Customer as Customer
    from assembler.model.customers import SignatureBox as SignatureBox
    from assembler.model.findings import Finding as Finding
    from assembler.model.findings import Severity as Severity
    from assembler.model.incidents import PHASES as PHASES
    from assembler.model.incidents import BreachRow as BreachRow
    from assembler.model.incidents import BreachStatus as BreachStatus
    from assembler.model.incidents import Count as Count
    from assembler.model.incidents import Incident as Incident
    from assembler.model.incidents import Phase as Phase
    from assembler.model.incidents import Precision as Precision
    from assembler.model.lifecycle import Basis as Basis
    from assembler.model.lifecycle import CustomerStatus as CustomerStatus
    from assembler.model.lifecycle import HistoryEvent as HistoryEvent
    from assembler.model.lifecycle import HistoryKind as HistoryKind
    from assembler.model.lifecycle import InForce as InForce
    from assembler.model.lifecycle import OwedBasis as OwedBasis
    from assembler.model.lifecycle import OwedNotice as OwedNotice
    from assembler.model.lifecycle import Standing as Standing
    from assembler.model.lifecycle import VersionState as VersionState
    from assembler.model.notices import ClauseChange as ClauseChange
    from assembler.model.notices import DocumentKind as DocumentKind
    from assembler.model.notices import EventKind as EventKind
    from assembler.model.notices import LedgerEvent as LedgerEvent
    from assembler.model.notices import LedgerNotice as LedgerNotice
    from assembler.model.notices import NoticeDocument as NoticeDocument
    from assembler.model.notices import NoticeKind as NoticeKind
    from assembler.model.notices import NoticeState as NoticeState
    from assembler.model.notices import PlanRow as PlanRow
    from assembler.model.notices import PlanStatus as PlanStatus
    from assembler.model.redline import Block as Block
    from assembler.model.redline import BlockKind as BlockKind
    from assembler.model.redline import BlockStatus as BlockStatus
    from assembler.model.redline import Change as Change
    from assembler.model.redline import ChangeKind as ChangeKind
    from assembler.model.redline import ChangeLevel as ChangeLevel
    from assembler.model.redline import ChangeNote as ChangeNote
    from assembler.model.redline import ItemList as ItemList
    from assembler.model.redline import MoveKind as MoveKind
    from assembler.model.redline import Op as Op
    from assembler.model.redline import OpKind as OpKind
    from assembler.model.redline import Redline as Redline
    from assembler.model.redline import ReferenceWarning as ReferenceWarning
    from assembler.model.signing import Coverage as Coverage
    from assembler.model.signing import LaterChanges as LaterChanges
    from assembler.model.signing import PadesLevel as PadesLevel
    from assembler.model.signing import PdfKind as PdfKind
    from assembler.model.signing import ProcessorSigning as ProcessorSigning
    from assembler.model.signing import Provenance as Provenance
    from assembler.model.signing import ProvenanceStatus as ProvenanceStatus
    from assembler.model.signing import SignatureCheck as SignatureCheck
    from assembler.model.signing import TimestampCheck as TimestampCheck
    from assembler.model.signing import VerifyResult as VerifyResult
    from assembler.model.signing import VerifyVerdict as VerifyVerdict
    from assembler.model.site import PublishedState as PublishedState
    from assembler.model.site import PublishedVersion as PublishedVersion
    from assembler.model.subprocessors import PendingChange as PendingChange
    from assembler.model.subprocessors import Register as Register
    from assembler.model.subprocessors import RegisterChange as RegisterChange
    from assembler.model.subprocessors import RegisterChangeKind as RegisterChangeKind
    from assembler.model.subprocessors import SubProcessor as SubProcessor
    from assembler.model.subprocessors import SubprocessorNoticeStatus as SubprocessorNoticeStatus
    from assembler.model.subprocessors import SubprocessorPlanRow as SubprocessorPlanRow
    from assembler.model.subprocessors import TransferBasis as TransferBasis
    from assembler.model.versions import TOELICHTING_TODO as TOELICHTING_TODO
    from assembler.model.versions import Resolved as Resolved
    from assembler.model.versions import Version as Version
    from assembler.model.versions import VersionStatus as VersionStatus
    from assembler.model.versions import version_key as version_key

HOMES: dict[str, tuple[str, ...]] = {
    "agreement": (
        "Agreement", "Annex", "AnnexBlock", "AnnexBlockKind", "Article", "Catalogue",
        "CatalogueItem", "Clause", "ContractMeta", "ListName", "Paragraph", "Party", "Service",
        "Source", "Span", "SpanStyle", "Term", "TermSource",
    ),
    "customers": ("Customer", "SignatureBox"),
    "findings": ("Finding", "Severity"),
    "incidents": ("PHASES", "BreachRow", "BreachStatus", "Count", "Incident", "Phase", "Precision"),
    "lifecycle": (
        "Basis", "CustomerStatus", "HistoryEvent", "HistoryKind", "InForce", "OwedBasis",
        "OwedNotice", "Standing", "VersionState",
    ),
    "notices": (
        "ClauseChange", "DocumentKind", "EventKind", "LedgerEvent", "LedgerNotice",
        "NoticeDocument", "NoticeKind", "NoticeState", "PlanRow", "PlanStatus",
    ),
    "redline": (
        "Block", "BlockKind", "BlockStatus", "Change", "ChangeKind", "ChangeLevel", "ChangeNote",
        "ItemList", "MoveKind", "Op", "OpKind", "Redline", "ReferenceWarning",
    ),
    "signing": (
        "Coverage", "LaterChanges", "PadesLevel", "PdfKind", "ProcessorSigning", "Provenance",
        "ProvenanceStatus", "SignatureCheck", "TimestampCheck", "VerifyResult", "VerifyVerdict",
    ),
    "site": ("PublishedState", "PublishedVersion"),
    "subprocessors": (
        "PendingChange", "Register", "RegisterChange", "RegisterChangeKind", "SubProcessor",
        "SubprocessorNoticeStatus", "SubprocessorPlanRow", "TransferBasis",
    ),
    "versions": ("TOELICHTING_TODO", "Resolved", "Version", "VersionStatus", "version_key"),
}
"""Each domain module of the model and the names this index re-exports from it."""

_HOME_OF = {name: module for module, names in HOMES.items() for name in names}

__all__ = sorted(_HOME_OF)


def __dir__() -> list[str]:
    """Return the index's names, loaded or not."""
    return sorted({*globals(), *__all__})


if not TYPE_CHECKING:  # to a type checker, the names are the imports above: a typo stays an error

    def __getattr__(name: str) -> object:
        """Return the model's `name`, importing its domain module the first time (PEP 562)."""
        module = _HOME_OF.get(name)
        if module is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
        globals()[name] = value
        return value
