"""``--format json``: the object spec section 4 defines, byte-identical from run to run.

Keys are sorted and the indent fixed, lists come in ``report.ordered`` order, and nothing
time- or machine-dependent is written. Beyond the spec's keys, findings and unresolved entries
carry ``root``: the Terraform root (``.`` for the scanned folder itself) or the CloudFormation
template or plan file whose evaluation produced them, so that one module file evaluated from
two roots gives two distinguishable findings; and ``plan``: for a plan finding anchored in its
Terraform source (``file``/``line`` then point at the ``.tf``), its place in the plan, else null.
"""

from __future__ import annotations

import json
from typing import Any

from .. import __version__
from ..model.findings import Finding
from . import Ordered

SCHEMA_VERSION = 1


def render(data: Ordered) -> str:
    return json.dumps(document(data), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def document(data: Ordered) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "version": __version__,
        "findings": [finding_object(f) for f in data.findings],
        "unresolved": [
            {
                "check_ids": sorted(u.check_ids),
                "resource": u.resource,
                "file": u.file,
                "line": u.line,
                "value": u.value,
                "message": u.message,
                "root": u.scope,
                "plan": _plan(u.plan_file, u.plan_line),
            }
            for u in data.unresolved
        ],
        "errors": [{"file": e.file, "line": e.line, "message": e.message} for e in data.errors],
        "warnings": data.warnings,
        "summary": data.summary,
    }


def _plan(file: str, line: int) -> dict[str, Any] | None:
    """Where a plan finding anchored in its Terraform source sits in the plan."""
    return {"file": file, "line": line} if file else None


def finding_object(finding: Finding) -> dict[str, Any]:
    """Spelled out key by key: the json schema is a contract, not whatever Finding holds."""
    suppressed = finding.suppressed
    return {
        "check_id": finding.check_id,
        "title": finding.title,
        "severity": finding.severity,
        "file": finding.file,
        "line": finding.line,
        "end_line": finding.end_line,
        "resource": finding.resource,
        "message": finding.message,
        "framework": finding.framework,
        "fingerprint": finding.fingerprint,
        "root": finding.scope,
        "plan": _plan(finding.plan_file, finding.plan_line),
        "suppressed": {"reason": suppressed.reason, "source": suppressed.source}
        if suppressed
        else None,
    }
