"""Least-privilege checks (IAM020-IAM030): statement lines in every policy form, precedence,
Deny and conditions, and unknowns reported as ``unresolved`` instead of passing."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from iac_iam_checks.checks.iam030_web_identity_trust import _limits as web_identity_limits
from iac_iam_checks.checks.statements import (
    evaluation_view,
    full_admin,
    is_wildcard_action,
    shorten,
    wildcard_actions,
)
from iac_iam_checks.checks.templates import declared, outranked
from iac_iam_checks.engine import ScanOptions, scan
from iac_iam_checks.iam.evaluation import Undecided
from iac_iam_checks.model.settings import Settings
from iac_iam_checks.model.values import IDENTITY, PolicyDocument, Statement, Template, Unknown

LEAST_PRIVILEGE = [f"IAM0{n}" for n in range(20, 31)]


def run(
    tmp_path: Path, files: dict[str, str], checks: list[str] | None = None, **settings
) -> list[tuple[str, str, str, int, int]]:
    """Write ``files`` into ``tmp_path``, scan it, return (check, resource, file, line, end)."""
    for name, text in files.items():
        (tmp_path / name).write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    options = ScanOptions(checks=checks or LEAST_PRIVILEGE, settings=Settings(**settings))
    result = scan([tmp_path], options)
    assert result.errors == []
    return [(f.check_id, f.resource, f.file, f.line, f.end_line) for f in result.findings]


def unresolved(tmp_path: Path, checks: list[str]) -> list[tuple[list[str], str, str]]:
    result = scan([tmp_path], ScanOptions(checks=checks))
    return [(u.check_ids, u.resource, u.value) for u in result.unresolved]


# --- statement lines in every form ---------------------------------------------------------


def test_line_inside_jsonencode(tmp_path):
    found = run(
        tmp_path,
        {
            "main.tf": """
            resource "aws_iam_policy" "p" {
              policy = jsonencode({
                Version = "2012-10-17"
                Statement = [
                  {
                    Effect   = "Allow"
                    Action   = "s3:GetObject"
                    Resource = "arn:aws:s3:::b/*"
                  },
                  {
                    Effect   = "Allow"
                    Action   = "*"
                    Resource = "*"
                  },
                ]
              })
            }
            """
        },
    )
    assert found == [("IAM020", "aws_iam_policy.p", "main.tf", 10, 14)]


def test_line_inside_heredoc(tmp_path):
    found = run(
        tmp_path,
        {
            "main.tf": """
            resource "aws_iam_role_policy" "p" {
              role   = "r"
              policy = <<-EOT
                {
                  "Version": "2012-10-17",
                  "Statement": [
                    {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"},
                    {
                      "Effect": "Allow",
                      "Action": "iam:PassRole",
                      "Resource": "*"
                    }
                  ]
                }
              EOT
            }
            """
        },
    )
    assert found == [("IAM026", "aws_iam_role_policy.p", "main.tf", 8, 12)]


def test_line_inside_a_file_read_with_file(tmp_path):
    found = run(
        tmp_path,
        {
            "main.tf": """
            resource "aws_iam_policy" "p" {
              policy = file("${path.module}/policy.json")
            }
            """,
            "policy.json": """
            {
              "Version": "2012-10-17",
              "Statement": [
                {
                  "Effect": "Allow",
                  "Action": "s3:ListAllMyBuckets",
                  "Resource": "*"
                },
                {
                  "Effect": "Allow",
                  "Action": "s3:*",
                  "Resource": "arn:aws:s3:::b/*"
                }
              ]
            }
            """,
        },
    )
    assert found == [("IAM022", "aws_iam_policy.p", "policy.json", 9, 13)]


def test_line_inside_a_cloudformation_document(tmp_path):
    found = run(
        tmp_path,
        {
            "template.yaml": """
            AWSTemplateFormatVersion: "2010-09-09"
            Resources:
              Role:
                Type: AWS::IAM::Role
                Properties:
                  AssumeRolePolicyDocument:
                    Statement:
                      - Effect: Allow
                        Principal: {Service: ec2.amazonaws.com}
                        Action: sts:AssumeRole
                      - Effect: Allow
                        Principal: {AWS: "*"}
                        Action: sts:AssumeRole
            """
        },
    )
    assert found == [("IAM028", "Role", "template.yaml", 11, 13)]


def test_line_inside_a_cloudformation_json_document(tmp_path):
    found = run(
        tmp_path,
        {
            "template.json": """
            {
              "AWSTemplateFormatVersion": "2010-09-09",
              "Resources": {
                "Policy": {
                  "Type": "AWS::IAM::ManagedPolicy",
                  "Properties": {
                    "PolicyDocument": {
                      "Statement": [
                        {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}
                      ]
                    }
                  }
                }
              }
            }
            """
        },
        ["IAM025"],
    )
    assert found == [("IAM025", "Policy", "template.json", 9, 9)]


def test_data_source_finding_is_on_the_user_with_the_line_in_the_data_source(tmp_path):
    found = run(
        tmp_path,
        {
            "main.tf": """
            data "aws_iam_policy_document" "d" {
              statement {
                actions   = ["s3:GetObject"]
                resources = ["arn:aws:s3:::b/*"]
              }
              statement {
                actions   = ["s3:PutObject"]
                resources = ["*"]
              }
            }
            resource "aws_iam_policy" "a" {
              policy = data.aws_iam_policy_document.d.json
            }
            resource "aws_iam_role_policy" "b" {
              role   = "r"
              policy = data.aws_iam_policy_document.d.json
            }
            """
        },
    )
    assert found == [
        ("IAM023", "aws_iam_policy.a", "main.tf", 6, 9),
        ("IAM023", "aws_iam_role_policy.b", "main.tf", 6, 9),
    ]


def test_unused_data_source_is_checked_as_a_trust_policy(tmp_path):
    found = run(
        tmp_path,
        {
            "main.tf": """
            data "aws_iam_policy_document" "trust" {
              statement {
                actions = ["sts:AssumeRole"]
                principals {
                  type        = "AWS"
                  identifiers = ["arn:aws:iam::444455556666:root"]
                }
              }
            }
            """
        },
    )
    assert found == [("IAM029", "data.aws_iam_policy_document.trust", "main.tf", 2, 8)]


# --- one problem, one finding --------------------------------------------------------------


def test_service_wildcard_on_star_is_one_wildcard_finding(tmp_path):
    found = run(
        tmp_path,
        {
            "main.tf": """
            resource "aws_iam_policy" "p" {
              policy = jsonencode({
                Statement = [{ Effect = "Allow", Action = "s3:*", Resource = "*" }]
              })
            }
            """
        },
    )
    assert found == [("IAM022", "aws_iam_policy.p", "main.tf", 3, 3)]


def test_admin_statement_is_only_iam020(tmp_path):
    found = run(
        tmp_path,
        {
            "main.tf": """
            resource "aws_iam_policy" "p" {
              policy = jsonencode({
                Statement = [{ Effect = "Allow", Action = ["*", "iam:*"], Resource = "*" }]
              })
            }
            """
        },
    )
    assert found == [("IAM020", "aws_iam_policy.p", "main.tf", 3, 3)]


def test_pass_role_on_star_is_iam026_not_iam023(tmp_path):
    found = run(
        tmp_path,
        {
            "main.tf": """
            resource "aws_iam_policy" "p" {
              policy = jsonencode({
                Statement = [
                  { Effect = "Allow", Action = "iam:PassRole", Resource = "*" },
                  { Effect = "Allow", Action = "sqs:SendMessage", Resource = "*" },
                ]
              })
            }
            """
        },
    )
    assert found == [
        ("IAM026", "aws_iam_policy.p", "main.tf", 4, 4),
        ("IAM023", "aws_iam_policy.p", "main.tf", 5, 5),
    ]


def test_escalation_and_pass_role_combination(tmp_path):
    found = run(
        tmp_path,
        {
            "main.tf": """
            resource "aws_iam_policy" "p" {
              policy = jsonencode({
                Statement = [
                  { Effect = "Allow", Action = "ec2:RunInstances", Resource = "*" },
                  { Effect = "Allow", Action = "iam:PassRole", Resource = "*" },
                ]
              })
            }
            """
        },
    )
    assert found == [
        ("IAM023", "aws_iam_policy.p", "main.tf", 4, 4),
        ("IAM024", "aws_iam_policy.p", "main.tf", 5, 5),
        ("IAM026", "aws_iam_policy.p", "main.tf", 5, 5),
    ]


def test_message_lists_a_few_actions():
    assert shorten(["a", "b", "c", "d", "e"]) == "a, b, c and 2 more"
    assert shorten(["a"]) == "a"


# --- Deny and conditions -------------------------------------------------------------------


def test_deny_statements_are_not_grants_and_cancel_allows(tmp_path):
    found = run(
        tmp_path,
        {
            "main.tf": """
            resource "aws_iam_policy" "p" {
              policy = jsonencode({
                Statement = [
                  { Effect = "Allow", Action = "iam:PassRole", Resource = "*" },
                  { Effect = "Deny", Action = "iam:Pass*", Resource = "*" },
                  { Effect = "Deny", NotAction = "s3:GetObject", NotResource = "arn:aws:s3:::b" },
                ]
              })
            }
            """
        },
    )
    assert found == []


def test_conditional_deny_does_not_cancel(tmp_path):
    found = run(
        tmp_path,
        {
            "main.tf": """
            resource "aws_iam_policy" "p" {
              policy = jsonencode({
                Statement = [
                  { Effect = "Allow", Action = "*", Resource = "*" },
                  {
                    Effect = "Deny", Action = "*", Resource = "*",
                    Condition = { StringNotEquals = { "aws:RequestedRegion" = "eu-west-1" } }
                  },
                ]
              })
            }
            """
        },
    )
    assert found == [("IAM020", "aws_iam_policy.p", "main.tf", 4, 4)]


def test_restricting_condition_passes_write_on_star(tmp_path):
    found = run(
        tmp_path,
        {
            "main.tf": """
            resource "aws_iam_policy" "p" {
              policy = jsonencode({
                Statement = [
                  {
                    Effect = "Allow", Action = "ec2:TerminateInstances", Resource = "*",
                    Condition = { StringEquals = { "aws:ResourceTag/team" = "web" } }
                  },
                  {
                    Effect = "Allow", Action = "ec2:StopInstances", Resource = "*",
                    Condition = { StringLike = { "aws:ResourceTag/team" = "*" } }
                  },
                ]
              })
            }
            """
        },
    )
    assert found == [("IAM023", "aws_iam_policy.p", "main.tf", 8, 11)]


def test_principal_star_restricted_by_org_id(tmp_path):
    found = run(
        tmp_path,
        {
            "template.yaml": """
            Resources:
              Open:
                Type: AWS::IAM::Role
                Properties:
                  AssumeRolePolicyDocument:
                    Statement:
                      - Effect: Allow
                        Principal: "*"
                        Action: sts:AssumeRole
                        Condition:
                          StringEquals: {aws:PrincipalOrgID: o-a1b2c3d4e5}
            """
        },
    )
    assert found == []


def test_own_accounts_from_settings_are_not_cross_account(tmp_path):
    files = {
        "main.tf": """
        resource "aws_iam_role" "r" {
          assume_role_policy = jsonencode({
            Statement = [{
              Effect = "Allow", Action = "sts:AssumeRole",
              Principal = { AWS = ["arn:aws:iam::444455556666:root", "777788889999"] }
            }]
          })
        }
        """
    }
    assert run(tmp_path, files, own_account_ids=("444455556666", "777788889999")) == []
    assert run(tmp_path, files) == [("IAM029", "aws_iam_role.r", "main.tf", 3, 6)]


def test_caller_identity_and_account_id_are_the_own_account(tmp_path):
    found = run(
        tmp_path,
        {
            "main.tf": """
            data "aws_caller_identity" "me" {}
            resource "aws_iam_role" "r" {
              assume_role_policy = jsonencode({
                Statement = [{
                  Effect    = "Allow"
                  Action    = "sts:AssumeRole"
                  Principal = {
                    AWS = "arn:aws:iam::${data.aws_caller_identity.me.account_id}:root"
                  }
                }]
              })
            }
            """,
            "template.yaml": """
            Resources:
              Role:
                Type: AWS::IAM::Role
                Properties:
                  AssumeRolePolicyDocument:
                    Statement:
                      - Effect: Allow
                        Principal: {AWS: !Sub "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}
                        Action: sts:AssumeRole
            """,
        },
        ["IAM029"],
    )
    assert found == []
    assert unresolved(tmp_path, ["IAM029"]) == []


def test_null_and_set_operators_are_valid(tmp_path):
    found = run(
        tmp_path,
        {
            "template.yaml": """
            Resources:
              Policy:
                Type: AWS::IAM::ManagedPolicy
                Properties:
                  PolicyDocument:
                    Version: "2012-10-17"
                    Statement:
                      - Effect: Allow
                        Action: ec2:StopInstances
                        Resource: arn:aws:ec2:eu-west-1:111122223333:instance/*
                        Condition:
                          Null: {aws:ResourceTag/team: "false"}
                          ForAllValues:StringEquals: {aws:TagKeys: [team]}
                          NumericLessThanEqualsIfExists: {s3:max-keys: "10"}
                          Bool: {aws:SecureTransport: "true"}
            """
        },
        ["IAM027"],
    )
    assert found == []


# --- unknowns are unresolved, not passes ---------------------------------------------------


def test_unknown_action_is_unresolved(tmp_path):
    (tmp_path / "main.tf").write_text(
        textwrap.dedent(
            """
            variable "actions" {}
            resource "aws_iam_policy" "p" {
              policy = jsonencode({
                Version   = "2012-10-17"
                Statement = [{ Effect = "Allow", Action = var.actions, Resource = "*" }]
              })
            }
            """
        )
    )
    result = scan([tmp_path], ScanOptions(checks=LEAST_PRIVILEGE))
    assert [f.check_id for f in result.findings] == []
    assert unresolved(tmp_path, LEAST_PRIVILEGE) == [
        (
            ["IAM020", "IAM022", "IAM023", "IAM024", "IAM026", "IAM027"],
            "aws_iam_policy.p",
            "var.actions",
        )
    ]


def test_reference_to_a_resource_is_never_star(tmp_path):
    found = run(
        tmp_path,
        {
            "main.tf": """
            resource "aws_s3_bucket" "b" {
              bucket = "reports"
            }
            resource "aws_iam_policy" "p" {
              policy = jsonencode({
                Version = "2012-10-17"
                Statement = [{
                  Effect = "Allow", Action = "s3:PutBucketPolicy", Resource = aws_s3_bucket.b.arn
                }]
              })
            }
            """
        },
    )
    assert found == []
    assert unresolved(tmp_path, LEAST_PRIVILEGE) == []


def test_unknown_managed_policy_arn_is_unresolved(tmp_path):
    run(
        tmp_path,
        {
            "main.tf": """
            variable "policy_arn" {}
            resource "aws_iam_role_policy_attachment" "a" {
              role       = "r"
              policy_arn = var.policy_arn
            }
            resource "aws_iam_role_policy_attachment" "b" {
              role       = "r"
              policy_arn = "arn:${var.partition}:iam::aws:policy/AdministratorAccess"
            }
            """
        },
    )
    result = scan([tmp_path], ScanOptions(checks=["IAM021"]))
    assert [(f.resource, f.line) for f in result.findings] == [
        ("aws_iam_role_policy_attachment.b", 8)
    ]
    assert unresolved(tmp_path, ["IAM021"]) == [
        (["IAM021"], "aws_iam_role_policy_attachment.a", "var.policy_arn")
    ]


def test_unparsable_policy_is_iam027_and_nothing_else(tmp_path):
    found = run(
        tmp_path,
        {
            "main.tf": """
            resource "aws_iam_policy" "p" {
              policy = <<EOT
            {"Statement": [
            EOT
            }
            """
        },
    )
    # JSON ends too early: the error is where the text ends.
    assert found == [("IAM027", "aws_iam_policy.p", "main.tf", 4, 4)]
    # Known and known broken: AWS rejects it, the other checks have nothing to judge.
    assert unresolved(tmp_path, LEAST_PRIVILEGE) == []


def test_github_subject_held_by_a_variable_is_unresolved(tmp_path):
    run(
        tmp_path,
        {
            "main.tf": """
            variable "repository" {}
            locals {
              host = "token.actions.githubusercontent.com"
            }
            resource "aws_iam_role" "r" {
              assume_role_policy = jsonencode({
                Statement = [{
                  Effect    = "Allow"
                  Action    = "sts:AssumeRoleWithWebIdentity"
                  Principal = { Federated = "arn:aws:iam::1:oidc-provider/${local.host}" }
                  Condition = {
                    StringEquals = { "${local.host}:aud" = "sts.amazonaws.com" }
                    StringLike   = { "${local.host}:sub" = "repo:org/${var.repository}:*" }
                  }
                }]
              })
            }
            """
        },
        ["IAM030"],
    )
    assert unresolved(tmp_path, ["IAM030"]) == [(["IAM030"], "aws_iam_role.r", "var.repository")]


# --- the pure functions behind precedence --------------------------------------------------

VAR_X = Unknown("var.x")


def allow(**fields) -> Statement:
    return Statement(effect="Allow", location=None, **fields)


def document(*statements: Statement) -> PolicyDocument:
    return PolicyDocument(IDENTITY, list(statements), None)


def test_a_known_operator_that_is_not_a_string_limits_nothing():
    # Was Undecided with nothing to blame: a generator was tested for truth (found by mypy).
    assert web_identity_limits(5) is False
    assert web_identity_limits(VAR_X) == Undecided((VAR_X,))
    assert web_identity_limits("ForAllValues:StringLike") is True


@pytest.mark.parametrize(
    "pattern, expected",
    [
        ("*", True),
        ("*:*", True),
        ("s3:*", True),
        ("s3:Get*", False),
        ("s3:GetObject", False),
        (Template((VAR_X, ":*")), True),
        (Template(("s3:", VAR_X)), Undecided((VAR_X,))),
        (Template(("s3:Get", VAR_X)), False),
        (VAR_X, Undecided((VAR_X,))),
    ],
)
def test_is_wildcard_action(pattern, expected):
    assert is_wildcard_action(pattern) == expected


def test_precedence_functions():
    admin = allow(actions=["*"], resources=["*"])
    s3_all = allow(actions=["s3:*"], resources=["*"])
    writes = allow(actions=["sqs:SendMessage"], resources=["*"])
    doc = document(admin, s3_all, writes)
    assert full_admin(doc, admin).hits == ("*",)
    assert outranked(declared("IAM022"), doc, admin) is True
    assert outranked(declared("IAM022"), doc, s3_all) is False
    assert wildcard_actions(doc, s3_all).hits == ("s3:*",)
    assert outranked(declared("IAM023"), doc, s3_all) is True
    assert outranked(declared("IAM023"), doc, writes) is False


def test_precedence_is_declared_by_the_outranked_check():
    assert {i: declared(i).outranked_by for i in ("IAM020", "IAM022", "IAM023", "IAM026")} == {
        "IAM020": (),
        "IAM022": ("IAM020",),
        "IAM023": ("IAM020", "IAM022", "IAM024", "IAM026"),
        "IAM026": ("IAM020",),
    }


def test_an_outranked_statement_leaves_no_unresolved_entry(tmp_path):
    """IAM022 certainly reports ``s3:*``: whatever ``var.arn`` holds, IAM023 adds nothing."""
    files = {
        "main.tf": """
        variable "arn" {}
        resource "aws_iam_policy" "p" {
          policy = jsonencode({
            Statement = [{ Effect = "Allow", Action = "s3:*", Resource = var.arn }]
          })
        }
        """
    }
    assert run(tmp_path, files, ["IAM022", "IAM023"]) == [
        ("IAM022", "aws_iam_policy.p", "main.tf", 4, 4)
    ]
    assert unresolved(tmp_path, ["IAM022", "IAM023"]) == []


def test_an_undecided_higher_check_skips_nothing(tmp_path):
    """Whether ``var.action`` is a wildcard is unknown: IAM023 still reports the sure write."""
    files = {
        "main.tf": """
        variable "action" {}
        resource "aws_iam_policy" "p" {
          policy = jsonencode({
            Statement = [{
              Effect = "Allow", Action = ["sqs:SendMessage", var.action], Resource = "*"
            }]
          })
        }
        """
    }
    assert run(tmp_path, files, ["IAM022", "IAM023"]) == [
        ("IAM023", "aws_iam_policy.p", "main.tf", 4, 6)
    ]


def test_evaluation_view_replaces_references_only_in_resources():
    bucket = Unknown("aws_s3_bucket.b.arn", ref=("aws_s3_bucket.b", "arn"))
    statement = allow(actions=["s3:PutObject"], resources=[bucket, VAR_X])
    view = evaluation_view(document(statement))
    assert view.statements[0].resources == ["arn:reference:aws_s3_bucket.b.arn", VAR_X]
    assert view.statements[0].raw is statement.raw
    untouched = document(allow(actions=["s3:PutObject"], resources=["*"]))
    assert evaluation_view(untouched) is untouched
