"""CloudFormation spec cases from the second QA round: each once disagreed with the spec (a line
that pointed at the attribute instead of where the ARN or statement is written, an
``unresolved`` note for a principal that can never be ``*``, a manifest taken for a template)."""

from __future__ import annotations

import textwrap
from pathlib import Path

from iac_iam_checks.engine import ScanOptions, scan
from iac_iam_checks.engine.discover import CLOUDFORMATION, kind_by_content


def run(tmp_path: Path, text: str, name: str = "template.yaml"):
    (tmp_path / name).write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return scan([tmp_path], ScanOptions())


def findings(result, check_id: str) -> list[tuple[str, int]]:
    return [(f.resource, f.line) for f in result.findings if f.check_id == check_id]


TEMPLATE_HEAD = """
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  ExtraPolicyArn:
    Type: String
    Default: arn:aws:iam::aws:policy/AdministratorAccess
Mappings:
  Policies:
    admin: {Arn: arn:aws:iam::aws:policy/IAMFullAccess}
Resources:
"""


def role(name: str, arns: str) -> str:
    """A role whose ``ManagedPolicyArns`` items start on the role's 4th line."""
    return f"""
  {name}:
    Type: AWS::IAM::Role
    Properties:
      ManagedPolicyArns:
{textwrap.indent(textwrap.dedent(arns).strip(), "        ")}
"""


def test_managed_policy_arns_built_by_functions_are_reported_on_their_own_lines(tmp_path):
    text = (
        TEMPLATE_HEAD
        + role(
            "Built",
            """
            - !Sub arn:${AWS::Partition}:iam::aws:policy/PowerUserAccess
            - !Join ["", ["arn:", !Ref "AWS::Partition", ":iam::aws:policy/AdministratorAccess"]]
            - !FindInMap [Policies, admin, Arn]
            - Fn::Sub: arn:aws:iam::aws:policy/AWSCloudShellFullAccess
            """,
        )
        + role("FromParameter", "- arn:aws:iam::aws:policy/ReadOnlyAccess\n- !Ref ExtraPolicyArn")
        + role("SubList", "- !Sub\n  - arn:${P}:iam::aws:policy/AdministratorAccess\n  - P: x")
    )
    result = run(tmp_path, text)
    assert findings(result, "IAM021") == [
        ("Built", 15),
        ("Built", 16),
        ("Built", 17),
        ("Built", 18),
        ("FromParameter", 25),
        ("SubList", 32),
    ]


def test_sub_policy_json_with_holes_keeps_statement_lines(tmp_path):
    result = run(
        tmp_path,
        """
        AWSTemplateFormatVersion: "2010-09-09"
        Resources:
          SubJson:
            Type: AWS::IAM::ManagedPolicy
            Properties:
              PolicyDocument: !Sub |
                {
                  "Version": "2012-10-17",
                  "Statement": [
                    {"Effect": "Allow", "Action": "s3:GetObject",
                     "Resource": "arn:aws:s3:::${AWS::AccountId}-data/*"},
                    {
                      "Effect": "Allow",
                      "Action": "iam:PassRole",
                      "Resource": "*"
                    }
                  ]
                }
        """,
    )
    assert [(f.check_id, f.line, f.end_line) for f in result.findings] == [("IAM026", 12, 16)]


def test_trusting_a_role_of_the_stack_or_the_own_account_is_not_unresolved(tmp_path):
    result = run(
        tmp_path,
        """
        AWSTemplateFormatVersion: "2010-09-09"
        Resources:
          Caller:
            Type: AWS::IAM::Role
            Properties:
              AssumeRolePolicyDocument:
                Statement:
                  - Effect: Allow
                    Principal: {Service: ec2.amazonaws.com}
                    Action: sts:AssumeRole
          Callee:
            Type: AWS::IAM::Role
            Properties:
              AssumeRolePolicyDocument:
                Statement:
                  - Effect: Allow
                    Principal: {AWS: !GetAtt Caller.Arn}
                    Action: sts:AssumeRole
                  - Effect: Allow
                    Principal: {AWS: !Ref AWS::AccountId}
                    Action: sts:AssumeRole
        """,
    )
    assert (result.findings, result.unresolved) == ([], [])


def test_a_manifest_embedding_a_template_is_not_a_template(tmp_path):
    result = run(
        tmp_path,
        """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: stack
        data:
          template: |
            AWSTemplateFormatVersion: "2010-09-09"
            Resources:
              Bucket:
                Type: AWS::S3::Bucket
        ---
        apiVersion: v1
        kind: Service
        metadata:
          name: api
        """,
    )
    assert (result.errors, result.findings) == ([], [])


def test_only_a_top_level_or_quoted_resources_key_marks_a_template():
    resources = "Resources:\n  A:\n    Type: AWS::IAM::User\n"
    assert kind_by_content("t.yaml", resources) == CLOUDFORMATION
    assert kind_by_content("t.yaml", "\ufeff" + resources) == CLOUDFORMATION
    assert kind_by_content("t.json", '{\n  "Resources": {"A": {"Type": "AWS::IAM::User"}}}') == (
        CLOUDFORMATION
    )
    assert kind_by_content("w.yml", "steps:\n  - run: |\n    " + resources) is None
