"""Whole-scan results, reused when nothing the scan read has changed.

A CI job or a pre-commit hook often scans a repository whose IaC did not change since the last
run. The key is everything a scan depends on that is known before it runs: this tool's and
the HCL parser's versions, the scan options (checks, settings, suppression rules, frameworks) and
the path and content of every discovered IaC file. Files read along the way that were not
discovered (module directories outside the scanned PATH, ``file()`` targets, tfvars given with
``--var-file``) are recorded with their hashes in the entry and checked again before the entry
is used. Entries are plain JSON (never pickle): a damaged one is ignored. Findings, unresolved
entries and errors are stored as rows of field values in field order: half the bytes of one
object per finding, and written without a Python call per finding.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import operator
import os
from collections.abc import Callable
from dataclasses import fields, is_dataclass
from pathlib import Path
from typing import Any

from ..cache_paths import cache_dir, code_fingerprint, write_atomically
from ..model.findings import Finding, ScanResult, Suppression, UnresolvedEntry
from ..model.values import ParseError
from ..real_paths import real_path

MAX_ENTRIES = 64
NOT_IN_KEY = ("jobs", "use_cache")
"""Options that never change a scan's result (the determinism tests hold ``--jobs`` to that)."""
FORMAT = 2
ROWS = {"findings": Finding, "unresolved": UnresolvedEntry, "errors": ParseError}
"""The result's lists stored as rows, and the class of their items."""


def cache_folder() -> Path:
    return cache_dir() / "results"


def file_hash(path: Path) -> str | None:
    """A file's content hash; for a folder, the hash of its Terraform file names."""
    try:
        if path.is_dir():
            names = sorted(p.name for p in path.iterdir() if p.name.endswith((".tf", ".tf.json")))
            return hashlib.sha256("\0".join(names).encode("utf-8")).hexdigest()
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def scan_key(paths: list[Path], files: list[tuple[str, str]], options: Any) -> str:
    """``files``: (relative path, text) of every discovered IaC file."""
    from .. import __version__
    from ..frontends.hcl_parser import parser_id

    digest = hashlib.sha256()
    header = {
        "format": FORMAT,
        "tool": __version__,
        "code": code_fingerprint(),
        "parser": parser_id(),
        "paths": [str(real_path(p)) for p in paths],
        "cwd": os.getcwd() if len(paths) > 1 else "",
        "options": {k: v for k, v in _plain(options).items() if k not in NOT_IN_KEY},
    }
    digest.update(json.dumps(header, sort_keys=True, default=str).encode("utf-8"))
    for rel, text in sorted(files):
        digest.update(b"\0" + rel.encode("utf-8") + b"\0")
        digest.update(hashlib.sha256(text.encode("utf-8")).digest())
    return digest.hexdigest()


def _plain(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [_plain(v) for v in value]
        return sorted(items, key=str) if isinstance(value, (set, frozenset)) else items
    if isinstance(value, Path):
        return [str(real_path(value)), file_hash(value)]
    return value


def load_result(key: str) -> ScanResult | None:
    """The cached result for this key, if every extra file it read is unchanged."""
    try:
        entry = json.loads((cache_folder() / f"{key}.json").read_text(encoding="utf-8"))
        if entry["format"] != FORMAT:
            return None
        for path, digest in entry["dependencies"].items():
            if file_hash(Path(path)) != digest:
                return None
        return _result(entry["result"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
        return None


def store_result(key: str, result: ScanResult, dependencies: set[Path]) -> None:
    stored: dict[str, Any] = {
        name: list(map(_row_of(cls), getattr(result, name))) for name, cls in ROWS.items()
    }
    stored.update(
        warnings=result.warnings,
        files_scanned=result.files_scanned,
        resources_scanned=result.resources_scanned,
    )
    entry = {
        "format": FORMAT,
        "dependencies": {str(p): file_hash(p) for p in sorted(dependencies)},
        "result": stored,
    }
    folder = cache_folder()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        text = json.dumps(entry, default=_fields)
        write_atomically(folder / f"{key}.json", text.encode("utf-8"))
        _prune(folder)
    except OSError:
        return


def _fields(value: Any) -> dict[str, Any]:
    """A dataclass in a row (a finding's ``Suppression``) as its fields, one level."""
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: getattr(value, f.name) for f in fields(value)}
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


@functools.cache
def _row_of(cls: type) -> Callable[[Any], tuple[Any, ...]]:
    """An item's field values in field order (every class in ``ROWS`` has several fields, so
    the getter gives a tuple)."""
    return operator.attrgetter(*(f.name for f in fields(cls)))


def _prune(folder: Path) -> None:
    entries = sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime)
    for path in entries[:-MAX_ENTRIES]:
        with contextlib.suppress(OSError):
            path.unlink()


def _result(data: dict[str, Any]) -> ScanResult:
    findings = [Finding(*row) for row in data["findings"]]
    for finding in findings:
        if finding.suppressed is not None:
            finding.suppressed = Suppression(**finding.suppressed)  # type: ignore[arg-type]
    return ScanResult(
        findings=findings,
        unresolved=[UnresolvedEntry(*row) for row in data["unresolved"]],
        errors=[ParseError(*row) for row in data["errors"]],
        warnings=list(data["warnings"]),
        files_scanned=int(data["files_scanned"]),
        resources_scanned=int(data["resources_scanned"]),
    )
