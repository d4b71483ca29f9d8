"""A redline as JSON (the schema is in the README, "Redlines")."""

from __future__ import annotations

from typing import Any

from assembler.model import Change, Redline, Resolved
from assembler.render.redline_common import KINDS, counts


def _side(r: Resolved) -> dict[str, Any]:
    return {"version": r.version.number if r.version else None, "ref": r.ref,
            "commit": r.commit, "sha256": r.agreement.sha256}


def change_json(c: Change) -> dict[str, Any]:
    """Return one change as JSON: the issue's fields, then optional details."""
    out: dict[str, Any] = {"kind": c.kind, "level": c.level, "old_number": c.old_number,
                           "new_number": c.new_number, "article": c.article}
    if c.ops:
        out["ops"] = [{"op": o.op, "text": o.text} for o in c.ops]
    if c.note:
        out["note"] = c.note
    if c.related:
        out["related"] = list(c.related)
    if c.item:
        out["item"] = c.item
    if c.services_added:
        out["services_added"] = list(c.services_added)
    if c.services_removed:
        out["services_removed"] = list(c.services_removed)
    return out


def render_redline_json(redline: Redline) -> dict[str, Any]:
    """Return the redline as a JSON-ready dict."""
    c = counts(redline)
    return {
        "contract": redline.contract,
        "from": _side(redline.old),
        "to": _side(redline.new),
        "date": redline.date.isoformat(),
        "backwards": redline.backwards,
        "identical": redline.identical,
        "summary": {k: c[k] for k in KINDS},
        "changes": [change_json(ch) for ch in redline.changes],
        "warnings": [{"path": w.source.path, "line": w.source.line, "clause": w.clause,
                      "reference": w.reference, "target_old": w.target_old,
                      "target_new": w.target_new, "message": w.message}
                     for w in redline.warnings],
    }
