"""The AWS::LanguageExtensions transform (Fn::ForEach, Fn::Length, Fn::ToJsonString,
intrinsics in DeletionPolicy) and resource types the scan does not know: a valid template is
never a failed scan."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from click.testing import CliRunner

from iac_iam_checks.cli import main
from iac_iam_checks.engine import ScanOptions, scan
from iac_iam_checks.frontends.cloudformation import read_template
from iac_iam_checks.model.values import Location, Unknown


def read(text: str, file: str = "t.yaml"):
    return read_template(textwrap.dedent(text), file)


def resources(text: str) -> dict:
    """Non-parameter resources by address, of a template that reads without errors."""
    found = read(text)
    assert (found.errors, found.warnings, found.unresolved_notes) == ([], [], [])
    return {r.address: r for r in found.resources if r.kind != "Parameter"}


def scan_folder(tmp_path: Path, files: dict[str, str], checks: list[str]):
    for name, text in files.items():
        (tmp_path / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return scan([tmp_path], ScanOptions(checks=checks, use_cache=False))


BUCKET_ROLES = """\
Transform: AWS::LanguageExtensions
Resources:
  Fn::ForEach::Readers:
    - Bucket
    - [logs, data-lake]
    - Reader&{Bucket}:
        Type: AWS::IAM::ManagedPolicy
        Properties:
          ManagedPolicyName: !Sub read-${Bucket}
          Description: ${Bucket} readers
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: s3:*
                Resource: !Sub arn:aws:s3:::${Bucket}/*
              - Effect: Allow
                Action: s3:ListBucket
                Resource: !Join ["", ["arn:aws:s3:::", !Ref Bucket]]
"""


def test_foreach_over_a_literal_list_makes_one_resource_per_item():
    found = resources(BUCKET_ROLES)
    assert sorted(found) == ["Readerdatalake", "Readerlogs"]
    lake = found["Readerdatalake"]
    assert (lake.kind, lake.location) == ("AWS::IAM::ManagedPolicy", Location("t.yaml", 6, 18))
    assert lake.attrs["ManagedPolicyName"] == "read-data-lake"
    assert lake.attrs["Description"] == "data-lake readers"
    first, second = lake.attrs["PolicyDocument"]["Statement"]
    assert (first["Resource"], second["Resource"]) == (
        "arn:aws:s3:::data-lake/*",
        "arn:aws:s3:::data-lake",
    )
    assert lake.attr_locations["PolicyDocument"] == Location("t.yaml", 11, 18)


def test_findings_in_loop_copies_point_at_the_fragment(tmp_path):
    result = scan_folder(tmp_path, {"t.yaml": BUCKET_ROLES}, ["IAM022"])
    assert result.errors == [] and result.unresolved == []
    assert [(f.check_id, f.resource, f.line) for f in result.findings] == [
        ("IAM022", "Readerdatalake", 13),
        ("IAM022", "Readerlogs", 13),
    ]


def loop_over(collection: str, header: str = "") -> list[str]:
    text = header + textwrap.dedent(f"""\
        Resources:
          Fn::ForEach::Users:
            - Name
            - {collection}
            - User${{Name}}:
                Type: AWS::IAM::User
                Properties:
                  UserName: !Ref Name
        """)
    return sorted((r.address, r.attrs["UserName"]) for r in resources(text).values())


def test_collections_known_from_parameters_mappings_and_functions():
    parameter = "Parameters:\n  Names:\n    Type: CommaDelimitedList\n    Default: ann, bo\n"
    assert loop_over("!Ref Names", parameter) == [("Userann", "ann"), ("Userbo", "bo")]
    mapping = "Mappings:\n  Teams:\n    Ops:\n      Members: [cy, di]\n"
    assert loop_over("!FindInMap [Teams, Ops, Members]", mapping) == [
        ("Usercy", "cy"),
        ("Userdi", "di"),
    ]
    assert loop_over('!Split [",", "ed,flo"]') == [("Usered", "ed"), ("Userflo", "flo")]


def test_nested_loops_see_the_outer_item():
    found = resources("""\
        Resources:
          Fn::ForEach::Envs:
            - Env
            - [dev, prod]
            - Fn::ForEach::Apps:
                - App
                - [web, api]
                - ${App}${Env}Role:
                    Type: AWS::IAM::Role
                    Properties:
                      RoleName: !Sub ${App}-${Env}
        """)
    assert sorted((a, r.attrs["RoleName"]) for a, r in found.items()) == [
        ("apidevRole", "api-dev"),
        ("apiprodRole", "api-prod"),
        ("webdevRole", "web-dev"),
        ("webprodRole", "web-prod"),
    ]


def test_a_loop_inside_properties_expands_into_the_mapping():
    found = resources("""\
        Transform: AWS::LanguageExtensions
        Resources:
          P:
            Type: AWS::IAM::ManagedPolicy
            Properties:
              PolicyDocument:
                Statement:
                  - Effect: Allow
                    Action: s3:GetObject
                    Resource: "*"
                    Condition:
                      StringEquals:
                        Fn::ForEach::Tags:
                          - Tag
                          - [team, env]
                          - aws:ResourceTag/${Tag}: !Sub "${!aws:PrincipalTag/}${Tag}"
        """)
    (statement,) = found["P"].attrs["PolicyDocument"]["Statement"]
    assert statement["Condition"] == {
        "StringEquals": {
            "aws:ResourceTag/team": "${aws:PrincipalTag/}team",
            "aws:ResourceTag/env": "${aws:PrincipalTag/}env",
        }
    }


UNKNOWN_LOOP = """\
Transform: AWS::LanguageExtensions
Parameters:
  Names:
    Type: CommaDelimitedList
Resources:
  Fn::ForEach::Users:
    - Name
    - !Ref Names
    - User${Name}:
        Type: AWS::IAM::User
"""


def test_a_loop_over_an_unknown_collection_is_unresolved_not_an_error(tmp_path):
    result = scan_folder(tmp_path, {"t.yaml": UNKNOWN_LOOP}, ["IAM003"])
    assert (result.errors, result.findings, result.warnings) == ([], [], [])
    assert [
        (u.resource, u.file, u.line, u.check_ids, u.value, u.message) for u in result.unresolved
    ] == [
        (
            "Fn::ForEach::Users",
            "t.yaml",
            6,
            [],
            "Ref Names",
            "the loop's collection is not known: the resources it makes are not checked",
        )
    ]


def test_an_unknown_loop_inside_properties_makes_them_unknown_and_unresolved(tmp_path):
    template = """\
        Transform: AWS::LanguageExtensions
        Parameters:
          Keys:
            Type: CommaDelimitedList
        Resources:
          P:
            Type: AWS::IAM::ManagedPolicy
            Properties:
              Fn::ForEach::Props:
                - K
                - !Ref Keys
                - ${K}: x
        """
    (policy,) = [r for r in read(template).resources if r.address == "P"]
    assert policy.metadata["properties_unknown"] == Unknown("Ref Keys")
    result = scan_folder(tmp_path, {"t.yaml": template}, ["IAM022"])
    assert (result.errors, result.findings) == ([], [])
    assert [(u.resource, u.line, u.check_ids, u.value, u.message) for u in result.unresolved] == [
        ("P", 6, [], "Ref Keys", "its Properties are not known")
    ]


def test_length_to_json_string_and_intrinsic_deletion_policies():
    found = resources("""\
        Transform: AWS::LanguageExtensions
        Parameters:
          Names:
            Type: CommaDelimitedList
            Default: a,b,c
        Conditions:
          Keep: !Equals [!Ref AWS::StackName, prod]
        Resources:
          Q:
            Type: AWS::SQS::Queue
            DeletionPolicy: !If [Keep, Retain, Delete]
            UpdateReplacePolicy: !If [Keep, Retain, Delete]
            Properties:
              DelaySeconds: {Fn::Length: !Ref Names}
              MaximumMessageSize: !Length [!Ref Names]
              RedrivePolicy: !ToJsonString {maxReceiveCount: 5}
        """)
    assert found["Q"].attrs == {
        "DelaySeconds": 3,
        "MaximumMessageSize": 1,
        "RedrivePolicy": {"maxReceiveCount": 5},
    }


RAIN_YAML = """\
Resources:
  Site:
    Type: !Rain::Module ./site.yaml
    Properties:
      Name: web
  U:
    Type: AWS::IAM::User
"""
RAIN_JSON = {
    "Resources": {
        "Site": {"Type": {"Rain::Module": "./site.yaml"}},
        "U": {"Type": "AWS::IAM::User"},
    }
}


def test_a_rain_module_type_is_a_warning_naming_the_resource(tmp_path):
    for name, text in (("a.yaml", RAIN_YAML), ("b.json", json.dumps(RAIN_JSON, indent=1))):
        (tmp_path / name).write_text(text, encoding="utf-8")
    result = CliRunner().invoke(
        main, ["scan", "--no-cache", "--format", "json", "--check", "IAM022", str(tmp_path)]
    )
    assert result.exit_code == 0
    report = json.loads(result.output)
    assert (report["errors"], report["findings"], report["unresolved"]) == ([], [], [])
    assert report["warnings"] == [
        "a.yaml:2: resource Site is not checked: its Type !Rain::Module ./site.yaml is not a "
        "resource type name (a preprocessor, such as a Rain module, must expand it first)",
        "b.json:3: resource Site is not checked: its Type {Rain::Module: ./site.yaml} is not a "
        "resource type name (a preprocessor, such as a Rain module, must expand it first)",
    ]
    assert report["summary"]["resources_scanned"] == 2


def test_types_outside_aws_scan_cleanly(tmp_path):
    result = scan_folder(
        tmp_path,
        {
            "t.yaml": """\
                AWSTemplateFormatVersion: "2010-09-09"
                Transform: AWS::Serverless-2016-10-31
                Resources:
                  Hook:
                    Type: Custom::Notifier
                    Properties: {ServiceToken: arn:aws:lambda:us-east-1:111122223333:function:n}
                  Fn:
                    Type: AWS::Serverless::Function
                    Properties: {Handler: app.handler, Runtime: python3.12, CodeUri: src/}
                  Skill:
                    Type: Alexa::ASK::Skill
                    Properties: {VendorId: v}
                  Net:
                    Type: Org::Network::Vpc::MODULE
                    Properties: {Cidr: 10.0.0.0/16}
                """
        },
        checks=[],
    )
    assert (result.errors, result.warnings, result.unresolved) == ([], [], [])
    assert result.resources_scanned == 4


def test_an_unknown_loop_in_a_trust_condition_is_unresolved_not_a_finding(tmp_path):
    result = scan_folder(
        tmp_path,
        {
            "t.yaml": """\
                Transform: AWS::LanguageExtensions
                Parameters:
                  Orgs:
                    Type: CommaDelimitedList
                Resources:
                  Shared:
                    Type: AWS::IAM::Role
                    Properties:
                      AssumeRolePolicyDocument:
                        Statement:
                          - Effect: Allow
                            Principal: {AWS: "*"}
                            Action: sts:AssumeRole
                            Condition:
                              StringEquals:
                                Fn::ForEach::Orgs:
                                  - Org
                                  - !Ref Orgs
                                  - aws:PrincipalOrgID: !Ref Org
                """
        },
        ["IAM028"],
    )
    assert (result.errors, result.findings) == ([], [])
    assert [(u.resource, u.line, u.check_ids, u.value) for u in result.unresolved] == [
        ("Shared", 11, ["IAM028"], "Ref Orgs")
    ]


def test_a_preprocessor_tag_in_a_property_is_unknown_not_an_invalid_policy(tmp_path):
    result = scan_folder(
        tmp_path,
        {
            "t.yaml": """\
                Resources:
                  P:
                    Type: AWS::IAM::ManagedPolicy
                    Properties:
                      PolicyDocument: !Rain::Embed policy.json
                """
        },
        ["IAM020", "IAM022", "IAM027"],
    )
    assert (result.errors, result.findings) == ([], [])
    assert [(u.resource, u.line, u.check_ids, u.value) for u in result.unresolved] == [
        ("P", 5, ["IAM020", "IAM022", "IAM027"], "!Rain::Embed policy.json")
    ]
