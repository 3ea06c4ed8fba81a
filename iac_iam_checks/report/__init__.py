"""Output formats. Every format renders one ``ScanResult``; ``render`` picks the module.

Formats are imported on first use so that a text run never pays for XML or SARIF code.
Shared here: the one ordering and the one summary every format uses, so that counts agree
between formats.

``checks`` passed to ``render`` should be the checks that ran (after ``--check``/
``--skip-check``, with configured severity overrides applied): SARIF lists one rule per
check given and JUnit one suite per check given, so a check that ran and found nothing is
visible as passed.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..checks.registry import Check
from ..gate.verdict import Verdict
from ..model.findings import Finding, ScanResult, UnresolvedEntry
from ..model.values import SEVERITIES, ParseError

FORMATS = ("text", "json", "sarif", "junit", "markdown")

SEVERITY_ORDER = tuple(reversed(SEVERITIES))
"""Most severe first: CRITICAL, HIGH, MEDIUM, LOW."""


def render(
    result: ScanResult,
    fmt: str,
    checks: dict[str, Check],
    color: bool = False,
    shown: ScanResult | None = None,
    srcroot: str = "",
    verdict: Verdict | None = None,
) -> str:
    """``result`` as ``fmt`` (one of ``FORMATS``); ``color`` only affects text.

    ``shown``: what to list when it is less than ``result`` (``--quiet``); the summary still
    counts all of ``result``. ``srcroot``: the scan base inside the repository (``infra/``),
    prefixed to SARIF URIs. ``verdict``: the CI gate's, shown by text and markdown and in the
    json summary (``gate``).
    """
    data = ordered(shown or result)
    data.summary = summary(result)
    data.verdict = verdict
    if verdict is not None:
        data.summary["gate"] = verdict.as_dict()
    if fmt == "text":
        from . import text

        return text.render(data, color=color)
    if fmt == "json":
        from . import json_report

        return json_report.render(data)
    if fmt == "sarif":
        from . import sarif

        return sarif.render(data, checks, srcroot)
    if fmt == "junit":
        from . import junit

        return junit.render(data, checks)
    if fmt == "markdown":
        from . import markdown

        return markdown.render(data)
    raise ValueError(f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})")


@dataclass
class Ordered:
    """A scan result in output order: what every format iterates over."""

    findings: list[Finding]
    unresolved: list[UnresolvedEntry]
    errors: list[ParseError]
    warnings: list[str]
    summary: dict
    baselined: list[Finding]
    """Findings a ``--baseline`` accepted: counted, listed only where formats mark them."""
    verdict: Verdict | None = None


def ordered(result: ScanResult) -> Ordered:
    """Sort everything the same way for every format, so output never depends on scheduling
    (warnings are also deduplicated: several variants of one resource warn alike)."""
    return Ordered(
        findings=sorted(result.findings, key=_finding_order),
        unresolved=sorted(result.unresolved, key=_unresolved_order),
        errors=sorted(result.errors, key=lambda e: (e.file, e.line or 0, e.message)),
        warnings=sorted(set(result.warnings)),
        summary=summary(result),
        baselined=sorted(result.baselined, key=_finding_order),
    )


def _finding_order(f: Finding) -> tuple:
    """The spec's order (file, line, check id, resource, message), then enough to break ties."""
    return (
        *f.sort_key(),
        f.end_line,
        f.severity,
        f.scope,
        f.fingerprint,
        f.suppressed is not None,
    )


def _unresolved_order(u: UnresolvedEntry) -> tuple:
    return (*u.sort_key(), sorted(u.check_ids), u.message, u.scope)


def summary(result: ScanResult) -> dict:
    """Counts shown by every format (the json ``summary`` object).

    ``findings`` and ``by_severity`` count findings that are not suppressed; ``suppressed``
    counts the others, so ``findings + suppressed`` is every finding reported; ``baselined``
    counts the findings a ``--baseline`` accepted (not in ``findings``).
    """
    active = result.active_findings
    return {
        "findings": len(active),
        "by_severity": {
            level: sum(f.severity == level for f in active) for level in SEVERITY_ORDER
        },
        "suppressed": len(result.findings) - len(active),
        "baselined": len(result.baselined),
        "unresolved": len(result.unresolved),
        "errors": len(result.errors),
        "warnings": len(set(result.warnings)),
        "files_scanned": result.files_scanned,
        "resources_scanned": result.resources_scanned,
    }


def rank(severity: str) -> int:
    """0 for CRITICAL up to 3 for LOW (unknown severities last), for most-severe-first sorts."""
    return SEVERITY_ORDER.index(severity) if severity in SEVERITY_ORDER else len(SEVERITY_ORDER)
