"""The CI gate's verdict: which findings fail it, the exit code, and the one line that says why.

A person reading a red CI job must see which findings failed the gate and why the exit code is
what it is, without knowing the flags the job was run with; every format shows this verdict.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..model.findings import Finding, ScanResult
from ..model.values import SEVERITIES

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def at_or_above(severity: str, threshold: str) -> bool:
    """Whether a finding of ``severity`` counts against a gate at ``threshold``."""
    return SEVERITIES.index(severity) >= SEVERITIES.index(threshold)


@dataclass(frozen=True)
class Verdict:
    """What decided the exit code of one scan."""

    threshold: str
    failing: int
    """Unsuppressed findings at or above ``threshold``."""
    unresolved: int
    """Unresolved entries that fail the gate (only with ``--fail-on-unresolved``)."""
    errors: int
    soft_fail: bool

    @property
    def failed(self) -> bool:
        return bool(self.failing or self.unresolved)

    @property
    def exit_code(self) -> int:
        if self.errors:
            return EXIT_ERROR
        return EXIT_FINDINGS if self.failed and not self.soft_fail else EXIT_OK

    def line(self) -> str:
        """``gate: FAILED, 9 findings at or above HIGH`` (and what else decided the exit)."""
        reasons = []
        if self.failing:
            noun = "finding" if self.failing == 1 else "findings"
            reasons.append(f"{self.failing} {noun} at or above {self.threshold}")
        if self.unresolved:
            reasons.append(f"{self.unresolved} unresolved (--fail-on-unresolved)")
        if self.failed:
            text = f"gate: FAILED, {', '.join(reasons)}"
        else:
            text = f"gate: PASSED, no finding at or above {self.threshold}"
        if self.errors:
            noun = "error" if self.errors == 1 else "errors"
            text += f"; exit 2 ({self.errors} {noun})"
        elif self.failed and self.soft_fail:
            text += "; exit 0 (--soft-fail)"
        return text

    def as_dict(self) -> dict[str, object]:
        return {
            "threshold": self.threshold,
            "failed": self.failed,
            "failing_findings": self.failing,
            "failing_unresolved": self.unresolved,
            "exit_code": self.exit_code,
        }


def failing_findings(findings: list[Finding], threshold: str) -> list[Finding]:
    return [f for f in findings if f.suppressed is None and at_or_above(f.severity, threshold)]


def verdict(
    result: ScanResult, threshold: str, fail_on_unresolved: bool, soft_fail: bool
) -> Verdict:
    return Verdict(
        threshold=threshold,
        failing=len(failing_findings(result.findings, threshold)),
        unresolved=len(result.unresolved) if fail_on_unresolved else 0,
        errors=len(result.errors),
        soft_fail=soft_fail,
    )
