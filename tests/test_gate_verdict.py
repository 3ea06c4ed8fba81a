"""What a CI job shows about its verdict: the gate line, findings below the threshold, what a
baseline accepted, a missing PATH among valid ones, syntax errors in words, and --help."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from iac_iam_checks import cli
from iac_iam_checks.gate.verdict import Verdict

TWO_SEVERITIES = """resource "aws_iam_group_policy" "inline" {
  group  = "g"
  policy = jsonencode({
    Statement = [{ Effect = "Allow", Action = "s3:*", Resource = "arn:aws:s3:::b/*" }]
  })
}
"""
"""IAM001 (MEDIUM) on line 1 and IAM022 (HIGH) on line 4."""


def scan(*args: str):
    return CliRunner().invoke(cli.main, ["scan", "--no-cache", *args])


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / "main.tf").write_text(TWO_SEVERITIES, encoding="utf-8")
    return tmp_path


def test_text_ends_with_the_verdict_and_marks_findings_below_the_threshold(repo: Path) -> None:
    result = scan(str(repo), "--severity-threshold", "high")
    lines = result.output.splitlines()
    assert result.exit_code == 1
    assert lines[-1] == "gate: FAILED, 1 finding at or above HIGH"
    medium = next(line for line in lines if "IAM001" in line)
    high = next(line for line in lines if "IAM022" in line)
    assert medium.endswith("[below the HIGH threshold]")
    assert "threshold" not in high


def test_a_passing_gate_and_soft_fail_say_so(repo: Path) -> None:
    passing = scan(str(repo), "--severity-threshold", "critical")
    assert passing.exit_code == 0
    assert passing.output.splitlines()[-1] == "gate: PASSED, no finding at or above CRITICAL"
    soft = scan(str(repo), "--soft-fail")
    assert soft.exit_code == 0
    assert soft.output.splitlines()[-1] == (
        "gate: FAILED, 2 findings at or above LOW; exit 0 (--soft-fail)"
    )


def test_json_summary_carries_the_gate(repo: Path) -> None:
    result = scan(str(repo), "--severity-threshold", "high", "--format", "json")
    assert json.loads(result.output)["summary"]["gate"] == {
        "threshold": "HIGH",
        "failed": True,
        "failing_findings": 1,
        "failing_unresolved": 0,
        "exit_code": 1,
    }


@pytest.mark.parametrize(
    ("verdict", "line"),
    [
        (Verdict("LOW", 0, 2, 0, False), "gate: FAILED, 2 unresolved (--fail-on-unresolved)"),
        (
            Verdict("LOW", 0, 0, 1, True),
            "gate: PASSED, no finding at or above LOW; exit 2 (1 error)",
        ),
        (
            Verdict("HIGH", 3, 0, 2, True),
            "gate: FAILED, 3 findings at or above HIGH; exit 2 (2 errors)",
        ),
    ],
)
def test_verdict_lines(verdict: Verdict, line: str) -> None:
    assert verdict.line() == line


def test_what_the_baseline_accepted_is_counted_in_every_format(repo: Path, tmp_path: Path) -> None:
    base = tmp_path / "baseline.json"
    assert scan(str(repo), "--create-baseline", str(base)).exit_code == 1
    text = scan(str(repo), "--baseline", str(base))
    assert text.exit_code == 0
    assert "0 findings (0 CRITICAL, 0 HIGH, 0 MEDIUM, 0 LOW), 0 suppressed, 2 in baseline," in (
        text.output
    )
    summary = json.loads(scan(str(repo), "--baseline", str(base), "--format", "json").output)
    assert (summary["findings"], summary["summary"]["baselined"]) == ([], 2)
    sarif = json.loads(scan(str(repo), "--baseline", str(base), "--format", "sarif").output)
    results = sarif["runs"][0]["results"]
    assert sorted(r["ruleId"] for r in results) == ["IAM001", "IAM022"]
    assert {r["baselineState"] for r in results} == {"unchanged"}
    assert {r["suppressions"][0]["properties"]["source"] for r in results} == {"baseline"}
    markdown = scan(str(repo), "--baseline", str(base), "--format", "markdown").output
    assert "| In baseline | 2 |" in markdown


def test_a_missing_path_is_an_error_and_the_rest_is_scanned(repo: Path, tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    result = scan(str(repo), str(missing), "--format", "json")
    report = json.loads(result.output)
    assert result.exit_code == 2
    assert report["errors"] == [
        {"file": str(missing), "line": None, "message": "path does not exist"}
    ]
    assert sorted(f["check_id"] for f in report["findings"]) == ["IAM001", "IAM022"]


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        (
            'resource "aws_iam_user" "u" {\n  name = "x"\n',
            1,
            'block or object "{" opened at line 1 is not closed',
        ),
        ('resource "aws_iam_user" "u" {\n  name = "x"\n}\n}\n', 4, 'unexpected "}"'),
        (
            'resource "aws_iam_user" "u" {\n  name =\n}\n',
            2,
            "a value is missing before the end of the line",
        ),
        (
            'resource "aws_iam_user" "u" {\n  name = "x\n}\n',
            2,
            "string opened at line 2 is not closed",
        ),
        (
            'resource "aws_iam_user" "u" {\n  name = <<EOF\nabc\n',
            2,
            "heredoc <<EOF opened at line 2 is not closed",
        ),
        (
            'resource "aws_iam_user" "u" {\n  tags = { a = "${var.x}" \n}\n',
            1,
            'block or object "{" opened at line 1 is not closed',
        ),
        ('resource "aws_iam_user" "u" {\n  name = "x" @\n}\n', 2, 'unexpected "@"'),
        # A control character Python counts as whitespace, alone before the line's end (found
        # by tests/test_fuzz.py: the message took its "first word" from an empty split).
        ('resource "aws_iam_user" "u" {\n  name \x1d "x"\n}\n', 2, 'unexpected "\x1d"'),
        (
            '# a { in a comment\nresource "aws_iam_user" "u" {\n  name = "}"\n',
            2,
            'block or object "{" opened at line 2 is not closed',
        ),
    ],
)
def test_syntax_errors_say_what_is_wrong(
    tmp_path: Path, text: str, line: int, message: str
) -> None:
    (tmp_path / "broken.tf").write_text(text, encoding="utf-8")
    (tmp_path / "ok.tf").write_text(TWO_SEVERITIES, encoding="utf-8")
    report = json.loads(scan(str(tmp_path), "--format", "json").output)
    assert report["errors"] == [
        {"file": "broken.tf", "line": line, "message": f"invalid HCL: {message}"}
    ]


def test_every_scan_option_has_help() -> None:
    options = [p for p in cli.main.commands["scan"].params if p.param_type_name == "option"]
    assert len(options) > 15
    assert [p.opts[0] for p in options if not getattr(p, "help", None)] == []
