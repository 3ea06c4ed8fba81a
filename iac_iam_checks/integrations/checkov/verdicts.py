"""The CLI's verdicts for the checkov shim (``python -m`` this module).

The shim runs inside checkov, whose environment can never hold python-hcl2, so it cannot run
the engine itself. It starts this module with the interpreter recorded at export time (the
one iac-iam-checks is installed in) and reads one JSON object from standard output: per
resource (absolute file of its block, address), the verdict of every check that did not
pass. Resources listed without results passed every check that applies to them; a resource
not listed at all was not judged (a ``count = 0`` block, a module folder nobody scanned as a
root), and the shim leaves it UNKNOWN.

Arguments: ``--framework FW`` (repeatable: every framework the checkov run scans, so that a
CloudFormation runner sees the Terraform password policy as ``scan`` does) and the PATHs
checkov scans. The configuration that applies to the first PATH is honoured (settings,
excludes, suppressions) as in ``scan``; its check selection is not: checkov's ``--check`` and
``--skip-check`` decide which checks report.

checkov runs each framework in its own forked process, so several runners ask for the same
scan at once: the answer is kept beside the result cache, under a lock, keyed like it (tool,
options, every discovered file), and computed once; an unchanged repository is answered from
the cache. The parse cache is not used: the scan runs beside checkov's own, and writing
parse trees cost a third more CPU (measured on benchmarks' modules-500) than it saves in a
CI job, which starts with empty caches.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ...cache_paths import write_atomically
from ...checks.registry import all_checks
from ...engine import ScanOptions, result_cache, scan_base
from ...engine import discover as disc
from ...engine.pipeline import scan_with_resources
from ...gate import config as config_mod
from ...model.findings import ScanResult
from ...model.values import Resource
from ...real_paths import real_path

SCHEMA = 1
RANK = {"UNKNOWN": 1, "SKIPPED": 2, "FAILED": 3}
"""Several of our resources on one checkov record (module instances called from two roots,
CloudFormation ``Fn::If`` variants): the strongest verdict wins."""


def verdicts(paths: list[Path], frameworks: list[str] | None) -> dict[str, Any]:
    """Scan ``paths`` like ``iac-iam-checks scan`` and index the outcome by resource."""
    known = all_checks()
    config = config_mod.discover_config(real_path(paths[0]), known)
    options = ScanOptions(
        excludes=list(config.exclude or []),
        frameworks=frameworks,
        settings=config.to_settings(),
        config_suppressions=list(config.suppress or []),
        use_cache=False,
    )
    found = disc.discover(paths, scan_base(paths), options.excludes)
    files = [(f.rel, f.text) for f in found.files]
    key = result_cache.scan_key(paths, files, options)
    entry = result_cache.cache_folder() / f"{key}.checkov.json"
    with _locked(entry.parent / "checkov.lock"):
        cached = _load(entry)
        if cached is not None:
            return cached
        result, resources = scan_with_resources(paths, options, found)
        out = {"schema": SCHEMA, "resources": by_resource(result, resources, scan_base(paths))}
        _store(entry, out, found.read_elsewhere)
    return out


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """An exclusive lock on ``path`` where the platform has one (else no lock: each runner
    computes its own answer)."""
    try:
        import fcntl

        path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(path, "a")  # noqa: SIM115 - closed below, after unlocking
    except (ImportError, OSError):
        yield
        return
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()


def _load(entry: Path) -> dict[str, Any] | None:
    """A cached answer whose extra files (modules outside the PATH, ``file()`` targets) are
    unchanged; anything damaged counts as absent."""
    try:
        data = json.loads(entry.read_text(encoding="utf-8"))
        for path, digest in data["dependencies"].items():
            if result_cache.file_hash(Path(path)) != digest:
                return None
        answer = data["answer"]
        return answer if answer.get("schema") == SCHEMA else None
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def _store(entry: Path, answer: dict[str, Any], dependencies: set[Path]) -> None:
    data = {
        "dependencies": {str(p): result_cache.file_hash(p) for p in sorted(dependencies)},
        "answer": answer,
    }
    try:
        write_atomically(entry, json.dumps(data).encode("utf-8"))
    except OSError:
        return


def by_resource(result: ScanResult, resources: list[Resource], base: Path) -> list[dict[str, Any]]:
    """One entry per (block file, address); findings and unresolved entries attached through
    their (scope, address), since a finding's own line may sit in a policy file or a data
    source rather than in the resource's block."""
    root = real_path(base)
    entries: dict[tuple[str, str], dict[str, Any]] = {}
    files: dict[tuple[str, str], set[tuple[str, str]]] = {}
    real: dict[str, str] = {}
    for resource in resources:
        file = resource.location.file
        if file not in real:
            real[file] = os.path.realpath(root / file)
        key = (real[file], resource.address)
        entries.setdefault(key, {"file": key[0], "address": key[1], "results": {}})
        files.setdefault((resource.scope, resource.address), set()).add(key)
    for finding in result.findings:
        if finding.suppressed is None:
            verdict = {"result": "FAILED", "details": [finding.message]}
        else:
            verdict = {"result": "SKIPPED", "suppress_comment": finding.suppressed.reason}
        for key in files.get((finding.scope, finding.resource), ()):
            _merge(entries[key]["results"], finding.check_id, verdict)
    for entry in result.unresolved:
        for key in files.get((entry.scope, entry.resource), ()):
            for check_id in entry.check_ids:
                _merge(entries[key]["results"], check_id, {"result": "UNKNOWN"})
    return [entries[key] for key in sorted(entries)]


def _merge(results: dict[str, Any], check_id: str, verdict: dict[str, Any]) -> None:
    old = results.get(check_id)
    if old is None or RANK[verdict["result"]] > RANK[old["result"]]:
        results[check_id] = dict(verdict)
    elif old["result"] == verdict["result"] == "FAILED":
        old["details"] = sorted(set(old["details"]) | set(verdict["details"]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="iac_iam_checks.integrations.checkov.verdicts")
    parser.add_argument("--framework", action="append", dest="frameworks")
    parser.add_argument("paths", nargs="+", type=Path)
    args = parser.parse_args(argv)
    try:
        out = verdicts(args.paths, args.frameworks)
    except config_mod.ConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    sys.stdout.write(json.dumps(out, separators=(",", ":")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
