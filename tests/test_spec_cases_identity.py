"""Spec cases for IAM001-IAM014 that once disagreed with the spec, as small repositories."""

from __future__ import annotations

from pathlib import Path

from iac_iam_checks.engine import ScanOptions, scan

TRUST = (
    'jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", '
    'Action = "sts:AssumeRole", Principal = { Service = "ec2.amazonaws.com" } }] })'
)
READ = (
    'jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", '
    'Action = "s3:GetObject", Resource = "*" }] })'
)


def found(tmp_path: Path, files: dict[str, str], check_id: str) -> list[tuple[str, str, int]]:
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    result = scan([tmp_path], ScanOptions(checks=[check_id]))
    assert result.errors == []
    return [(f.check_id, f.resource, f.line) for f in result.findings]


def user_with_policy(policy: str) -> dict[str, str]:
    return {
        "main.tf": f"""
resource "aws_iam_user" "u" {{
  name = "u"
}}
resource "aws_iam_user_login_profile" "u" {{
  user = aws_iam_user.u.name
}}
resource "aws_iam_user_policy" "u" {{
  user   = aws_iam_user.u.name
  policy = <<-EOT
{policy}
  EOT
}}
"""
    }


def test_iam003_aws_tutorial_deny_exempting_read_only_self_service_enforces_mfa(
    tmp_path: Path,
) -> None:
    policy = """{"Version": "2012-10-17", "Statement": [{
  "Effect": "Deny",
  "NotAction": ["iam:CreateVirtualMFADevice", "iam:EnableMFADevice", "iam:ListMFADevices",
    "iam:ListUsers", "iam:ListAccountAliases", "iam:ListAccessKeys", "iam:ListSSHPublicKeys",
    "iam:ListServiceSpecificCredentials", "iam:GetAccountSummary", "sts:GetSessionToken"],
  "Resource": "*",
  "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false",
                                 "aws:ViaAWSService": "false"}}}]}"""
    assert found(tmp_path, user_with_policy(policy), "IAM003") == []


def test_iam003_allow_needing_mfa_and_another_condition_still_enforces(tmp_path: Path) -> None:
    policy = """{"Version": "2012-10-17", "Statement": [{
  "Effect": "Allow", "Action": "s3:*", "Resource": "*",
  "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"},
                "IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}]}"""
    assert found(tmp_path, user_with_policy(policy), "IAM003") == []


def test_iam003_console_user_names_the_unresolved_policy_arn(tmp_path: Path) -> None:
    (tmp_path / "template.yaml").write_text(
        """AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Alice:
    Type: AWS::IAM::User
    Properties:
      LoginProfile:
        Password: "{{resolve:secretsmanager:pw}}"
      ManagedPolicyArns:
        - !Sub "arn:aws:iam::${AWS::AccountId}:policy/ForceMFA"
"""
    )
    result = scan([tmp_path], ScanOptions(checks=["IAM003"]))
    assert [(f.resource, f.line, f.message) for f in result.findings] == [
        (
            "Alice",
            3,
            "IAM user 'Alice' has a login profile but no policy known to reach it enforces MFA "
            "(not resolved: policy arn:aws:iam::${AWS::AccountId}:policy/ForceMFA)",
        )
    ]


def test_iam008_conditional_login_profile_is_one_finding(tmp_path: Path) -> None:
    template = """AWSTemplateFormatVersion: "2010-09-09"
Conditions:
  Console: !Equals [!Ref "AWS::Region", us-east-1]
Resources:
  Alice:
    Type: AWS::IAM::User
    Properties:
      LoginProfile: !If
        - Console
        - Password: "{{resolve:secretsmanager:pw}}"
        - !Ref AWS::NoValue
"""
    assert found(tmp_path, {"template.yaml": template}, "IAM008") == [("IAM008", "Alice", 8)]


def test_iam012_key_id_and_secret_in_one_block_are_one_finding(tmp_path: Path) -> None:
    provider = """provider "aws" {
  access_key = "AKIA81U33XTPLPFT75V2"
  secret_key = "PtYgjmUhBel31iEl2hpChYgCfrL1spNxnyVmihA+"
}
"""
    assert found(tmp_path, {"main.tf": provider}, "IAM012") == [("IAM012", "provider.aws", 2)]


def test_iam012_any_literal_secret_key_is_reported_but_not_its_description(
    tmp_path: Path,
) -> None:
    text = """provider "aws" {
  region     = "eu-west-1"
  secret_key = "my-team-secret-2024"
}
variable "secret_key" {
  description = "The AWS secret key for CI"
  type        = string
  default     = ""
}
"""
    assert found(tmp_path, {"main.tf": text}, "IAM012") == [("IAM012", "provider.aws", 3)]


def test_iam002_cfn_user_with_managed_and_inline_policies_is_one_finding(tmp_path: Path) -> None:
    template = """AWSTemplateFormatVersion: "2010-09-09"
Conditions:
  Prod: !Equals [!Ref "AWS::Region", us-east-1]
Resources:
  Bob:
    Type: AWS::IAM::User
    Properties:
      ManagedPolicyArns: !If [Prod, [arn:aws:iam::aws:policy/ReadOnlyAccess], !Ref AWS::NoValue]
      Policies:
        - PolicyName: read
          PolicyDocument:
            Statement:
              - {Effect: Allow, Action: s3:GetObject, Resource: "*"}
"""
    assert found(tmp_path, {"template.yaml": template}, "IAM002") == [("IAM002", "Bob", 8)]


def test_iam001_principal_with_several_inline_policies_is_one_finding(tmp_path: Path) -> None:
    text = f"""resource "aws_iam_role" "app" {{
  name               = "app"
  assume_role_policy = {TRUST}
  inline_policy {{
    name   = "a"
    policy = {READ}
  }}
  inline_policy {{
    name   = "b"
    policy = {READ}
  }}
}}
"""
    assert found(tmp_path, {"main.tf": text}, "IAM001") == [("IAM001", "aws_iam_role.app", 4)]


def test_looked_up_users_profiles_and_compute_are_not_reported_keys_are(tmp_path: Path) -> None:
    text = """data "aws_iam_user" "existing" {
  user_name = "existing"
}
resource "aws_iam_access_key" "a" {
  user    = data.aws_iam_user.existing.user_name
  pgp_key = "keybase:ops"
}
resource "aws_iam_access_key" "b" {
  user    = data.aws_iam_user.existing.user_name
  pgp_key = "keybase:ops"
}
data "aws_iam_instance_profile" "shared" {
  name = "shared"
}
data "aws_instance" "legacy" {
  instance_id = "i-0123456789abcdef0"
}
"""
    files = {"main.tf": text}
    assert found(tmp_path, files, "IAM014") == [("IAM014", "aws_iam_access_key.a", 4)]
    for check_id in ("IAM003", "IAM009", "IAM010", "IAM013"):
        assert found(tmp_path, files, check_id) == []


def test_iam009_instance_from_a_looked_up_template_is_unresolved(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        """data "aws_launch_template" "shared" {
  name = "shared"
}
resource "aws_instance" "web" {
  launch_template {
    id = data.aws_launch_template.shared.id
  }
}
"""
    )
    result = scan([tmp_path], ScanOptions(checks=["IAM009"]))
    assert result.findings == []
    assert [(u.resource, u.line, u.value) for u in result.unresolved] == [
        ("aws_instance.web", 5, "data.aws_launch_template.shared")
    ]
