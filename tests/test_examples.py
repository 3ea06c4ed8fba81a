"""Every check's own examples, through the standalone scanner.

The expectation is in the example, in the manner of semgrep's rule tests: a Terraform block
named ``bad_*`` (CloudFormation logical id ``Bad*``) must be flagged by its check,
``good_*``/``Good*`` must not, and every finding sits on a line carrying an expect comment::

    Action = "s3:*"  # expect: IAM022
    statement {      # expect: IAM022 bad_data_source

The comment names the check and, when the finding is reported on another resource than the
block around the line (a policy built by a data source), that resource's short name. A line
that cannot hold a comment (inside a heredoc) is named from a comment line above it, with the
offset as in clang's ``-verify``: ``# expect@+4: IAM020`` is four lines below the comment.
Findings and expect comments must match exactly: check id, resource and line.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from iac_iam_checks.checks.registry import all_checks
from iac_iam_checks.engine import ScanOptions, load, scan
from iac_iam_checks.model.values import Resource

EXAMPLES = [
    pytest.param(check.id, path, id=f"{check.id}-{path.suffix[1:]}")
    for check in all_checks().values()
    for path in check.examples()
]
EXPECT = re.compile(
    r"(?:#|//)\s*expect(?:@(?P<offset>[+-]\d+))?:\s*(?P<items>[A-Z]+[0-9]+(?:\s+\w+)?"
    r"(?:\s*,\s*[A-Z]+[0-9]+(?:\s+\w+)?)*)"
)

Expectation = tuple[str, str, int]
"""(check id, resource short name, line)."""


def short_name(address: str) -> str:
    """``module.m.aws_iam_user.bad_x["k"]`` -> ``bad_x``; ``BadUser`` -> ``BadUser``."""
    return address.split("[", 1)[0].rsplit(".", 1)[-1]


def is_bad(name: str) -> bool:
    return name.startswith(("bad_", "Bad"))


def is_good(name: str) -> bool:
    return name.startswith(("good_", "Good"))


def block_at(resources: list[Resource], line: int) -> str | None:
    """Short name of the innermost block whose lines hold ``line``."""
    around = [r for r in resources if r.location and r.location.line <= line <= r.location.end_line]
    if not around:
        return None
    innermost = min(around, key=lambda r: r.location.end_line - r.location.line)
    return short_name(innermost.address)


def expectations(text: str, resources: list[Resource]) -> set[Expectation]:
    """The expect comments of one example file."""
    found: set[Expectation] = set()
    for number, line in enumerate(text.splitlines(), start=1):
        match = EXPECT.search(line)
        if match is None:
            continue
        target = number + int(match["offset"] or 0)
        for item in match["items"].split(","):
            check_id, _, name = item.strip().partition(" ")
            found.add((check_id, name.strip() or block_at(resources, target) or "?", target))
    return found


def mismatches(expected: set[Expectation], found: set[Expectation]) -> list[str]:
    """What keeps findings and expect comments from matching exactly, one line each."""
    return [f"no expect comment for {item}" for item in sorted(found - expected)] + [
        f"expected, not found: {item}" for item in sorted(expected - found)
    ]


def test_every_check_has_examples() -> None:
    missing = [c.id for c in all_checks().values() if not c.examples()]
    assert missing == []


def findings_of(check_id: str, path: Path) -> set[Expectation]:
    result = scan([path], ScanOptions(checks=[check_id]))
    assert {f.file for f in result.findings} <= {path.name}
    return {(f.check_id, short_name(f.resource), f.line) for f in result.findings}


@pytest.mark.parametrize(("check_id", "path"), EXAMPLES)
def test_example(check_id: str, path: Path) -> None:
    loaded, _ = load([path], ScanOptions())
    declared = {short_name(r.address) for r in loaded.resources}
    assert loaded.errors == []
    assert any(is_bad(n) for n in declared), f"{path.name} has no bad_ example"
    assert any(is_good(n) for n in declared), f"{path.name} has no good_ example"

    found = findings_of(check_id, path)
    assert {name for _, name, _ in found} == {n for n in declared if is_bad(n)}
    expected = expectations(path.read_text(encoding="utf-8"), loaded.resources)
    assert {c for c, _, _ in expected} == {check_id}
    assert mismatches(expected, found) == []


def test_a_finding_on_another_line_than_its_expect_comment_fails() -> None:
    path = all_checks()["IAM022"].module_file.with_suffix(".tf")
    loaded, _ = load([path], ScanOptions())
    expected = expectations(path.read_text(encoding="utf-8"), loaded.resources)
    found = findings_of("IAM022", path)
    assert mismatches(expected, found) == []
    check_id, name, line = moved = min(expected)
    shifted = expected - {moved} | {(check_id, name, line + 1)}
    assert mismatches(shifted, found) == [
        f"no expect comment for {moved}",
        f"expected, not found: {(check_id, name, line + 1)}",
    ]
    renamed = expected - {moved} | {(check_id, "bad_other", line)}
    assert mismatches(renamed, found) != []


def test_expect_comments_name_lines_and_resources() -> None:
    text = "a = 1  # expect: IAM001\n# expect@+2: IAM002 bad_x, IAM003\n\nb = 2\n"
    assert expectations(text, []) == {
        ("IAM001", "?", 1),
        ("IAM002", "bad_x", 4),
        ("IAM003", "?", 4),
    }
