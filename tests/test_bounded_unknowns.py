"""Unknown in value, known in shape: what a template alone says about a value the cloud fills.

A Ref/GetAtt of a resource the template defines is a name, id or ARN: never ``*``. A parameter
bounded by its Type, AllowedValues or AllowedPattern cannot be what they exclude. Checks that
only ask "could this be ``*``?" are decided, not left unresolved; everything else stays unknown.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from iac_iam_checks.engine import ScanOptions, scan
from iac_iam_checks.iam.evaluation import Undecided, is_star
from iac_iam_checks.model.values import Template, Unknown
from iac_iam_checks.report import render

ROLE = """\
Parameters:
{parameters}
Resources:
  Cart:
    Type: AWS::DynamoDB::Table
    Properties:
      KeySchema: [{{AttributeName: id, KeyType: HASH}}]
  Hook:
    Type: Custom::Lookup
    Properties:
      ServiceToken: arn:aws:lambda:eu-west-1:111122223333:function:lookup
  Setting:
    Type: AWS::SSM::Parameter
    Properties: {{Type: String, Value: x}}
  Writer:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {{Service: lambda.amazonaws.com}}
            Action: sts:AssumeRole
      Policies:
        - PolicyName: write
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: dynamodb:PutItem
                Resource: {resource}
"""
NO_PARAMETERS = "  Unused: {Type: String, Default: x}"


def outcome(tmp_path: Path, text: str, checks: list[str]) -> tuple[list, list]:
    (tmp_path / "t.yaml").write_text(text, encoding="utf-8")
    result = scan([tmp_path], ScanOptions(checks=checks, use_cache=False))
    assert result.errors == []
    return (
        [(f.check_id, f.resource, f.line) for f in result.findings],
        [(u.check_ids, u.resource, u.line, u.value) for u in result.unresolved],
    )


@pytest.mark.parametrize(
    "resource",
    [
        "!GetAtt Cart.Arn",
        "!Ref Cart",
        '!Sub "${Cart.Arn}/index/*"',
        '!Sub ["${TableArn}*", {TableArn: !GetAtt Cart.Arn}]',
    ],
)
def test_a_reference_to_a_template_resource_is_not_all_resources(tmp_path, resource):
    text = ROLE.format(parameters=NO_PARAMETERS, resource=resource)
    assert outcome(tmp_path, text, ["IAM023"]) == ([], [])


@pytest.mark.parametrize(
    ("resource", "value"),
    [
        # A custom resource's data and id are whatever its function returns, "*" included.
        ("!GetAtt Hook.Target", "Hook.Target"),
        ("!Ref Hook", "Ref Hook"),
        # A parameter's value is not a name.
        ("!GetAtt Setting.Value", "Setting.Value"),
    ],
)
def test_a_reference_that_could_hold_anything_stays_unresolved(tmp_path, resource, value):
    text = ROLE.format(parameters=NO_PARAMETERS, resource=resource)
    assert outcome(tmp_path, text, ["IAM023"]) == ([], [(["IAM023"], "Writer", 27, value)])


def test_a_deny_on_a_template_resource_cannot_cancel_an_allow_on_everything(tmp_path):
    """Decided the other way too: the Deny names one table, so the Allow on * stands."""
    text = ROLE.format(parameters=NO_PARAMETERS, resource='"*"') + (
        "              - Effect: Deny\n"
        "                Action: dynamodb:PutItem\n"
        "                Resource: !GetAtt Cart.Arn\n"
    )
    assert outcome(tmp_path, text, ["IAM023"]) == ([("IAM023", "Writer", 27)], [])


KMS_ARN = r"^arn:aws:kms:[a-z0-9-]+:\d{12}:key/[a-f0-9-]{36}$"


@pytest.mark.parametrize(
    "parameter",
    [
        f"AllowedPattern: '{KMS_ARN}'",
        # CloudFormation matches the whole value: an unanchored pattern still excludes "*".
        "AllowedPattern: 'arn:aws:dynamodb:.+'",
        "AllowedValues: [arn:aws:dynamodb:eu-west-1:111122223333:table/a, table/b]",
        "AllowedValues: ['*', table/b]\n    AllowedPattern: 'table/.*'",
        "Type: AWS::EC2::VPC::Id",
        "Type: Number",
        # CloudFormation checks the length too: twelve characters are never "*".
        "MinLength: 12",
        "MinLength: '2'\n    AllowedPattern: '[*a-z:]+'",
    ],
)
def test_a_parameter_whose_constraints_exclude_a_star_is_not_all_resources(tmp_path, parameter):
    kind = "" if "Type:" in parameter else "Type: String\n    "
    text = ROLE.format(parameters=f"  Target:\n    {kind}{parameter}", resource="!Ref Target")
    assert outcome(tmp_path, text, ["IAM023"]) == ([], [])


@pytest.mark.parametrize(
    ("parameter", "resource"),
    [
        ("Type: String\n    AllowedPattern: '.*'", "!Ref Target"),
        ("Type: String\n    AllowedValues: ['*', table/b]", "!Ref Target"),
        # The empty string is allowed, and "${Target}*" is then "*".
        (f"Type: String\n    AllowedPattern: '^$|{KMS_ARN}'", '!Sub "${Target}*"'),
        # The value is whatever the parameter store holds; its Default is only its name.
        ("Type: AWS::SSM::Parameter::Value<String>\n    Default: /app/table", "!Ref Target"),
        # A pattern Python cannot read bounds nothing.
        ("Type: String\n    AllowedPattern: 'arn:\\p{Alpha}+'", "!Ref Target"),
        ("Type: String\n    MaxLength: 12", "!Ref Target"),
    ],
)
def test_a_parameter_that_may_be_a_star_stays_unresolved(tmp_path, parameter, resource):
    text = ROLE.format(parameters=f"  Target:\n    {parameter}", resource=resource)
    assert outcome(tmp_path, text, ["IAM023"]) == (
        [],
        [(["IAM023"], "Writer", 29, "Ref Target")],
    )


LIKE_CONDITION = """\
Parameters:
  Auditor:
    Type: String
{constraint}
Resources:
  Decrypt:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Statement:
          - Effect: Allow
            Action: kms:Encrypt
            Resource: "*"
            Condition:
              StringLike:
                aws:PrincipalAccount: !Ref Auditor
"""


@pytest.mark.parametrize(
    "constraint",
    [
        r"    AllowedPattern: '^\d{12}$'",
        r"    AllowedPattern: '[\w.-/]+'",  # "." to "/" is a range: no "*" in it
        "    AllowedValues: ['111122223333', '444455556666']",
    ],
)
def test_a_like_condition_on_a_parameter_that_is_never_a_star_restricts(tmp_path, constraint):
    """``StringLike`` reads ``*`` as any value; a parameter whose constraints exclude every
    string of stars narrows the statement like a literal account."""
    text = LIKE_CONDITION.format(constraint=constraint)
    assert outcome(tmp_path, text, ["IAM023"]) == ([], [])


@pytest.mark.parametrize(
    "constraint",
    [
        r"    AllowedPattern: '^(\d{12}|\*)$'",
        "    AllowedPattern: '.{3,}'",  # no "*" or "**", but "***"
    ],
)
def test_a_like_condition_on_a_parameter_that_may_be_stars_stays_unresolved(tmp_path, constraint):
    text = LIKE_CONDITION.format(constraint=constraint)
    assert outcome(tmp_path, text, ["IAM023"]) == (
        [],
        [(["IAM023"], "Decrypt", 11, "Ref Auditor")],
    )


POOL_TRUST = """\
Resources:
  Pool:
    Type: AWS::Cognito::IdentityPool
    Properties:
      AllowUnauthenticatedIdentities: true
  Guest:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {Federated: cognito-identity.amazonaws.com}
            Action: sts:AssumeRoleWithWebIdentity
            Condition:
              StringEquals:
                cognito-identity.amazonaws.com:aud: AUDIENCE
"""


def test_an_identity_pool_of_the_template_limits_the_audience(tmp_path):
    text = POOL_TRUST.replace("AUDIENCE", "!Ref Pool")
    assert outcome(tmp_path, text, ["IAM030"]) == ([], [])


def test_an_audience_from_a_parameter_stays_unresolved(tmp_path):
    text = "Parameters:\n  PoolId: {Type: String}\n" + POOL_TRUST.replace("AUDIENCE", "!Ref PoolId")
    assert outcome(tmp_path, text, ["IAM030"]) == (
        [],
        [(["IAM030"], "Guest", 13, "Ref PoolId")],
    )


def test_a_known_empty_document_is_iam027_and_nothing_unresolved(tmp_path):
    empty = {"Type": "AWS::IAM::ManagedPolicy", "Properties": {"PolicyDocument": {}}}
    text = json.dumps({"Resources": {"Empty": empty}}, indent=1)
    (tmp_path / "t.json").write_text(text, encoding="utf-8")
    result = scan([tmp_path], ScanOptions(use_cache=False))
    assert [(f.check_id, f.resource, f.line) for f in result.findings] == [("IAM027", "Empty", 6)]
    assert result.unresolved == []


# --- the evaluator's side ------------------------------------------------------------------


def test_could_be_honours_never_wildcard_and_pattern():
    name = Unknown("Cart.Arn", never_wildcard=True)
    assert [name.could_be(t) for t in ("*", "", "a?", "arn:aws:x")] == [False, False, False, True]
    bounded = Unknown("Ref P", pattern=r"^$|^arn:.+$")
    assert [bounded.could_be(t) for t in ("*", "", "arn:x")] == [False, True, True]


def test_is_star_of_templates_with_bounded_holes():
    name = Unknown("Cart.Arn", never_wildcard=True)
    maybe_empty = Unknown("Ref P", pattern="^$|^arn:.+$")
    assert is_star(Template((name, "*"))) is False
    assert isinstance(is_star(Template((maybe_empty, "*"))), Undecided)
    assert is_star(name) is False
    assert isinstance(is_star(Unknown("Ref Q")), Undecided)


# --- which root ------------------------------------------------------------------------------

MODULE = """\
resource "aws_iam_policy" "p" {
  name   = "p"
  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "s3:*", Resource = "*" }] })
}
"""


def two_roots(tmp_path: Path) -> Path:
    call = 'module "app" {\n  source = "../shared"\n}\n'
    files = {"shared/main.tf": MODULE, "dev/main.tf": call, "prod/main.tf": call}
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return tmp_path


def test_json_names_the_root_of_each_finding(tmp_path):
    result = scan([two_roots(tmp_path)], ScanOptions(checks=["IAM022"], use_cache=False))
    data = json.loads(render(result, "json", {}))
    assert [
        (f["check_id"], f["resource"], f["file"], f["line"], f["root"]) for f in data["findings"]
    ] == [
        ("IAM022", "module.app.aws_iam_policy.p", "shared/main.tf", 3, "dev"),
        ("IAM022", "module.app.aws_iam_policy.p", "shared/main.tf", 3, "prod"),
    ]
    assert render(result, "json", {}) == render(result, "json", {})


def test_sarif_names_the_root_when_several_roots_share_the_file(tmp_path):
    result = scan([two_roots(tmp_path)], ScanOptions(checks=["IAM022"], use_cache=False))
    [run] = json.loads(render(result, "sarif", {}))["runs"]
    assert [r["message"]["text"].split(":")[0] for r in run["results"]] == [
        "module.app.aws_iam_policy.p (root dev)",
        "module.app.aws_iam_policy.p (root prod)",
    ]
    assert [r["properties"]["root"] for r in run["results"]] == ["dev", "prod"]
