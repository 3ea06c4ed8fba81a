"""A policy used only as a permissions boundary grants nothing: it caps what identity policies
grant, so the checks about what a policy allows (IAM020, IAM022-IAM026) do not judge it. Its
validity (IAM027, IAM031) is still judged. Seen on a public runner module whose boundary
``Allow *`` drew IAM022/IAM024 findings a reviewer reads as false."""

from __future__ import annotations

from pathlib import Path

from iac_iam_checks.engine import ScanOptions, scan

BOUNDARY = """resource "aws_iam_policy" "boundary" {
  name = "boundary"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [
      { Effect = "Allow", Action = "*", Resource = "*" },
      { Effect = "Deny", Action = "iam:CreateUser", Resource = "*" },
    ]
  })
}

resource "aws_iam_role" "app" {
  name                 = "app"
  permissions_boundary = aws_iam_policy.boundary.arn
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "ec2.amazonaws.com" }
    }]
  })
}
"""

CLOUDFORMATION = """AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Boundary:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Action: "*"
            Resource: "*"
  App:
    Type: AWS::IAM::Role
    Properties:
      PermissionsBoundary: !Ref Boundary
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Action: sts:AssumeRole
            Principal: {Service: ec2.amazonaws.com}
"""


def findings(tmp_path: Path, files: dict[str, str]) -> set[tuple[str, str]]:
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    result = scan([tmp_path], ScanOptions(use_cache=False))
    assert result.errors == []
    return {(f.check_id, f.resource) for f in result.findings}


def test_a_boundary_attached_to_nobody_is_not_judged_for_what_it_allows(tmp_path: Path) -> None:
    assert findings(tmp_path, {"main.tf": BOUNDARY}) == set()


def test_the_same_policy_attached_to_a_principal_grants(tmp_path: Path) -> None:
    attached = BOUNDARY + (
        'resource "aws_iam_role_policy_attachment" "a" {\n'
        "  role       = aws_iam_role.app.name\n"
        "  policy_arn = aws_iam_policy.boundary.arn\n}\n"
    )
    assert ("IAM020", "aws_iam_policy.boundary") in findings(tmp_path, {"main.tf": attached})


def test_an_attachment_nobody_can_resolve_may_attach_the_boundary(tmp_path: Path) -> None:
    unknown = BOUNDARY + (
        'variable "policy" {}\n'
        'resource "aws_iam_role_policy_attachment" "a" {\n'
        "  role       = aws_iam_role.app.name\n"
        "  policy_arn = var.policy\n}\n"
    )
    assert ("IAM020", "aws_iam_policy.boundary") in findings(tmp_path, {"main.tf": unknown})


def test_a_policy_no_one_uses_is_still_judged(tmp_path: Path) -> None:
    lone = BOUNDARY.replace("  permissions_boundary = aws_iam_policy.boundary.arn\n", "")
    assert ("IAM020", "aws_iam_policy.boundary") in findings(tmp_path, {"main.tf": lone})


def test_a_boundary_is_still_checked_for_validity(tmp_path: Path) -> None:
    typo = BOUNDARY.replace('Action = "iam:CreateUser"', 'Action = "iam:CreateUsers"')
    assert findings(tmp_path, {"main.tf": typo}) == {("IAM031", "aws_iam_policy.boundary")}


def test_cloudformation_boundary_by_ref(tmp_path: Path) -> None:
    assert findings(tmp_path, {"stack.yaml": CLOUDFORMATION}) == set()
    managed = CLOUDFORMATION.replace(
        "      PermissionsBoundary: !Ref Boundary\n",
        "      PermissionsBoundary: !Ref Boundary\n      ManagedPolicyArns: [!Ref Boundary]\n",
    )
    assert ("IAM020", "Boundary") in findings(tmp_path, {"stack.yaml": managed})
