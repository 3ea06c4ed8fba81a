"""The scan pipeline: discover -> parse -> evaluate -> graph -> checks -> findings.

Front ends and checks know nothing of each other; this module is the only place that runs
both, applies suppressions and the baseline, and turns check results into findings and
unresolved entries with stable order and fingerprints.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from . import discover as disc
from .findings import Finding, ScanResult, Suppression, UnresolvedEntry
from .model import (
    CLOUDFORMATION,
    Location,
    ParseError,
    Resource,
    ScanInput,
)
from .registry import Blocked, Check, Context, Issue, all_checks
from .settings import Settings


@dataclass
class ScanOptions:
    checks: list[str] | None = None
    skip_checks: list[str] = field(default_factory=list)
    var_files: list[Path] = field(default_factory=list)
    excludes: list[str] = field(default_factory=list)
    frameworks: list[str] | None = None
    settings: Settings = field(default_factory=Settings)
    inline_suppressions: bool = True
    config_suppressions: list[Any] = field(default_factory=list)
    jobs: int = 1
    use_cache: bool = True


def scan_base(paths: list[Path]) -> Path:
    """Findings' files are relative to the one PATH (its folder for a file), else the cwd."""
    if len(paths) == 1:
        return paths[0] if paths[0].is_dir() else paths[0].parent
    return Path.cwd()


def repository_boundary(path: Path) -> Path:
    """Module sources and ``file()`` are followed only inside the nearest ancestor with .git."""
    start = path if path.is_dir() else path.parent
    for candidate in [start, *start.resolve().parents]:
        if (candidate / ".git").exists():
            return candidate.resolve()
    return start.resolve()


def load(
    paths: list[Path], options: ScanOptions, found: disc.Discovery | None = None
) -> tuple[ScanInput, int]:
    """Run the front ends over the paths; returns their output and the number of IaC files."""
    base = scan_base(paths)
    found = found or disc.discover(paths, base, options.excludes)
    out = ScanInput(errors=list(found.errors))
    wanted = set(options.frameworks or ("terraform", "terraform_plan", "cloudformation"))
    by_kind: dict[str, list[disc.SourceFile]] = {}
    for source in found.files:
        by_kind.setdefault(source.kind, []).append(source)
    if "terraform" in wanted:
        for path in paths:
            merge(out, load_terraform_path(path, base, by_kind, options))
    if "cloudformation" in wanted:
        from .frontends.cloudformation import parse_template

        for source in by_kind.get(disc.CLOUDFORMATION, []):
            resources, errors = parse_template(source.text, source.rel)
            out.resources.extend(resources)
            out.errors.extend(errors)
    if "terraform_plan" in wanted and by_kind.get(disc.PLAN):
        from .frontends.plan import parse_plan

        for source in by_kind[disc.PLAN]:
            resources, errors = parse_plan(source.text, source.rel)
            out.resources.extend(resources)
            out.errors.extend(errors)
    return out, len(found.files)


def load_terraform_path(
    path: Path, base: Path, by_kind: dict[str, list[disc.SourceFile]], options: ScanOptions
) -> ScanInput:
    from .frontends import terraform as tf

    root = path.resolve()

    def under(kinds: tuple[str, ...]) -> list[tf.SourceText]:
        return [
            tf.SourceText(s.path.resolve(), s.rel, s.text)
            for kind in kinds
            for s in by_kind.get(kind, [])
            if s.path.resolve() == root or root in s.path.resolve().parents
        ]

    texts = {s.path: s for s in under((disc.TERRAFORM_HCL, disc.TERRAFORM_JSON))}
    tfvars: dict[Path, list[tf.SourceText]] = {}
    other_tfvars: list[tf.SourceText] = []
    for source in under((disc.TFVARS, disc.TFVARS_JSON)):
        if is_auto_tfvars(source.path.name):
            tfvars.setdefault(source.path.parent, []).append(source)
        else:
            other_tfvars.append(source)
    errors: list[ParseError] = []
    var_files = []
    for var_file in options.var_files:
        rel = disc.rel_path(var_file, base)
        text, error = disc.read_source(var_file, rel)
        if error is not None or text is None:
            errors.append(error or ParseError(rel, None, "cannot read"))
            continue
        var_files.append(tf.SourceText(var_file.resolve(), rel, text))
    result = tf.load_terraform(
        base,
        repository_boundary(path),
        texts,
        tfvars,
        parse=parser_for(options),
        single_files=[root] if path.is_file() and root in texts else [],
        var_files=var_files,
        other_tfvars=other_tfvars,
        jobs=options.jobs,
    )
    result.errors[:0] = errors
    return result


def parser_for(options: ScanOptions) -> Any:
    """Parse a directory's files: HCL through the cache (and workers), JSON syntax directly."""
    from .frontends.parse_cache import parse_many
    from .frontends.terraform import parse_any

    keep = relevant_kinds(options)

    def parse(sources: list[Any]) -> list[Any]:
        hcl = [i for i, s in enumerate(sources) if not s.path.name.endswith(".json")]
        trees = parse_many(
            [(sources[i].text, sources[i].rel) for i in hcl], options.jobs, options.use_cache, keep
        )
        out: list[Any] = [None] * len(sources)
        for index, tree in zip(hcl, trees, strict=True):
            out[index] = tree
        for index, source in enumerate(sources):
            if out[index] is None:
                out[index] = parse_any(source.text, source.rel, source.path.name)
        return out

    return parse


def relevant_kinds(options: ScanOptions) -> frozenset[str]:
    """Terraform resource kinds whose bodies a check or the graph reads; the parser skips the
    bodies of all others (their references still resolve to Unknown, as they would anyway)."""
    from .entity_tables import terraform_kinds

    kinds = {k for c in selected_checks(options) for k in c.kinds.get("terraform", ())}
    return frozenset((kinds | terraform_kinds()) - {"*"})


def is_auto_tfvars(name: str) -> bool:
    name = name.removesuffix(".json")
    return name == "terraform.tfvars" or name.endswith(".auto.tfvars")


def merge(into: ScanInput, other: ScanInput) -> None:
    into.read_elsewhere |= other.read_elsewhere
    into.resources.extend(other.resources)
    into.errors.extend(other.errors)
    into.warnings.extend(other.warnings)
    into.unresolved_notes.extend(other.unresolved_notes)


def selected_checks(options: ScanOptions) -> list[Check]:
    checks = all_checks()
    chosen = [c for c in checks.values() if not options.checks or c.id in options.checks]
    return [c for c in chosen if c.id not in options.skip_checks]


def run_checks(
    resources: list[Resource], checks: list[Check], settings: Settings
) -> list[tuple[Check, Issue | Blocked]]:
    from .graph import Graph

    context = Context(graph=Graph(resources), settings=settings)
    results: list[tuple[Check, Issue | Blocked]] = []
    by_kind: dict[tuple[str, str], list[Check]] = {}
    for resource in resources:
        key = (resource.framework, resource.kind)
        if key not in by_kind:
            by_kind[key] = [check for check in checks if check.applies_to(resource)]
        for check in by_kind[key]:
            results.extend((check, r) for r in check.func(resource, context))
    return results


def scan(paths: list[Path], options: ScanOptions | None = None) -> ScanResult:
    """Scan files or directories and return every finding, unresolved entry and error."""
    from . import result_cache

    options = options or ScanOptions()
    found = disc.discover(paths, scan_base(paths), options.excludes)
    key = result_cache.scan_key(paths, [(f.rel, f.text) for f in found.files], options)
    cached = result_cache.load_result(key) if options.use_cache else None
    if cached is not None:
        return cached
    result = scan_uncached(paths, options, found)
    if options.use_cache:
        result_cache.store_result(key, result, found.read_elsewhere)
    return result


def scan_uncached(paths: list[Path], options: ScanOptions, found: disc.Discovery) -> ScanResult:
    scan_input, file_count = load(paths, options, found)
    found.read_elsewhere |= scan_input.read_elsewhere
    for source in found.files:
        source.text = ""  # evaluated: the texts need not stay in memory while checks run
    checks = selected_checks(options)
    settings = with_plan_accounts(options.settings, scan_input.resources)
    results = run_checks(scan_input.resources, checks, settings)
    result = ScanResult(
        errors=sorted(scan_input.errors, key=lambda e: (e.file, e.line or 0, e.message)),
        warnings=list(dict.fromkeys(scan_input.warnings)),
        files_scanned=file_count,
        resources_scanned=len(scan_input.resources),
    )
    result.findings = findings_from(results, settings)
    result.unresolved = unresolved_from(results, scan_input)
    apply_suppressions(result, results, scan_base(paths), options)
    result.findings.sort(key=Finding.sort_key)
    result.unresolved.sort(key=UnresolvedEntry.sort_key)
    return result


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
    from .fingerprint import fingerprint

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
        )
        # One finding per problem: CloudFormation Fn::If variants of a resource (same address)
        # and repeated identical statements give the same fingerprint; keep the first line.
        # The scope (Terraform root, template) keeps apart roots that share addresses.
        key = (finding.check_id, issue.resource.scope, finding.resource, finding.fingerprint)
        if key not in out or finding.sort_key() < out[key].sort_key():
            out[key] = finding
    return list(out.values())


def unresolved_from(
    results: list[tuple[Check, Issue | Blocked]], scan_input: ScanInput
) -> list[UnresolvedEntry]:
    grouped: dict[tuple[str, str], UnresolvedEntry] = {}
    for check, blocked in results:
        if not isinstance(blocked, Blocked):
            continue
        where = blocked.location or blocked.resource.location
        key = (blocked.resource.address, blocked.value.source)
        entry = grouped.get(key)
        if entry is None:
            grouped[key] = UnresolvedEntry(
                check_ids=[check.id],
                resource=blocked.resource.address,
                file=where.file,
                line=max(where.line, 1),
                value=blocked.value.source,
                message=blocked.message,
            )
        elif check.id not in entry.check_ids:
            entry.check_ids.append(check.id)
            entry.check_ids.sort()
    for resource, value, message in scan_input.unresolved_notes:
        key = (resource.address, value.source)
        grouped.setdefault(
            key,
            UnresolvedEntry(
                [],
                resource.address,
                resource.location.file,
                resource.location.line,
                value.source,
                message,
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

    A plan has no comments (a marker in it could only be a string value, and a minified plan
    is one line): findings in plans are suppressed by configuration only.
    """
    from . import suppressions
    from .model import TERRAFORM_PLAN

    known = set(all_checks())
    spans: dict[str, Resource] = {}
    for _, item in results:
        spans.setdefault(item.resource.address, item.resource)
    texts: dict[str, list[str]] = {}
    per_resource: dict[str, dict[str, Suppression]] = {}
    if options.inline_suppressions:
        for address, resource in spans.items():
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
            per_resource[address] = found
    config_rules, expired = suppressions.live_rules(options.config_suppressions)
    result.warnings.extend(expired)
    for finding in result.findings:
        found = per_resource.get(finding.resource, {})
        finding.suppressed = found.get(finding.check_id) or suppressions.config_suppression(
            config_rules, finding.check_id, finding.resource
        )
    # A check suppressed on a resource is not asked about there: its unresolved entries go too.
    kept = []
    for entry in result.unresolved:
        found = per_resource.get(entry.resource, {})
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
