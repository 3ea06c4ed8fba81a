"""Suppressions and unresolved entries belong to one template or Terraform root: a resource of
the same address elsewhere in the scan is a different resource."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from iac_iam_checks.cli import main
from iac_iam_checks.engine import ScanOptions, scan
from iac_iam_checks.gate.suppressions import SuppressRule
from iac_iam_checks.model.findings import Suppression

WILDCARD_ROLE = """\
Resources:
  MyRole:
    Type: AWS::IAM::Role
    {marker}
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {{Service: ec2.amazonaws.com}}
            Action: sts:AssumeRole
      Policies:
        - PolicyName: p
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: s3:*
                Resource: arn:aws:s3:::bucket/*
"""
SKIP = "# checkov:skip=IAM022: the bucket is scratch space"


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def outcome(root: Path, checks: list[str]) -> list[tuple]:
    result = scan([root], ScanOptions(checks=checks, use_cache=False))
    assert result.errors == []
    return [(f.file, f.resource, f.line, f.suppressed) for f in result.findings]


@pytest.mark.parametrize("skipped", ["a.yaml", "b.yaml"])
def test_a_cloudformation_skip_suppresses_only_its_own_template(tmp_path, skipped):
    """Either file order: the suppressed template's finding is suppressed, the other's is not."""
    files = {
        name: WILDCARD_ROLE.format(marker=SKIP if name == skipped else "")
        for name in ("a.yaml", "b.yaml")
    }
    write(tmp_path, files)
    reason = Suppression("the bucket is scratch space", "checkov:skip")
    assert outcome(tmp_path, ["IAM022"]) == [
        ("a.yaml", "MyRole", 15, reason if skipped == "a.yaml" else None),
        ("b.yaml", "MyRole", 15, reason if skipped == "b.yaml" else None),
    ]


def test_cloudformation_metadata_suppression_stays_in_its_template(tmp_path):
    metadata = (
        "Metadata:\n      checkov:\n        skip:\n          - id: IAM022\n"
        "            comment: scratch"
    )
    write(
        tmp_path,
        {
            "a.yaml": WILDCARD_ROLE.format(marker=""),
            "b.yaml": WILDCARD_ROLE.format(marker=metadata),
        },
    )
    assert outcome(tmp_path, ["IAM022"]) == [
        ("a.yaml", "MyRole", 15, None),
        ("b.yaml", "MyRole", 19, Suppression("scratch", "metadata")),
    ]


USER = 'resource "aws_iam_user" "u" {{\n  {marker}\n  name = "u"\n}}\n'
IGNORE = "# iac-iam-checks:ignore IAM003 break-glass user, reviewed"


@pytest.mark.parametrize("ignored", ["m1", "m2"])
def test_a_terraform_comment_suppresses_only_its_own_root(tmp_path, ignored):
    write(
        tmp_path,
        {
            f"{root}/main.tf": USER.format(marker=IGNORE if root == ignored else "")
            for root in ("m1", "m2")
        },
    )
    reason = Suppression("break-glass user, reviewed", "comment")
    assert outcome(tmp_path, ["IAM003"]) == [
        ("m1/main.tf", "aws_iam_user.u", 1, reason if ignored == "m1" else None),
        ("m2/main.tf", "aws_iam_user.u", 1, reason if ignored == "m2" else None),
    ]


def test_a_configuration_rule_applies_in_every_root(tmp_path):
    write(
        tmp_path,
        {
            "m1/main.tf": USER.format(marker=""),
            "m2/main.tf": USER.format(marker=""),
        },
    )
    rule = SuppressRule("IAM003", "aws_iam_user.u", "SSO only")
    result = scan(
        [tmp_path], ScanOptions(checks=["IAM003"], use_cache=False, config_suppressions=[rule])
    )
    assert [(f.file, f.suppressed) for f in result.findings] == [
        ("m1/main.tf", Suppression("SSO only", "config")),
        ("m2/main.tf", Suppression("SSO only", "config")),
    ]


SPLIT_TRUST = """\
Parameters:
  Principals:
    Type: String
Resources:
  Deployer:
    Type: AWS::IAM::Role
    {marker}
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal:
              AWS: !Split [",", !Ref Principals]
            Action: sts:AssumeRole
"""


def unresolved(root: Path) -> list[tuple]:
    result = scan([root], ScanOptions(checks=["IAM028", "IAM029"], use_cache=False))
    assert (result.errors, result.findings) == ([], [])
    return [(u.file, u.resource, u.line, u.check_ids, u.value) for u in result.unresolved]


def test_templates_sharing_a_logical_id_keep_an_unresolved_entry_each(tmp_path):
    write(tmp_path, {name: SPLIT_TRUST.format(marker="") for name in ("a.yaml", "b.yaml")})
    value = '!Split [",", !Ref Principals]'
    assert unresolved(tmp_path) == [
        ("a.yaml", "Deployer", 11, ["IAM028", "IAM029"], value),
        ("b.yaml", "Deployer", 11, ["IAM028", "IAM029"], value),
    ]


@pytest.mark.parametrize("skipped", ["a.yaml", "b.yaml"])
def test_a_skip_removes_the_unresolved_entry_of_its_own_template_only(tmp_path, skipped):
    marker = "# checkov:skip=IAM028,IAM029: principals come from the pipeline"
    write(
        tmp_path,
        {
            name: SPLIT_TRUST.format(marker=marker if name == skipped else "")
            for name in ("a.yaml", "b.yaml")
        },
    )
    kept = "b.yaml" if skipped == "a.yaml" else "a.yaml"
    assert unresolved(tmp_path) == [
        (kept, "Deployer", 11, ["IAM028", "IAM029"], '!Split [",", !Ref Principals]')
    ]


MODULE = """\
variable "bucket" {}

resource "aws_iam_policy" "p" {
  policy = jsonencode({
    Statement = [{ Effect = "Allow", Action = "s3:*", Resource = "arn:aws:s3:::${var.bucket}/*" }]
  })
}
"""


def text_report(root: Path) -> list[str]:
    result = CliRunner().invoke(
        main, ["scan", "--no-cache", "--check", "IAM022", "--format", "text", str(root)]
    )
    assert result.exit_code == 1
    return result.output.splitlines()


def test_one_module_line_for_many_instances_is_one_text_line(tmp_path):
    keys = ", ".join(f'"b{i}"' for i in range(6))
    write(
        tmp_path,
        {
            "modules/p/main.tf": MODULE,
            "main.tf": (
                f'module "p" {{\n  source   = "./modules/p"\n  for_each = toset([{keys}])\n'
                "  bucket   = each.key\n}\n"
            ),
        },
    )
    assert text_report(tmp_path) == [
        "modules/p/main.tf",
        '  5  HIGH      IAM022  module.p["b0"].aws_iam_policy.p, module.p["b1"].aws_iam_policy.p'
        " and 4 more: policy of module.p[*].aws_iam_policy.p allows the wildcard action s3:*;"
        " list the actions needed instead",
        "",
        "6 findings (0 CRITICAL, 6 HIGH, 0 MEDIUM, 0 LOW), 0 suppressed, 0 unresolved, 0 errors;"
        " 6 resources in 2 files",
        "gate: FAILED, 6 findings at or above LOW",
    ]


def test_text_names_the_root_of_a_module_that_two_roots_call(tmp_path):
    call = 'module "p" {\n  source = "../modules/p"\n  bucket = "b"\n}\n'
    write(tmp_path, {"modules/p/main.tf": MODULE, "m1/main.tf": call, "m2/main.tf": call})
    assert text_report(tmp_path)[:2] == [
        "modules/p/main.tf",
        "  5  HIGH      IAM022  module.p.aws_iam_policy.p (root m1) and module.p.aws_iam_policy.p"
        " (root m2): policy of module.p.aws_iam_policy.p allows the wildcard action s3:*;"
        " list the actions needed instead",
    ]


def test_junit_keeps_a_case_per_template_for_a_shared_logical_id(tmp_path):
    write(tmp_path, {name: WILDCARD_ROLE.format(marker="") for name in ("a.yaml", "b.yaml")})
    result = CliRunner().invoke(
        main, ["scan", "--no-cache", "--check", "IAM022", "--format", "junit", str(tmp_path)]
    )
    cases = ET.fromstring(result.output).iter("testcase")
    assert [(c.get("name"), c.get("file"), c.get("line")) for c in cases] == [
        ("MyRole (a.yaml)", "a.yaml", "15"),
        ("MyRole (b.yaml)", "b.yaml", "15"),
    ]
