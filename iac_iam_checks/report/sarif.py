"""``--format sarif``: SARIF 2.1.0 for GitHub code scanning and other SARIF readers.

Written as plain dicts and checked against the official schema in the tests. Libraries
considered: ``sarif-om`` (Microsoft, last release 1.0.4 in 2020) has classes but no
serializer of its own; ``sarif-pydantic`` would bring pydantic into a tool that must start
fast; ``pysarif`` had a single release. None is worth a dependency for one JSON document.

Choices:
- One rule per check passed in (the checks that ran, so code scanning sees which rules
  passed), plus a rule for any check id that has results but was not passed.
  ``help.markdown`` is the check's documentation page (``docs/checks/IAM003.md``, from
  ``checks.pages``) without its title: GitHub code scanning shows it inline, examples and
  reference links included; ``help.text`` is why + fix + references and the links' URLs.
  ``helpUri`` must be absolute (GitHub rejects relative ones): it is the page's URL when the
  installed distribution names where pages are served (the "Check pages" project URL in
  pyproject.toml, ``checks.pages.pages_base_url``), else the check's first AWS IAM User Guide
  page, else absent. ``properties.security-severity`` follows GitHub's bands
  (CRITICAL 9.5, HIGH 8.0, MEDIUM 5.5, LOW 2.0) and the default level maps CRITICAL/HIGH to
  ``error``, MEDIUM to ``warning``, LOW to ``note``. A result's level follows its finding's
  own severity (which may differ from the rule's default, e.g. IAM011 without ``pgp_key``).
- Locations are relative URIs under ``%SRCROOT%``, with ``startLine`` >= 1 and ``endLine``.
  GitHub code scanning reads relative URIs from the repository root (and ignores
  ``originalUriBaseIds``), so the CLI passes the scan base's place in its git repository as
  ``srcroot``: scanning ``infra/`` gives ``infra/main.tf``, like the JSON ``file`` prefixed;
  the resource address is the result's logical location and starts its message (with
  ``(root <dir>)`` when several Terraform roots evaluate the file, so two results on one line
  can be told apart; ``properties.root`` always names the root or template).
- ``partialFingerprints["iacIamChecks/v1"]`` is the finding's line-independent fingerprint.
- Suppressed findings carry ``suppressions``: ``inSource`` for comments and Metadata,
  ``external`` for configuration; the others carry an empty list (evaluated, not suppressed).
  Findings a ``--baseline`` accepted are results too, ``external``-suppressed with source
  ``baseline`` and ``baselineState: unchanged``.
- A plan finding anchored in its Terraform source (``engine.plan_anchor``) is located at the
  ``.tf`` line; its place in the plan is a ``relatedLocations`` entry.
- Unresolved entries are ``note`` results of one extra rule, ``unresolved`` (no
  security-severity, so they never count as security alerts and never fail a code-scanning
  gate), at the resource's location, naming the blocked checks.
- File errors and scan warnings are tool execution notifications (``error`` / ``warning``);
  file errors name the file without a region.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from .. import __version__
from ..checks import pages
from ..checks.registry import Check
from ..gate.fingerprint import fingerprint
from ..model.findings import Finding, UnresolvedEntry
from . import Ordered
from .groups import files_of_several_roots, name

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
TOOL_NAME = "iac-iam-checks"
FINGERPRINT_KEY = "iacIamChecks/v1"
UNRESOLVED_RULE = "unresolved"
SRCROOT = "%SRCROOT%"

SECURITY_SEVERITY = {"CRITICAL": "9.5", "HIGH": "8.0", "MEDIUM": "5.5", "LOW": "2.0"}
LEVEL = {"CRITICAL": "error", "HIGH": "error", "MEDIUM": "warning", "LOW": "note"}
IN_SOURCE = {"comment", "checkov:skip", "metadata"}


def render(data: Ordered, checks: dict[str, Check], srcroot: str = "") -> str:
    text = json.dumps(document(data, checks, srcroot), indent=2, sort_keys=True, ensure_ascii=False)
    return text + "\n"


def document(data: Ordered, checks: dict[str, Check], srcroot: str = "") -> dict[str, Any]:
    """``srcroot`` (``infra/``) is prefixed to every file: see ``_artifact``."""
    rules = [_rule(check) for _, check in sorted(checks.items())]
    every = [*data.findings, *data.baselined]
    rules += [_fallback_rule(f) for f in _first_per_unlisted_check(every, checks)]
    if data.unresolved:
        rules.append(_unresolved_rule())
    index = {rule["id"]: i for i, rule in enumerate(rules)}
    shared = files_of_several_roots([*data.findings, *data.unresolved])
    results = [_finding_result(f, index[f.check_id], srcroot, shared) for f in data.findings]
    results += [_baselined_result(f, index[f.check_id], srcroot, shared) for f in data.baselined]
    results += [
        _unresolved_result(u, index[UNRESOLVED_RULE], srcroot, shared) for u in data.unresolved
    ]
    notifications = [
        {
            "level": "error",
            "message": {"text": f"line {e.line}: {e.message}" if e.line else e.message},
            "locations": [{"physicalLocation": {"artifactLocation": _artifact(srcroot + e.file)}}],
        }
        for e in data.errors
    ]
    notifications += [{"level": "warning", "message": {"text": w}} for w in data.warnings]
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": TOOL_NAME,
                        "version": __version__,
                        "semanticVersion": __version__,
                        "rules": rules,
                    }
                },
                "invocations": [
                    {"executionSuccessful": True, "toolExecutionNotifications": notifications}
                ],
                "results": results,
            }
        ],
    }


def _rule(check: Check) -> dict[str, Any]:
    page = pages.page_of(check)
    urls = "".join(f"\n- {link.url}" for link in page.links) if page else ""
    help_text = f"{check.why}\n\nFix: {check.fix}\n\nReferences: {check.references}{urls}"
    help_markdown = pages.help_markdown(check) or (
        f"{check.why}\n\n**Fix:** {check.fix}\n\n**References:** {check.references}"
    )
    rule: dict[str, Any] = {
        "id": check.id,
        "shortDescription": {"text": check.title},
        "fullDescription": {"text": check.why},
        "help": {"text": help_text, "markdown": help_markdown},
        "defaultConfiguration": {"level": LEVEL.get(check.severity, "warning")},
        "properties": _rule_properties(check.severity, check.needs_graph),
    }
    help_uri = pages.page_url(check.id) if page else None
    help_uri = help_uri or pages.user_guide_url(check)
    if help_uri:
        rule["helpUri"] = help_uri
    return rule


def _fallback_rule(finding: Finding) -> dict[str, Any]:
    return {
        "id": finding.check_id,
        "shortDescription": {"text": finding.title},
        "defaultConfiguration": {"level": LEVEL.get(finding.severity, "warning")},
        "properties": _rule_properties(finding.severity, False),
    }


def _rule_properties(severity: str, needs_graph: bool) -> dict[str, Any]:
    properties: dict[str, Any] = {"tags": ["security", "iam"], "severity": severity}
    if severity in SECURITY_SEVERITY:
        properties["security-severity"] = SECURITY_SEVERITY[severity]
    if needs_graph:
        properties["crossResource"] = True
    return properties


def _unresolved_rule() -> dict[str, Any]:
    text = (
        "A check could not decide because a value is not known statically (a variable "
        "without a value, a remote module, a policy outside the scan). Not a pass: review "
        "the value, or give the scan what it needs to see it."
    )
    return {
        "id": UNRESOLVED_RULE,
        "name": "Unresolved",
        "shortDescription": {"text": "Check could not decide: value unknown statically"},
        "fullDescription": {"text": text},
        "help": {"text": text},
        "defaultConfiguration": {"level": "note"},
        "properties": {"tags": ["iam", "unresolved"]},
    }


def _finding_result(
    finding: Finding, rule_index: int, srcroot: str, shared: set[str]
) -> dict[str, Any]:
    suppressions = []
    if finding.suppressed:
        kind = "inSource" if finding.suppressed.source in IN_SOURCE else "external"
        suppression: dict[str, Any] = {"kind": kind, "status": "accepted"}
        if finding.suppressed.reason:
            suppression["justification"] = finding.suppressed.reason
        suppression["properties"] = {"source": finding.suppressed.source}
        suppressions.append(suppression)
    return {
        "ruleId": finding.check_id,
        "ruleIndex": rule_index,
        "level": LEVEL.get(finding.severity, "warning"),
        "message": {"text": f"{name(finding, shared)}: {finding.message}"},
        "locations": [
            _location(srcroot + finding.file, finding.line, finding.end_line, finding.resource)
        ],
        "partialFingerprints": {FINGERPRINT_KEY: finding.fingerprint},
        "suppressions": suppressions,
        **_plan_location(finding.plan_file, finding.plan_line, srcroot, finding.resource),
        "properties": {
            "severity": finding.severity,
            "resource": finding.resource,
            "framework": finding.framework,
            "root": finding.scope,
        },
    }


def _baselined_result(
    finding: Finding, rule_index: int, srcroot: str, shared: set[str]
) -> dict[str, Any]:
    """A finding the baseline accepted: suppressed (``external``) and ``unchanged``, so code
    scanning keeps it closed and a reader can still see what the baseline hid."""
    result = _finding_result(finding, rule_index, srcroot, shared)
    result["suppressions"] = [
        {
            "kind": "external",
            "status": "accepted",
            "justification": "in the baseline",
            "properties": {"source": "baseline"},
        }
    ]
    result["baselineState"] = "unchanged"
    return result


def _unresolved_result(
    entry: UnresolvedEntry, rule_index: int, srcroot: str, shared: set[str]
) -> dict[str, Any]:
    check_ids = sorted(entry.check_ids)
    key = fingerprint(UNRESOLVED_RULE, f"{entry.scope}:{entry.resource}", [check_ids, entry.value])
    return {
        "ruleId": UNRESOLVED_RULE,
        "ruleIndex": rule_index,
        "level": "note",
        "message": {
            "text": f"{name(entry, shared)}: {', '.join(check_ids)} could not decide: "
            f"{entry.message} (unknown: {entry.value})"
        },
        "locations": [_location(srcroot + entry.file, entry.line, entry.line, entry.resource)],
        "partialFingerprints": {FINGERPRINT_KEY: key},
        **_plan_location(entry.plan_file, entry.plan_line, srcroot, entry.resource),
        "properties": {
            "checkIds": check_ids,
            "value": entry.value,
            "resource": entry.resource,
            "root": entry.scope,
        },
    }


def _plan_location(file: str, line: int, srcroot: str, resource: str) -> dict[str, Any]:
    """A plan finding anchored in its source keeps the plan as a related location."""
    if not file:
        return {}
    where = _location(srcroot + file, line, line, resource)
    where["id"] = 1
    where["message"] = {"text": "in the Terraform plan"}
    return {"relatedLocations": [where]}


def _location(file: str, line: int, end_line: int, resource: str) -> dict[str, Any]:
    start = max(line, 1)
    return {
        "physicalLocation": {
            "artifactLocation": _artifact(file),
            "region": {"startLine": start, "endLine": max(end_line, start)},
        },
        "logicalLocations": [{"fullyQualifiedName": resource, "kind": "resource"}],
    }


def _artifact(file: str) -> dict[str, str]:
    return {"uri": quote(file, safe="/"), "uriBaseId": SRCROOT}


def _first_per_unlisted_check(findings: list[Finding], checks: dict[str, Check]) -> list[Finding]:
    """One finding per check id that has results but no Check given (sorted by id)."""
    first: dict[str, Finding] = {}
    for finding in findings:
        if finding.check_id not in checks:
            first.setdefault(finding.check_id, finding)
    return [first[check_id] for check_id in sorted(first)]
