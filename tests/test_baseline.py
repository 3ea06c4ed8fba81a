"""Fingerprints and baselines."""

from __future__ import annotations

import datetime
import json

import pytest

from iac_iam_checks.gate.baseline import (
    BaselineError,
    apply_baseline,
    load_baseline,
    write_baseline,
)
from iac_iam_checks.gate.fingerprint import fingerprint
from iac_iam_checks.model.findings import Finding, ScanResult, Suppression
from iac_iam_checks.model.values import LocatedDict, Location, Template, Unknown, located

STATEMENT = {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "*"}


def test_fingerprint_is_sha256_hex_of_id_address_and_content():
    value = fingerprint("IAM023", "aws_iam_policy.p", STATEMENT)
    assert value == fingerprint("IAM023", "aws_iam_policy.p", dict(STATEMENT))
    assert len(value) == 64 and int(value, 16) >= 0
    assert value != fingerprint("IAM022", "aws_iam_policy.p", STATEMENT)
    assert value != fingerprint("IAM023", "aws_iam_policy.q", STATEMENT)
    assert value != fingerprint("IAM023", "aws_iam_policy.p", {**STATEMENT, "Resource": "arn:x"})


def test_fingerprint_ignores_location_key_order_list_order_and_one_item_lists():
    moved = located(
        {"Resource": ["*"], "Action": ["s3:PutObject", "s3:GetObject"], "Effect": "Allow"},
        Location("other/file.tf", 40, 44),
    )
    assert isinstance(moved, LocatedDict)
    assert fingerprint("IAM023", "aws_iam_policy.p", moved) == fingerprint(
        "IAM023", "aws_iam_policy.p", STATEMENT
    )


def test_fingerprint_of_unknown_values_uses_their_source_text():
    with_hole = {
        "Effect": "Allow",
        "Action": "s3:*",
        "Resource": Template(("arn:", Unknown("var.b"))),
    }
    same_text = {"Effect": "Allow", "Action": "s3:*", "Resource": "arn:${var.b}"}
    assert fingerprint("IAM022", "a.b", with_hole) == fingerprint("IAM022", "a.b", same_text)
    assert fingerprint("IAM011", "a.b", "key a") != fingerprint("IAM011", "a.b", "key b")


def make(check_id: str, resource: str, line: int, suppressed: Suppression | None = None) -> Finding:
    return Finding(
        check_id=check_id,
        title="t",
        severity="HIGH",
        file="main.tf",
        line=line,
        end_line=line,
        resource=resource,
        message="m",
        framework="terraform",
        fingerprint=fingerprint(check_id, resource, "m"),
        suppressed=suppressed,
    )


CREATED = datetime.datetime(2025, 1, 31, 12, 0, tzinfo=datetime.timezone.utc)


def test_write_baseline_records_unsuppressed_findings_sorted_and_once(tmp_path):
    result = ScanResult(
        findings=[
            make("IAM022", "aws_iam_policy.b", 30),
            make("IAM020", "aws_iam_policy.a", 10),
            make("IAM020", "aws_iam_policy.a", 12),  # same fingerprint: recorded once
            make("IAM001", "aws_iam_user_policy.x", 3, Suppression("legacy", "comment")),
        ]
    )
    path = tmp_path / "baseline.json"
    write_baseline(result, path, created=CREATED)
    assert json.loads(path.read_text()) == {
        "version": 1,
        "created": "2025-01-31T12:00:00Z",
        "findings": [
            {
                "fingerprint": fingerprint("IAM020", "aws_iam_policy.a", "m"),
                "check_id": "IAM020",
                "resource": "aws_iam_policy.a",
            },
            {
                "fingerprint": fingerprint("IAM022", "aws_iam_policy.b", "m"),
                "check_id": "IAM022",
                "resource": "aws_iam_policy.b",
            },
        ],
    }
    assert load_baseline(path) == {
        fingerprint("IAM020", "aws_iam_policy.a", "m"),
        fingerprint("IAM022", "aws_iam_policy.b", "m"),
    }


def test_apply_baseline_keeps_only_new_findings_even_after_lines_move(tmp_path):
    path = tmp_path / "baseline.json"
    write_baseline(ScanResult(findings=[make("IAM020", "aws_iam_policy.a", 10)]), path)
    later = ScanResult(
        findings=[make("IAM020", "aws_iam_policy.a", 55), make("IAM020", "aws_iam_policy.new", 70)],
        warnings=["w"],
        files_scanned=2,
    )
    kept = apply_baseline(later, load_baseline(path))
    assert [(f.check_id, f.resource, f.line) for f in kept.findings] == [
        ("IAM020", "aws_iam_policy.new", 70)
    ]
    assert (kept.warnings, kept.files_scanned) == (["w"], 2)
    assert len(later.findings) == 2


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (
            "{not json",
            "baseline is not valid JSON: Expecting property name enclosed in double "
            "quotes: line 1 column 2 (char 1)",
        ),
        ("[]", 'not a baseline (expected an object with a "findings" list)'),
        ('{"version": 2, "findings": []}', "unsupported baseline version 2 (expected 1)"),
        (
            '{"version": 1, "findings": [{"check_id": "IAM001"}]}',
            'findings[0] has no "fingerprint" string',
        ),
    ],
)
def test_bad_baseline_files_are_clear_errors(tmp_path, text, problem):
    path = tmp_path / "baseline.json"
    path.write_text(text)
    with pytest.raises(BaselineError) as error:
        load_baseline(path)
    assert str(error.value) == f"{path}: {problem}"


def test_missing_baseline_file(tmp_path):
    with pytest.raises(BaselineError) as error:
        load_baseline(tmp_path / "nope.json")
    assert (
        str(error.value)
        == f"{tmp_path / 'nope.json'}: cannot read baseline: No such file or directory"
    )
