"""Every check's own examples, through the standalone scanner.

The expectation is in the example: a Terraform block named ``bad_*`` (CloudFormation logical
id ``Bad*``) must be flagged by its check, ``good_*``/``Good*`` must not, and each finding's
line must fall inside the flagged block or a policy document data source of the same file.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from iac_iam_checks.checks.registry import all_checks
from iac_iam_checks.engine import ScanOptions, load, scan

EXAMPLES = [
    pytest.param(check.id, path, id=f"{check.id}-{path.suffix[1:]}")
    for check in all_checks().values()
    for path in check.examples()
]


def short_name(address: str) -> str:
    """``module.m.aws_iam_user.bad_x["k"]`` -> ``bad_x``; ``BadUser`` -> ``BadUser``."""
    return address.split("[", 1)[0].rsplit(".", 1)[-1]


def is_bad(name: str) -> bool:
    return name.startswith(("bad_", "Bad"))


def is_good(name: str) -> bool:
    return name.startswith(("good_", "Good"))


def test_every_check_has_examples() -> None:
    missing = [c.id for c in all_checks().values() if not c.examples()]
    assert missing == []


@pytest.mark.parametrize(("check_id", "path"), EXAMPLES)
def test_example(check_id: str, path: Path) -> None:
    loaded, _ = load([path], ScanOptions())
    declared = {short_name(r.address) for r in loaded.resources}
    spans = {}
    for r in loaded.resources:
        spans.setdefault(short_name(r.address), []).append(r.location)
    doc_spans = [r.location for r in loaded.resources if r.kind == "aws_iam_policy_document"]
    assert loaded.errors == []
    assert any(is_bad(n) for n in declared), f"{path.name} has no bad_ example"
    assert any(is_good(n) for n in declared), f"{path.name} has no good_ example"

    result = scan([path], ScanOptions(checks=[check_id]))
    flagged = {short_name(f.resource) for f in result.findings}
    assert flagged == {n for n in declared if is_bad(n)}
    for finding in result.findings:
        inside = [
            s
            for s in spans[short_name(finding.resource)] + doc_spans
            if s.file == finding.file and s.line <= finding.line <= s.end_line
        ]
        assert inside, (
            f"{finding.check_id} {finding.resource} line {finding.line} outside its block"
        )
