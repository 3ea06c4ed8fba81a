"""The scan pipeline: discover -> parse -> evaluate -> graph -> checks -> findings.

Front ends and checks know nothing of each other; this module is the only place that runs
both, applies suppressions and the baseline, and turns check results into findings and
unresolved entries with stable order and fingerprints.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..checks.registry import Blocked, Check, Context, Issue, all_checks
from ..collector import paused
from ..model import limits
from ..model.findings import Finding, ScanResult, Suppression, UnresolvedEntry
from ..model.settings import Settings
from ..model.values import CLOUDFORMATION, PSEUDO_KINDS, Location, Resource, ScanInput
from . import discover as disc
from .loading import load, relevant_kinds, scan_base
from .options import ScanOptions, selected_checks

if TYPE_CHECKING:
    from collections.abc import Callable

    from .plan_anchor import SourceScan


def count_resources(resources: list[Resource], options: ScanOptions) -> int:
    """The resources a summary counts: no providers or declarations, and in Terraform and plans
    only the kinds the HCL parser reads (it skips the others' blocks unseen), so that a plan and
    its configuration count alike."""
    from ..frontends.terraform_parse import ALWAYS_KEPT

    read = relevant_kinds(options)
    return sum(
        r.kind not in PSEUDO_KINDS
        and (r.framework == CLOUDFORMATION or r.kind in read or r.kind.startswith(ALWAYS_KEPT))
        for r in resources
    )


def run_checks(
    resources: list[Resource], checks: list[Check], settings: Settings, jobs: int = 1
) -> list[tuple[Check, Issue | Blocked]]:
    from ..iam.graph import Graph
    from .check_runs import run_checks as run

    return run(resources, checks, Context(graph=Graph(resources), settings=settings), jobs)


def scan(paths: list[Path], options: ScanOptions | None = None) -> ScanResult:
    """Scan files or directories and return every finding, unresolved entry and error."""
    from . import result_cache

    options = options or ScanOptions()
    found = disc.discover(paths, scan_base(paths), options.excludes)
    key = ""
    if options.use_cache:  # the key hashes every file and this package's code: cold runs skip it
        key = result_cache.scan_key(paths, [(f.rel, f.text) for f in found.files], options)
        cached = result_cache.load_result(key)
        if cached is not None:
            return cached
    with limits.activated(options.limits):
        result = scan_uncached(paths, options, found)
    # A parse that ran out of time depends on the machine's load, not on the files: not kept.
    timed_out = any(limits.PARSE_TIMEOUT_MARK in e.message for e in result.errors)
    if options.use_cache and not timed_out:
        result_cache.store_result(key, result, found.read_elsewhere)
    return result


def scan_uncached(paths: list[Path], options: ScanOptions, found: disc.Discovery) -> ScanResult:
    return scan_with_resources(paths, options, found)[0]


def scan_with_resources(
    paths: list[Path], options: ScanOptions, found: disc.Discovery
) -> tuple[ScanResult, list[Resource]]:
    """The scan, plus the resources it judged: the checkov shim maps the verdicts back onto
    checkov's own records by each resource's file and address (no result cache here)."""
    result, scan_input = evaluate(paths, options, found)
    plans = [f.path for f in found.files if f.kind == disc.PLAN]
    if plans:
        from .plan_anchor import anchor_plan_findings

        found.read_elsewhere |= anchor_plan_findings(
            result, plans, scan_base(paths), options.source_root, _source_scanner(options)
        )
        result.findings.sort(key=Finding.sort_key)
        result.unresolved.sort(key=UnresolvedEntry.sort_key)
    return result, scan_input.resources


def _source_scanner(options: ScanOptions) -> Callable[[Path], SourceScan]:
    """How a plan's configuration folder is scanned: as Terraform, with the plan scan's checks,
    settings and suppression rules."""
    from .plan_anchor import SourceScan

    def scan_source(folder: Path) -> SourceScan:
        terraform = replace(options, frameworks=["terraform"], use_cache=False, source_root=None)
        found = disc.discover([folder], folder, terraform.excludes)
        result, scan_input = evaluate([folder], terraform, found)
        files = {f.path for f in found.files} | found.read_elsewhere | {folder}
        return SourceScan(result, scan_input.resources, files)

    return scan_source


def evaluate(
    paths: list[Path], options: ScanOptions, found: disc.Discovery
) -> tuple[ScanResult, ScanInput]:
    """Front ends, graph and checks over discovered files: findings with suppressions applied,
    and the resources they were judged on."""
    with paused():
        return _evaluate(paths, options, found)


def _evaluate(
    paths: list[Path], options: ScanOptions, found: disc.Discovery
) -> tuple[ScanResult, ScanInput]:
    scan_input, file_count = load(paths, options, found)
    found.read_elsewhere |= scan_input.read_elsewhere
    for source in found.files:
        source.text = ""  # evaluated: the texts need not stay in memory while checks run
    checks = selected_checks(options)
    settings = with_plan_accounts(options.settings, scan_input.resources)
    results = run_checks(scan_input.resources, checks, settings, options.jobs)
    result = ScanResult(
        errors=sorted(scan_input.errors, key=lambda e: (e.file, e.line or 0, e.message)),
        warnings=list(dict.fromkeys(scan_input.warnings)),
        files_scanned=file_count,
        resources_scanned=count_resources(scan_input.resources, options),
    )
    result.findings = findings_from(results, settings)
    result.unresolved = unresolved_from(results, scan_input)
    apply_suppressions(result, results, scan_base(paths), options)
    result.findings.sort(key=Finding.sort_key)
    result.unresolved.sort(key=UnresolvedEntry.sort_key)
    return result, scan_input


def with_plan_accounts(settings: Settings, resources: list[Resource]) -> Settings:
    """A plan shows ``data.aws_caller_identity`` with the real account id: that account is
    the own account (in HCL the same data source is an Unknown that checks recognize)."""
    found = [
        r.attrs["account_id"]
        for r in resources
        if r.kind == "aws_caller_identity"
        and isinstance(r.attrs.get("account_id"), str)
        and re.fullmatch(r"\d{12}", r.attrs["account_id"])
    ]
    if not found:
        return settings
    merged = tuple(dict.fromkeys([*settings.own_account_ids, *found]))
    return replace(settings, own_account_ids=merged)


def findings_from(
    results: list[tuple[Check, Issue | Blocked]], settings: Settings
) -> list[Finding]:
    from ..gate.fingerprint import fingerprint

    out: dict[tuple[Any, ...], Finding] = {}
    for check, issue in results:
        if not isinstance(issue, Issue):
            continue
        where: Location = issue.location or issue.resource.location
        severity = settings.severity_overrides.get(check.id) or issue.severity or check.severity
        content = issue.statement.raw if issue.statement is not None else issue.message
        finding = Finding(
            check_id=check.id,
            title=check.title,
            severity=severity,
            file=where.file,
            line=max(where.line, 1),
            end_line=max(where.end_line, where.line, 1),
            resource=issue.resource.address,
            message=issue.message,
            framework=issue.resource.framework,
            fingerprint=fingerprint(
                check.id, f"{issue.resource.scope}:{issue.resource.address}", content
            ),
            scope=issue.resource.scope,
        )
        # One finding per problem: CloudFormation Fn::If variants of a resource (same address)
        # and repeated identical statements give the same fingerprint; keep the first line.
        # The scope (Terraform root, template) keeps apart roots that share addresses.
        key = (finding.check_id, finding.scope, finding.resource, finding.fingerprint)
        if key not in out or finding.sort_key() < out[key].sort_key():
            out[key] = finding
    return list(out.values())


def unresolved_from(
    results: list[tuple[Check, Issue | Blocked]], scan_input: ScanInput
) -> list[UnresolvedEntry]:
    """One entry per unknown value of a resource in one scope: two templates (or roots) with the
    same logical id (or address) keep an entry each."""
    grouped: dict[tuple[str, str, str], UnresolvedEntry] = {}
    for check, blocked in results:
        if not isinstance(blocked, Blocked):
            continue
        where = blocked.location or blocked.resource.location
        key = (blocked.resource.scope, blocked.resource.address, blocked.value.source)
        entry = grouped.get(key)
        if entry is None:
            grouped[key] = UnresolvedEntry(
                check_ids=[check.id],
                resource=blocked.resource.address,
                file=where.file,
                line=max(where.line, 1),
                value=blocked.value.source,
                message=blocked.message,
                scope=blocked.resource.scope,
            )
        elif check.id not in entry.check_ids:
            entry.check_ids.append(check.id)
            entry.check_ids.sort()
    for resource, value, message in scan_input.unresolved_notes:
        key = (resource.scope, resource.address, value.source)
        grouped.setdefault(
            key,
            UnresolvedEntry(
                [],
                resource.address,
                resource.location.file,
                resource.location.line,
                value.source,
                message,
                resource.scope,
            ),
        )
    return list(grouped.values())


def apply_suppressions(
    result: ScanResult,
    results: list[tuple[Check, Issue | Blocked]],
    base: Path,
    options: ScanOptions,
) -> None:
    """Mark findings suppressed by comments, CFN Metadata or configuration.

    Comments and Metadata belong to one resource of one scope (template or Terraform root):
    they never reach a resource of the same address elsewhere. Configuration rules are address
    patterns and apply in every scope.

    A plan has no comments (a marker in it could only be a string value, and a minified plan
    is one line): findings in plans are suppressed by configuration only.
    """
    from ..gate import suppressions
    from ..model.values import TERRAFORM_PLAN

    known = set(all_checks())
    spans: dict[tuple[str, str], Resource] = {}
    for _, item in results:
        spans.setdefault((item.resource.scope, item.resource.address), item.resource)
    texts: dict[str, list[str]] = {}
    per_resource: dict[tuple[str, str], dict[str, Suppression]] = {}
    if options.inline_suppressions:
        for (_, address), resource in spans.items():
            found: dict[str, Suppression] = {}
            if resource.framework == TERRAFORM_PLAN:
                continue
            if resource.framework == CLOUDFORMATION:
                metadata = (resource.metadata or {}).get("Metadata") or {}
                found, warnings = suppressions.metadata_suppressions(metadata, known)
                result.warnings.extend(
                    f"{resource.location.file}: {address}: {w}" for w in warnings
                )
            lines = source_lines(base, resource.location.file, texts)
            if lines:
                inline, warnings = suppressions.inline_suppressions(
                    lines,
                    resource.location.line,
                    resource.location.end_line,
                    known,
                    resource.location.file,
                )
                result.warnings.extend(warnings)
                found = {**inline, **found}
            per_resource[(resource.scope, address)] = found
    config_rules, expired = suppressions.live_rules(options.config_suppressions)
    result.warnings.extend(expired)
    for finding in result.findings:
        found = per_resource.get((finding.scope, finding.resource), {})
        finding.suppressed = found.get(finding.check_id) or suppressions.config_suppression(
            config_rules, finding.check_id, finding.resource
        )
    # A check suppressed on a resource is not asked about there: its unresolved entries go too.
    kept = []
    for entry in result.unresolved:
        found = per_resource.get((entry.scope, entry.resource), {})
        open_ids = [
            check_id
            for check_id in entry.check_ids
            if check_id not in found
            and suppressions.config_suppression(config_rules, check_id, entry.resource) is None
        ]
        if entry.check_ids and not open_ids:
            continue
        entry.check_ids = open_ids
        kept.append(entry)
    result.unresolved = kept
    result.warnings = list(dict.fromkeys(result.warnings))


def source_lines(base: Path, rel: str, cache: dict[str, list[str]]) -> list[str]:
    """A scanned file's lines, read once; empty when it holds no suppression marker at all
    (the common case, which then costs one search per file)."""
    if rel not in cache:
        try:
            text = (base / rel).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            text = ""
        has_marker = "iac-iam-checks:ignore" in text or "checkov:skip" in text
        cache[rel] = text.splitlines() if has_marker else []
    return cache[rel]
