"""Inline comment, CloudFormation Metadata and configuration suppressions."""

from __future__ import annotations

import datetime

from iac_iam_checks.gate.suppressions import (
    SuppressRule,
    config_suppression,
    inline_suppressions,
    live_rules,
    metadata_suppressions,
)
from iac_iam_checks.model.findings import Suppression

KNOWN = {"IAM001", "IAM002", "IAM020"}


def inline(text: str, start: int, end: int):
    return inline_suppressions(text, start, end, KNOWN, file="main.tf")


TERRAFORM = """\
resource "aws_iam_user" "other" {
  name = "other"
}

# Reviewed by security.
# iac-iam-checks:ignore IAM001 legacy app, removed in Q3
resource "aws_iam_user_policy" "legacy" { // iac-iam-checks:ignore IAM002: attached on purpose
  user   = aws_iam_user.other.name
  /* iac-iam-checks:ignore IAM020 break-glass policy */
  policy = "{}"
}
"""


def test_comment_above_on_first_line_and_inside_block():
    found, warnings = inline(TERRAFORM, 7, 11)
    assert found == {
        "IAM001": Suppression("legacy app, removed in Q3", "comment"),
        "IAM002": Suppression("attached on purpose", "comment"),
        "IAM020": Suppression("break-glass policy", "comment"),
    }
    assert warnings == []


def test_comment_block_above_stops_at_code_and_blank_lines():
    text = '# iac-iam-checks:ignore IAM001 far away\n\nresource "a" "b" {\n}\n'
    assert inline_suppressions(text, 3, 4, KNOWN) == ({}, [])
    text = 'resource "x" "y" {}\n# iac-iam-checks:ignore IAM001 for z only\nresource "a" "z" {\n}\n'
    assert inline_suppressions(text, 1, 1, KNOWN) == ({}, [])
    assert inline_suppressions(text, 3, 4, KNOWN)[0] == {
        "IAM001": Suppression("for z only", "comment")
    }


def test_ignore_without_reason_is_ignored_with_a_warning():
    text = 'resource "a" "b" {\n  # iac-iam-checks:ignore IAM001\n}\n'
    assert inline(text, 1, 3) == (
        {},
        [
            "main.tf:2: iac-iam-checks:ignore IAM001 gives no reason; it is ignored "
            "(a reason is required)"
        ],
    )


def test_ignore_with_unknown_id_or_no_id_is_ignored_with_a_warning():
    text = (
        'resource "a" "b" {\n'
        "  # iac-iam-checks:ignore IAM999 typo in the id\n"
        "  # iac-iam-checks:ignore because I said so\n"
        "  # iac-iam-checks:ignore IAM001,IAM998 both named\n"
        "}\n"
    )
    found, warnings = inline(text, 1, 5)
    assert found == {"IAM001": Suppression("both named", "comment")}
    assert warnings == [
        "main.tf:2: iac-iam-checks:ignore names unknown check id 'IAM999'; it is ignored",
        "main.tf:3: iac-iam-checks:ignore names no check id; it is ignored",
        "main.tf:4: iac-iam-checks:ignore names unknown check id 'IAM998'; it is ignored",
    ]


def test_checkov_skip_inside_the_block_reason_optional_foreign_ids_passed_over():
    text = (
        "# checkov:skip=IAM020:above the block does not count for checkov\n"
        'resource "aws_iam_policy" "p" {\n'
        "  # checkov:skip=IAM001,CKV_AWS_40:managed elsewhere\n"
        "  # checkov:skip=IAM002\n"
        "}\n"
    )
    assert inline(text, 2, 5) == (
        {
            "IAM001": Suppression("managed elsewhere", "checkov:skip"),
            "IAM002": Suppression("", "checkov:skip"),
        },
        [],
    )


def test_our_marker_wins_over_checkov_skip_for_the_same_id():
    text = 'resource "a" "b" {\n  # checkov:skip=IAM001\n  # iac-iam-checks:ignore IAM001 why\n}\n'
    assert inline(text, 1, 4)[0] == {"IAM001": Suppression("why", "comment")}


def test_yaml_comments_on_a_cloudformation_resource():
    template = (
        "Resources:\n"
        "  # iac-iam-checks:ignore IAM001 CDK-style inline policy, tracked in JIRA-1\n"
        "  Policy:\n"
        "    Type: AWS::IAM::Policy  # iac-iam-checks:ignore IAM002 service user\n"
        "    Properties: {}\n"
    )
    assert inline(template, 3, 5) == (
        {
            "IAM001": Suppression("CDK-style inline policy, tracked in JIRA-1", "comment"),
            "IAM002": Suppression("service user", "comment"),
        },
        [],
    )


def test_multi_line_block_comment_directly_above():
    text = '/*\n * iac-iam-checks:ignore IAM020 approved by CISO\n */\nresource "a" "b" {\n}\n'
    assert inline(text, 4, 5)[0] == {"IAM020": Suppression("approved by CISO", "comment")}


def test_policy_arn_with_slash_star_is_not_a_comment():
    text = 'locals {\n  arn = "arn:aws:s3:::bucket/*"\n}\nresource "a" "b" {\n}\n'
    assert inline(text, 4, 5) == ({}, [])


# --- CloudFormation Metadata -----------------------------------------------------------------


def test_metadata_ignore_and_checkov_skip():
    metadata = {
        "iac-iam-checks": {"ignore": [{"id": "IAM001", "reason": "bootstrap role"}]},
        "checkov": {
            "skip": [
                {"id": "IAM002", "comment": "owner: team-a"},
                {"id": "CKV_AWS_111"},
                {"id": "IAM020"},
            ]
        },
    }
    assert metadata_suppressions(metadata, KNOWN, where="t.yaml: Role") == (
        {
            "IAM001": Suppression("bootstrap role", "metadata"),
            "IAM002": Suppression("owner: team-a", "metadata"),
            "IAM020": Suppression("", "metadata"),
        },
        [],
    )


def test_metadata_ignore_needs_a_reason_and_a_known_id():
    metadata = {"iac-iam-checks": {"ignore": [{"id": "IAM001"}, {"id": "IAM404", "reason": "x"}]}}
    assert metadata_suppressions(metadata, KNOWN, where="t.yaml: Role") == (
        {},
        [
            "t.yaml: Role: Metadata iac-iam-checks IAM001 gives no reason; it is ignored "
            "(a reason is required)",
            "t.yaml: Role: Metadata iac-iam-checks names unknown check id 'IAM404'; it is ignored",
        ],
    )


def test_malformed_or_missing_metadata():
    assert metadata_suppressions(None, KNOWN) == ({}, [])
    assert metadata_suppressions({"aws:cdk:path": "Stack/Role"}, KNOWN) == ({}, [])
    assert metadata_suppressions({"iac-iam-checks": {"ignore": "IAM001"}}, KNOWN) == (
        {},
        ["Metadata: expected a list of mappings under 'ignore'; ignored"],
    )


# --- configuration rules ---------------------------------------------------------------------


def test_config_rule_globs_match_addresses_with_literal_brackets():
    rules = [
        SuppressRule("IAM020", "module.breakglass.*", "break-glass"),
        SuppressRule("IAM001", 'aws_iam_user_policy.x["alice"]', "alice only"),
        SuppressRule("IAM002", "aws_iam_user.svc", "all instances"),
    ]
    assert config_suppression(rules, "IAM020", "module.breakglass.aws_iam_policy.admin") == (
        Suppression("break-glass", "config")
    )
    assert config_suppression(rules, "IAM020", "aws_iam_policy.admin") is None
    assert config_suppression(rules, "IAM001", 'aws_iam_user_policy.x["alice"]') == (
        Suppression("alice only", "config")
    )
    assert config_suppression(rules, "IAM001", 'aws_iam_user_policy.x["bob"]') is None
    assert config_suppression(rules, "IAM001", "aws_iam_user_policy.xa") is None
    assert config_suppression(rules, "IAM002", 'aws_iam_user.svc["k"]') == (
        Suppression("all instances", "config")
    )
    assert config_suppression(rules, "IAM001", "aws_iam_user.svc") is None


def test_expired_config_rule_stops_applying_and_warns():
    rules = [
        SuppressRule(
            "IAM020",
            "*",
            "until the migration",
            datetime.date(2025, 3, 31),
            origin="pyproject.toml",
        ),
        SuppressRule("IAM001", "*", "forever"),
    ]
    live, warnings = live_rules(rules, today=datetime.date(2025, 3, 31))
    assert (live, warnings) == (rules, [])
    live, warnings = live_rules(rules, today=datetime.date(2025, 4, 1))
    assert live == [rules[1]]
    assert warnings == [
        "pyproject.toml: suppression of IAM020 on '*' expired on 2025-03-31; "
        "its findings are reported again"
    ]
    assert config_suppression(live, "IAM020", "aws_iam_policy.a") is None
