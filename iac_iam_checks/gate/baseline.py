"""Baselines: accept today's findings, report only new ones.

File format (JSON, ``version`` 1)::

    {
      "version": 1,
      "created": "2025-01-31T12:00:00Z",
      "findings": [
        {"fingerprint": "<sha256 hex>", "check_id": "IAM020", "resource": "aws_iam_policy.admin"}
      ]
    }

Only ``fingerprint`` decides whether a finding is known (see ``fingerprint.py``: check id,
resource address and statement content, no lines or paths); ``check_id`` and ``resource`` are
there for the people who review the file. Suppressed findings are not recorded: they are
already accepted elsewhere, and if their suppression goes away they should come back.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
from pathlib import Path

from ..model.findings import ScanResult

BASELINE_VERSION = 1


class BaselineError(ValueError):
    """The baseline file cannot be used (the CLI reports it and exits 2)."""


def baseline_document(result: ScanResult, created: datetime.datetime | None = None) -> dict:
    """The baseline object for ``result``'s unsuppressed findings, sorted and deduplicated."""
    created = created or datetime.datetime.now(datetime.timezone.utc)
    entries = {
        f.fingerprint: {
            "fingerprint": f.fingerprint,
            "check_id": f.check_id,
            "resource": f.resource,
        }
        for f in result.active_findings
    }
    findings = sorted(
        entries.values(), key=lambda e: (e["check_id"], e["resource"], e["fingerprint"])
    )
    return {
        "version": BASELINE_VERSION,
        "created": created.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "findings": findings,
    }


def write_baseline(
    result: ScanResult, path: Path, created: datetime.datetime | None = None
) -> None:
    text = json.dumps(baseline_document(result, created), indent=2, sort_keys=True)
    Path(path).write_text(text + "\n", encoding="utf-8")


def load_baseline(path: Path) -> set[str]:
    """The fingerprints recorded in a baseline file."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise BaselineError(f"{path}: cannot read baseline: {exc.strerror or exc}") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BaselineError(f"{path}: baseline is not valid JSON: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("findings"), list):
        raise BaselineError(f'{path}: not a baseline (expected an object with a "findings" list)')
    if data.get("version") != BASELINE_VERSION:
        raise BaselineError(
            f"{path}: unsupported baseline version {data.get('version')!r} "
            f"(expected {BASELINE_VERSION})"
        )
    fingerprints = set()
    for index, entry in enumerate(data["findings"]):
        value = entry.get("fingerprint") if isinstance(entry, dict) else None
        if not isinstance(value, str) or not value:
            raise BaselineError(f'{path}: findings[{index}] has no "fingerprint" string')
        fingerprints.add(value)
    return fingerprints


def apply_baseline(result: ScanResult, known: set[str]) -> ScanResult:
    """A copy of ``result`` whose findings are those not in the baseline; the unsuppressed ones
    it matched move to ``baselined``, so every report can say what the baseline hid."""
    kept = [f for f in result.findings if f.fingerprint not in known]
    matched = [f for f in result.findings if f.fingerprint in known and f.suppressed is None]
    return dataclasses.replace(result, findings=kept, baselined=matched)
