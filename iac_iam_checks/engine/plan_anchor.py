"""Plan findings anchored in the Terraform source they come from.

A plan is a build artifact, not in the commit: a finding at ``plan.json`` line 1 cannot be
shown on the code by GitHub code scanning, nor reviewed. So the configuration the plan was made
from is scanned too (the same checks, Terraform only), and each plan finding takes the file and
line of the same check on the same address there; failing that, the resource block's lines.
The plan location stays as the finding's ``plan_file``/``plan_line`` (SARIF: a related
location). Inline suppressions written in the source apply to the plan's findings as well.

Where is the source: ``--source-root DIR``, else the plan's own folder, a folder beside it named
like the plan (``compute.json`` -> ``compute/``), or the current directory: the first that holds
Terraform files defining at least one address of the plan. Where none does, one warning says so
and the plan locations stay.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from ..model.findings import Finding, ScanResult, UnresolvedEntry
from ..model.values import TERRAFORM_PLAN, Location, Resource
from ..real_paths import real_path

_INSTANCE_KEY = re.compile(r"\[[^\]]*\]")
ROOT_SCOPE = "."
"""The scope of the scanned folder's own root module: the one a plan was made from (other
roots below it, such as ``examples/``, may define the same addresses)."""


@dataclass
class SourceScan:
    """What the scan of one configuration folder gave, to anchor a plan's findings on."""

    result: ScanResult
    resources: list[Resource]
    files_read: set[Path]


Scanner = Callable[[Path], SourceScan]
"""Scans a folder as Terraform with the plan scan's options (the pipeline provides it)."""


def anchor_plan_findings(
    result: ScanResult,
    plan_files: Iterable[Path],
    base: Path,
    source_root: Path | None,
    scan_source: Scanner,
) -> set[Path]:
    """Move the findings and unresolved entries of each plan in ``plan_files`` onto its source;
    returns the source files read (the result cache must know them)."""
    read: set[Path] = set()
    for plan in plan_files:
        rel = _relative(plan, base)
        plan_findings = [f for f in result.findings if _from(f, rel)]
        plan_entries = [u for u in result.unresolved if u.file == rel]
        if not plan_findings and not plan_entries:
            continue
        addresses = {f.resource for f in plan_findings} | {u.resource for u in plan_entries}
        found = _source_of(plan, source_root, addresses, scan_source)
        if found is None:
            result.warnings.append(
                f"{rel}: the Terraform configuration this plan was made from was not found "
                "(looked in the plan's folder, a folder named like the plan beside it and the "
                "current directory); its findings keep the plan's lines. Give it with "
                "--source-root DIR."
            )
            continue
        root, scanned = found
        read |= scanned.files_read
        anchors = _Anchors(root, base, scanned)
        result.findings = [anchors.finding(f) if _from(f, rel) else f for f in result.findings]
        result.unresolved = [anchors.entry(u) if u.file == rel else u for u in result.unresolved]
    return read


def _from(finding: Finding, plan: str) -> bool:
    """A finding of the plan at ``plan`` (its relative path), not yet anchored."""
    return finding.framework == TERRAFORM_PLAN and finding.file == plan


def _source_of(
    plan: Path, source_root: Path | None, addresses: set[str], scan_source: Scanner
) -> tuple[Path, SourceScan] | None:
    candidates = (
        [source_root]
        if source_root is not None
        else [plan.parent, plan.parent / plan.name.split(".")[0], Path.cwd()]
    )
    seen: set[Path] = set()
    for candidate in candidates:
        folder = real_path(candidate)
        if folder in seen or not _holds_terraform(folder):
            continue
        seen.add(folder)
        scanned = scan_source(folder)
        defined = {_block(r.address) for r in scanned.resources if r.scope == ROOT_SCOPE}
        if any(_block(address) in defined for address in addresses):
            return folder, scanned
    return None


def _holds_terraform(folder: Path) -> bool:
    try:
        return folder.is_dir() and any(
            p.name.endswith((".tf", ".tf.json")) for p in folder.iterdir()
        )
    except OSError:
        return False


def _block(address: str) -> str:
    """The address without instance keys: what the source knows when keys are unknown."""
    return _INSTANCE_KEY.sub("", address)


def _relative(path: Path, base: Path) -> str:
    return Path(os.path.relpath(real_path(path), real_path(base))).as_posix()


class _Anchors:
    """Source locations by (check, address) and by address, exact or without instance keys."""

    def __init__(self, root: Path, base: Path, scanned: SourceScan) -> None:
        self.root, self.base = root, base
        self.findings: dict[tuple[str, str], list[Finding]] = {}
        for finding in scanned.result.findings:
            if finding.scope != ROOT_SCOPE:
                continue
            for address in {finding.resource, _block(finding.resource)}:
                self.findings.setdefault((finding.check_id, address), []).append(finding)
        self.blocks: dict[str, Location] = {}
        for resource in scanned.resources:
            if resource.scope != ROOT_SCOPE:
                continue
            for address in (resource.address, _block(resource.address)):
                self.blocks.setdefault(address, resource.location)

    def finding(self, finding: Finding) -> Finding:
        twin = self._twin(finding)
        if twin is not None:
            file, line, end_line = twin.file, twin.line, twin.end_line
            suppressed = finding.suppressed or twin.suppressed
        else:
            where = self._block(finding.resource)
            if where is None:
                return finding
            file, line, end_line = where.file, where.line, where.end_line
            suppressed = finding.suppressed
        return replace(
            finding,
            file=self._rel(file),
            line=max(line, 1),
            end_line=max(end_line, line, 1),
            suppressed=suppressed,
            plan_file=finding.file,
            plan_line=finding.line,
        )

    def entry(self, entry: UnresolvedEntry) -> UnresolvedEntry:
        where = self._block(entry.resource)
        if where is None:
            return entry
        return replace(
            entry,
            file=self._rel(where.file),
            line=max(where.line, 1),
            plan_file=entry.file,
            plan_line=entry.line,
        )

    def _twin(self, finding: Finding) -> Finding | None:
        """The source's finding of the same check on the same address (the same message when
        the resource has several, e.g. one per statement)."""
        for address in (finding.resource, _block(finding.resource)):
            same = self.findings.get((finding.check_id, address), [])
            if len(same) == 1:
                return same[0]
            for candidate in same:
                if candidate.message == finding.message:
                    return candidate
        return None

    def _block(self, address: str) -> Location | None:
        return self.blocks.get(address) or self.blocks.get(_block(address))

    def _rel(self, file: str) -> str:
        return _relative(self.root / file, self.base)
