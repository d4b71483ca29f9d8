"""The model at the hub: frozen dataclasses that every reader produces and every writer consumes.

Nothing here imports from the rest of the package. Readers (`agreement/parse.py`,
`agreement/manifests.py`, the registry) build these objects; renderers, lint, the redline and the
notices read them. One module per domain; this index re-exports them all.
"""

from __future__ import annotations

from assembler.model.agreement import (
    Agreement,
    Annex,
    AnnexBlock,
    Article,
    Catalogue,
    CatalogueItem,
    Clause,
    ContractMeta,
    Paragraph,
    Party,
    Service,
    Source,
    Span,
    Term,
)
from assembler.model.customers import (
    Customer,
    SignatureBox,
)
from assembler.model.findings import (
    Finding,
)
from assembler.model.notices import (
    ClauseChange,
    LedgerEvent,
    LedgerNotice,
    NoticeDocument,
    PlanRow,
)
from assembler.model.redline import (
    Block,
    Change,
    Op,
    Redline,
    ReferenceWarning,
)
from assembler.model.signing import (
    Provenance,
    SignatureCheck,
    TimestampCheck,
    VerifyResult,
)
from assembler.model.site import (
    PublishedVersion,
)
from assembler.model.versions import (
    Resolved,
    Version,
    version_key,
)

__all__ = [
    "Agreement",
    "Annex",
    "AnnexBlock",
    "Article",
    "Block",
    "Catalogue",
    "CatalogueItem",
    "Change",
    "Clause",
    "ClauseChange",
    "ContractMeta",
    "Customer",
    "Finding",
    "LedgerEvent",
    "LedgerNotice",
    "NoticeDocument",
    "Op",
    "Paragraph",
    "Party",
    "PlanRow",
    "Provenance",
    "PublishedVersion",
    "Redline",
    "ReferenceWarning",
    "Resolved",
    "Service",
    "SignatureBox",
    "SignatureCheck",
    "Source",
    "Span",
    "Term",
    "TimestampCheck",
    "VerifyResult",
    "Version",
    "version_key",
]
