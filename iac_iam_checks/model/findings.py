"""What a scan produces: findings, unresolved entries, errors, warnings.

Every output format (text, json, sarif, junit, markdown) renders a ``ScanResult``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .values import ParseError


@dataclass(frozen=True)
class Suppression:
    reason: str
    source: str
    """Where it came from: ``comment``, ``checkov:skip``, ``metadata``, ``config``, ``baseline``."""


@dataclass
class Finding:
    check_id: str
    title: str
    severity: str
    file: str
    line: int
    end_line: int
    resource: str
    message: str
    framework: str
    fingerprint: str
    suppressed: Suppression | None = None
    scope: str = ""
    """The Terraform root or CloudFormation template whose evaluation gave the finding: one
    module file evaluated from several roots gives findings that differ only here."""
    plan_file: str = ""
    plan_line: int = 0
    """For a plan finding anchored in its Terraform source: where it is in the plan."""

    def sort_key(self) -> tuple[str, int, str, str, str]:
        return (self.file, self.line, self.check_id, self.resource, self.message)


@dataclass
class UnresolvedEntry:
    check_ids: list[str]
    resource: str
    file: str
    line: int
    value: str
    message: str
    scope: str = ""
    """As ``Finding.scope``."""
    plan_file: str = ""
    plan_line: int = 0
    """As ``Finding.plan_file``/``plan_line``."""

    def sort_key(self) -> tuple[str, int, str, str]:
        return (self.file, self.line, self.resource, self.value)


@dataclass
class ScanResult:
    findings: list[Finding] = field(default_factory=list)
    unresolved: list[UnresolvedEntry] = field(default_factory=list)
    errors: list[ParseError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    files_scanned: int = 0
    resources_scanned: int = 0
    baselined: list[Finding] = field(default_factory=list)
    """Findings that ``--baseline`` accepted: no longer in ``findings``, still counted."""

    @property
    def active_findings(self) -> list[Finding]:
        return [f for f in self.findings if f.suppressed is None]
