"""A statement with a shape AWS rejects (a Condition, or one of its operators, that is not an
object) is IAM027's alone: the other checks neither judge it nor crash on it. Found by the long
fuzz profile: a truncated IAM030 example left ``StringLike: t``."""

from __future__ import annotations

from pathlib import Path

import pytest

from iac_iam_checks.engine import ScanOptions, scan

TRUST = """AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Provider:
    Type: AWS::IAM::OIDCProvider
    Properties:
      Url: https://token.actions.githubusercontent.com
      ClientIdList: [sts.amazonaws.com]
  Deploy:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal:
              Federated: !Ref Provider
            Action: sts:AssumeRoleWithWebIdentity
            Condition: CONDITION
"""


@pytest.mark.parametrize(
    ("condition", "problem"),
    [
        (
            "{StringEquals: {token.actions.githubusercontent.com:aud: x}, StringLike: t}",
            "Condition operator 'StringLike' is not an object",
        ),
        ("just-text", "Condition is not an object"),
    ],
)
def test_a_malformed_condition_is_iam027_only(tmp_path: Path, condition: str, problem: str) -> None:
    (tmp_path / "stack.yaml").write_text(TRUST.replace("CONDITION", condition), encoding="utf-8")
    result = scan([tmp_path], ScanOptions(use_cache=False))
    assert [(f.check_id, f.resource) for f in result.findings] == [("IAM027", "Deploy")]
    assert problem in result.findings[0].message
    assert result.unresolved == []


@pytest.mark.parametrize(
    ("name", "known"),
    [
        ("StringEquals", True),
        ("stringlikeifexists", True),
        ("ForAnyValue:StringLike", True),
        ("ForAllValues:ArnNotLikeIfExists", True),
        ("Null", True),
        ("ForAllValues:Null", False),
        ("NullIfExists", False),
        ("ForAllValues:ForAnyValue:StringLike", False),
        ("StringEqualsIfExistsIfExists", False),
        ("StringEquals\n", False),  # a regex's ``$`` once let the newline through
        ("StringMatches", False),
    ],
)
def test_condition_operator_names(name: str, known: bool) -> None:
    from iac_iam_checks.checks.iam027_invalid_policy import is_condition_operator

    assert is_condition_operator(name) is known


@pytest.mark.parametrize("policy", ['["a"]', "[]", "[jsonencode({Statement = []})]"])
def test_a_policy_that_is_a_list_is_named_in_jsons_words(tmp_path: Path, policy: str) -> None:
    """Terraform refuses these; the finding says what the value is, never a class of ours."""
    text = f'resource "aws_iam_policy" "p" {{\n  policy = {policy}\n}}\n'
    (tmp_path / "main.tf").write_text(text, encoding="utf-8")
    result = scan([tmp_path], ScanOptions(checks=["IAM027"], use_cache=False))
    assert [f.message for f in result.findings] == [
        "policy of aws_iam_policy.p: policy document is a list, not an object"
    ]


def test_a_policy_document_that_is_a_scalar_is_named_in_jsons_words(tmp_path: Path) -> None:
    text = "Resources:\n" + "".join(
        f"  {name}:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n"
        f"      PolicyDocument: {value}\n"
        for name, value in (("Number", "7"), ("Flag", "true"))
    )
    (tmp_path / "t.yaml").write_text(text, encoding="utf-8")
    result = scan([tmp_path], ScanOptions(checks=["IAM027"], use_cache=False))
    assert sorted(f.message.split(": ", 1)[1] for f in result.findings) == [
        "policy document is a boolean, not an object",
        "policy document is a number, not an object",
    ]
