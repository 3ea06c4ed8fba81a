"""Spec cases for the least-privilege checks (IAM020-IAM030), written the way a security
engineer labels a test set: one small repository per case, the exact (check, resource, line)
expected. Each case here once disagreed with the spec, or pins a precedence rule."""

from __future__ import annotations

import textwrap
from pathlib import Path

from iac_iam_checks.engine import ScanOptions, scan

LEAST_PRIVILEGE = [f"IAM0{n}" for n in range(20, 32)]


def run(tmp_path: Path, files: dict[str, str]) -> list[tuple[str, str, int, int]]:
    """Scan ``files``; return (check, resource, line, end_line) of every finding."""
    for name, text in files.items():
        (tmp_path / name).write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    result = scan([tmp_path], ScanOptions(checks=LEAST_PRIVILEGE))
    assert result.errors == []
    return [(f.check_id, f.resource, f.line, f.end_line) for f in result.findings]


def messages(tmp_path: Path, files: dict[str, str]) -> list[tuple[str, str]]:
    for name, text in files.items():
        (tmp_path / name).write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    result = scan([tmp_path], ScanOptions(checks=LEAST_PRIVILEGE))
    return [(f.check_id, f.message) for f in result.findings]


def policy(name: str, statements: str) -> str:
    """An ``aws_iam_policy`` whose ``Statement`` (jsonencode) is on line 5."""
    return f"""
resource "aws_iam_policy" "{name}" {{
  name = "{name}"
  policy = jsonencode({{
    Version = "2012-10-17"
{textwrap.indent(textwrap.dedent(statements).strip(), "    ")}
  }})
}}
"""


# --- one written block, one finding ------------------------------------------------------


def test_dynamic_statements_are_one_finding_at_the_block(tmp_path):
    found = run(
        tmp_path,
        {
            "main.tf": """
            data "aws_iam_policy_document" "d" {
              dynamic "statement" {
                for_each = ["s3", "dynamodb"]
                content {
                  actions   = ["${statement.value}:*"]
                  resources = ["*"]
                }
              }
            }

            resource "aws_iam_role_policy" "p" {
              role   = "r"
              policy = data.aws_iam_policy_document.d.json
            }
            """
        },
    )
    assert found == [("IAM022", "aws_iam_role_policy.p", 4, 7)]


def test_statements_from_a_for_expression_are_one_finding(tmp_path):
    found = messages(
        tmp_path,
        {
            "main.tf": """
            locals {
              statements = [for s in ["sqs", "sns"] : {
                Effect = "Allow", Action = "${s}:*", Resource = "*"
              }]
            }

            resource "aws_iam_policy" "p" {
              name   = "p"
              policy = jsonencode({ Version = "2012-10-17", Statement = local.statements })
            }
            """
        },
    )
    assert found == [
        (
            "IAM022",
            "policy 'p' allows the wildcard actions sqs:*, sns:*; list the actions needed instead",
        )
    ]


def test_invalid_actions_of_one_statement_are_one_finding(tmp_path):
    found = run(
        tmp_path,
        {
            "main.tf": policy(
                "p",
                """
                Statement = [
                  { Effect = "Allow", Action = ["s3:GetObjects", "foo:Bar"], Resource = "*" },
                ]
                """,
            )
        },
    )
    assert found == [("IAM031", "aws_iam_policy.p", 6, 6)]


# --- which documents are identity policies -----------------------------------------------


def test_bucket_policy_built_by_a_data_source_is_not_an_identity_policy(tmp_path):
    found = run(
        tmp_path,
        {
            "main.tf": """
            data "aws_iam_policy_document" "bucket" {
              statement {
                actions   = ["s3:*"]
                resources = ["arn:aws:s3:::logs/*"]
                principals {
                  type        = "AWS"
                  identifiers = ["*"]
                }
              }
            }

            resource "aws_s3_bucket_policy" "logs" {
              bucket = "logs"
              policy = data.aws_iam_policy_document.bucket.json
            }
            """
        },
    )
    assert found == []


def test_unused_trust_data_source_is_checked_as_a_trust_policy(tmp_path):
    found = run(
        tmp_path,
        {
            "main.tf": """
            data "aws_iam_policy_document" "trust" {
              statement {
                actions = ["sts:AssumeRole"]
                principals {
                  type        = "AWS"
                  identifiers = ["arn:aws:iam::777788889999:root"]
                }
              }
            }
            """
        },
    )
    assert found == [("IAM029", "data.aws_iam_policy_document.trust", 2, 8)]


def test_finding_through_a_source_document_points_into_that_data_source(tmp_path):
    found = run(
        tmp_path,
        {
            "main.tf": """
            data "aws_iam_policy_document" "base" {
              statement {
                sid       = "Terminate"
                actions   = ["ec2:TerminateInstances"]
                resources = ["*"]
              }
            }

            data "aws_iam_policy_document" "merged" {
              source_policy_documents = [data.aws_iam_policy_document.base.json]
              statement {
                sid       = "Read"
                actions   = ["s3:GetObject"]
                resources = ["arn:aws:s3:::b/*"]
              }
            }

            resource "aws_iam_policy" "p" {
              name   = "p"
              policy = data.aws_iam_policy_document.merged.json
            }
            """
        },
    )
    assert found == [("IAM023", "aws_iam_policy.p", 2, 6)]


# --- precedence and Deny ------------------------------------------------------------------


def test_service_wildcard_on_star_is_one_iam022_finding(tmp_path):
    found = run(
        tmp_path,
        {
            "main.tf": policy(
                "p", 'Statement = { Effect = "Allow", Action = "s3:*", Resource = "*" }'
            )
        },
    )
    assert found == [("IAM022", "aws_iam_policy.p", 5, 5)]


def test_iam_wildcard_is_a_wildcard_an_escalation_and_pass_role_but_not_iam023(tmp_path):
    found = run(
        tmp_path,
        {
            "main.tf": policy(
                "p", 'Statement = { Effect = "Allow", Action = "iam:*", Resource = "*" }'
            )
        },
    )
    assert found == [
        ("IAM022", "aws_iam_policy.p", 5, 5),
        ("IAM024", "aws_iam_policy.p", 5, 5),
        ("IAM026", "aws_iam_policy.p", 5, 5),
    ]


def test_admin_statement_is_only_iam020_and_a_full_deny_cancels_it(tmp_path):
    found = run(
        tmp_path,
        {
            "admin.tf": policy(
                "admin", 'Statement = { Effect = "Allow", Action = "*", Resource = "*" }'
            ),
            "cancelled.tf": policy(
                "cancelled",
                """
                Statement = [
                  { Effect = "Allow", Action = "*", Resource = "*" },
                  { Effect = "Deny", Action = "*", Resource = "*" },
                ]
                """,
            ),
        },
    )
    assert found == [("IAM020", "aws_iam_policy.admin", 5, 5)]


def test_partial_deny_leaves_the_wildcard_reported(tmp_path):
    found = run(
        tmp_path,
        {
            "main.tf": policy(
                "p",
                """
                Statement = [
                  { Effect = "Allow", Action = "s3:*", Resource = "*" },
                  {
                    Effect = "Deny", Action = "s3:*", Resource = "*",
                    Condition = { Bool = { "aws:SecureTransport" = "false" } }
                  },
                  { Effect = "Deny", Action = "s3:Delete*", Resource = "*" },
                ]
                """,
            )
        },
    )
    assert found == [("IAM022", "aws_iam_policy.p", 6, 6)]


def test_allow_not_action_is_iam025_plus_the_escalations_it_grants(tmp_path):
    found = run(
        tmp_path,
        {
            "main.tf": policy(
                "p", 'Statement = { Effect = "Allow", NotAction = ["iam:*"], Resource = "*" }'
            )
        },
    )
    assert found == [("IAM024", "aws_iam_policy.p", 5, 5), ("IAM025", "aws_iam_policy.p", 5, 5)]


def test_actions_that_only_accept_star_pass(tmp_path):
    found = run(
        tmp_path,
        {
            "main.tf": policy(
                "p",
                """
                Statement = {
                  Effect   = "Allow"
                  Action = [
                    "s3:ListAllMyBuckets", "logs:CreateLogDelivery", "cloudwatch:PutMetricData"
                  ]
                  Resource = "*"
                }
                """,
            )
        },
    )
    assert found == []


# --- conditions ---------------------------------------------------------------------------


def test_condition_on_a_referenced_arn_restricts_even_under_like_operators(tmp_path):
    found = run(
        tmp_path,
        {
            "t.yaml": """
            AWSTemplateFormatVersion: "2010-09-09"
            Resources:
              Topic:
                Type: AWS::SNS::Topic
              Publish:
                Type: AWS::IAM::ManagedPolicy
                Properties:
                  PolicyDocument:
                    Version: "2012-10-17"
                    Statement:
                      - Effect: Allow
                        Action: sns:Publish
                        Resource: "*"
                        Condition:
                          ArnLike:
                            aws:SourceArn: !Ref Topic
                      - Effect: Allow
                        Action: sqs:SendMessage
                        Resource: "*"
                        Condition:
                          StringLike:
                            aws:SourceAccount: !Ref AWS::AccountId
            """
        },
    )
    result = scan([tmp_path], ScanOptions(checks=LEAST_PRIVILEGE))
    assert (found, result.unresolved) == ([], [])


def test_trust_conditions_org_id_restricts_secure_transport_and_if_exists_do_not(tmp_path):
    def role(name: str, condition: str) -> str:
        return f"""
        resource "aws_iam_role" "{name}" {{
          name = "{name}"
          assume_role_policy = jsonencode({{
            Version = "2012-10-17"
            Statement = [{{
              Effect    = "Allow"
              Action    = "sts:AssumeRole"
              Principal = {{ AWS = "*" }}
              Condition = {condition}
            }}]
          }})
        }}
        """

    found = run(
        tmp_path,
        {
            "org.tf": role("org", '{ StringEquals = { "aws:PrincipalOrgID" = "o-abc" } }'),
            "tls.tf": role("tls", '{ Bool = { "aws:SecureTransport" = "true" } }'),
            "ifexists.tf": role(
                "ifexists", '{ StringEqualsIfExists = { "aws:PrincipalOrgID" = "o-abc" } }'
            ),
        },
    )
    assert found == [
        ("IAM028", "aws_iam_role.ifexists", 5, 10),
        ("IAM028", "aws_iam_role.tls", 5, 10),
    ]


def test_iam030_accepts_for_all_values_on_the_audience(tmp_path: Path) -> None:
    """GitHub tokens always carry ``aud``: ForAllValues:StringEquals limits it like
    StringEquals (the shape of a widely used public module)."""
    (tmp_path / "main.tf").write_text(
        """data "aws_iam_policy_document" "t" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = ["arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"]
    }
    condition {
      test     = "ForAllValues:StringEquals"
      variable = "token.actions.githubusercontent.com:aud"
      values   = ["sts.amazonaws.com"]
    }
    condition {
      test     = "StringLike"
      variable = "token.actions.githubusercontent.com:sub"
      values   = ["repo:org/repo:ref:refs/heads/main"]
    }
  }
}
resource "aws_iam_role" "r" {
  name               = "r"
  assume_role_policy = data.aws_iam_policy_document.t.json
}
""",
        encoding="utf-8",
    )
    result = scan([tmp_path], ScanOptions(checks=["IAM030"], use_cache=False))
    assert result.findings == [] and result.unresolved == []
