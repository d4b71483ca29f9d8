"""Why a send refuses notices: the one answer every send rule gives, to the send and its dry run.

Each rule a send applies before anything goes out (`dating.stale_refusal`,
`dating.late_refusal`, `subprocessors.lateness.late_refusal`, `send.missing_refusal`,
`send.changed_refusal`) looks at the notices a run would send and returns a `Refusal`, or None:
which notices it refuses, each with why, and the error the send stops with. The send says the
reasons and raises the error before the first message goes out, so that an announcement never
goes out half; its dry run prints the same reasons per notice, then stops with the same error.
Neither has a copy of a rule.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from assembler.errors import AssemblerError


@dataclass(frozen=True)
class Refusal:
    """What one rule refuses of a run: per notice why, and the error the send stops with."""

    reasons: Mapping[str, str]
    """Customer id → why that customer's notice is refused."""
    error: AssemblerError
    """The error the send raises (it sends nothing while any notice is refused)."""


def refusals(*found: Refusal | None) -> list[Refusal]:
    """Return the refusals among `found`, in the order the rules were asked."""
    return [r for r in found if r is not None]


def refused(found: Iterable[Refusal]) -> dict[str, str]:
    """Return, per refused customer, every rule's reason (joined with "; ")."""
    reasons: dict[str, list[str]] = {}
    for refusal in found:
        for cid, why in refusal.reasons.items():
            reasons.setdefault(cid, []).append(why)
    return {cid: "; ".join(why) for cid, why in reasons.items()}
