"""CloudFormation front end: line marks, short tags, intrinsic evaluation, hostile input."""

import textwrap

import pytest

from iac_iam_checks.frontends.cfn_yaml import (
    NODE_LOADER,
    PureLoader,
    TemplateLoadError,
    load_template,
)
from iac_iam_checks.frontends.cloudformation import (
    looks_like_template,
    parse_template,
    read_template,
)
from iac_iam_checks.model.values import (
    LocatedStr,
    Location,
    ParseError,
    Template,
    Unknown,
    location_of,
)


def parse(text: str, file: str = "t.yaml"):
    resources, errors = parse_template(textwrap.dedent(text), file)
    assert errors == []
    return resources


def only(text: str, file: str = "t.yaml"):
    """The single non-parameter resource of a template."""
    (resource,) = [r for r in parse(text, file) if r.kind != "Parameter"]
    return resource


def props(body: str, header: str = "") -> dict:
    """Evaluated Properties of a user whose Properties are ``body`` (YAML, 6-space indent)."""
    text = textwrap.dedent(header) + "Resources:\n  U:\n    Type: AWS::IAM::User\n    Properties:\n"
    return only(text + textwrap.indent(textwrap.dedent(body), "      ")).attrs


def lines(value) -> tuple[int, int]:
    location = location_of(value)
    return location.line, location.end_line


ROLE_YAML = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Reader:
    Type: AWS::IAM::Role
    Properties:
      RoleName: reader
      Policies:
        - PolicyName: read
          PolicyDocument:
            Version: 2012-10-17
            Statement:
              - Effect: Allow
                Action: s3:GetObject
                Resource: "*"

              - Effect: Allow
                Action:
                  - s3:ListBucket
                Resource: "*"
        # trailing comment
  Solo:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Statement:
          Effect: Deny
          Action: "*"
          Resource: "*"
"""


def test_yaml_resource_spans_from_logical_id_to_last_value():
    reader, solo = parse(ROLE_YAML)
    assert (reader.kind, reader.address, reader.name) == ("AWS::IAM::Role", "Reader", "Reader")
    assert reader.location == Location("t.yaml", 3, 19)
    assert solo.location == Location("t.yaml", 21, 28)
    assert (reader.framework, reader.scope) == ("cloudformation", "t.yaml")


def test_yaml_property_locations_span_key_to_value_end():
    reader = parse(ROLE_YAML)[0]
    assert reader.attr_locations == {
        "RoleName": Location("t.yaml", 6, 6),
        "Policies": Location("t.yaml", 7, 19),
    }


def test_yaml_statement_list_items_keep_their_lines():
    document = parse(ROLE_YAML)[0].attrs["Policies"][0]["PolicyDocument"]
    assert [lines(s) for s in document["Statement"]] == [(12, 14), (16, 19)]
    assert document["Version"] == "2012-10-17"


def test_yaml_single_statement_object_keeps_its_line():
    statement = parse(ROLE_YAML)[1].attrs["PolicyDocument"]["Statement"]
    assert statement == {"Effect": "Deny", "Action": "*", "Resource": "*"}
    assert lines(statement) == (26, 28)


ROLE_JSON = """\
{
  "Resources": {
    "Writer": {
      "Type": "AWS::IAM::Policy",
      "Properties": {
        "PolicyDocument": {
          "Statement": [
            {"Effect": "Allow", "Action": "s3:PutObject", "Resource": "*"},
            {
              "Effect": "Allow",
              "Action": "sqs:SendMessage",
              "Resource": "*"
            }
          ]
        }
      }
    },
    "Single": {
      "Type": "AWS::IAM::ManagedPolicy",
      "Properties": {"PolicyDocument": {"Statement": {
        "Effect": "Allow", "Action": "sns:Publish", "Resource": "*"}}}
    }
  }
}
"""


def test_json_resource_and_statement_lines():
    writer, single = parse(ROLE_JSON, "t.json")
    assert writer.location == Location("t.json", 3, 17)
    statements = writer.attrs["PolicyDocument"]["Statement"]
    assert [lines(s) for s in statements] == [(8, 8), (9, 13)]
    assert single.location == Location("t.json", 18, 22)
    assert lines(single.attrs["PolicyDocument"]["Statement"]) == (20, 21)


def test_tab_indented_json_keeps_lines():
    text = '{\n\t"Resources": {\n\t\t"U": {\n\t\t\t"Type": "AWS::IAM::User"\n\t\t}\n\t}\n}\n'
    (user,) = parse(text, "t.json")
    assert (user.address, user.location) == ("U", Location("t.json", 3, 5))


def test_json_exponent_number_is_kept_as_text():
    text = '{"Resources": {"U": {"Type": "AWS::IAM::User", "Properties": {"N": 1e5}}}}'
    assert only(text, "t.json").attrs == {"N": "1e5"}


def test_dates_and_leading_zero_numbers_stay_as_written():
    assert props("Version: 2012-10-17\nAccount: 012345678901\nPort: 443\n") == {
        "Version": "2012-10-17",
        "Account": "012345678901",
        "Port": 443,
    }


@pytest.mark.parametrize(
    ("yaml_value", "long_form"),
    [
        ("!Ref Name", {"Ref": "Name"}),
        ("!Sub '${A}-x'", {"Fn::Sub": "${A}-x"}),
        ("!GetAtt Role.Arn", {"Fn::GetAtt": ["Role", "Arn"]}),
        ("!GetAtt Db.Endpoint.Address", {"Fn::GetAtt": ["Db", "Endpoint.Address"]}),
        ("!GetAtt [Role, Arn]", {"Fn::GetAtt": ["Role", "Arn"]}),
        ("!Join [',', [a, b]]", {"Fn::Join": [",", ["a", "b"]]}),
        ("!If [C, a, b]", {"Fn::If": ["C", "a", "b"]}),
        ("!Select [0, [a]]", {"Fn::Select": [0, ["a"]]}),
        ("!Split [',', 'a,b']", {"Fn::Split": [",", "a,b"]}),
        ("!FindInMap [M, K, V]", {"Fn::FindInMap": ["M", "K", "V"]}),
        ("!Base64 text", {"Fn::Base64": "text"}),
        ("!ImportValue Shared", {"Fn::ImportValue": "Shared"}),
        ("!GetAZs ''", {"Fn::GetAZs": ""}),
        ("!Equals [a, b]", {"Fn::Equals": ["a", "b"]}),
        ("!Not [!Condition C]", {"Fn::Not": [{"Condition": "C"}]}),
        (
            "!And [!Condition C, !Condition D]",
            {"Fn::And": [{"Condition": "C"}, {"Condition": "D"}]},
        ),
        ("!Or [!Condition C, !Condition D]", {"Fn::Or": [{"Condition": "C"}, {"Condition": "D"}]}),
        ("!Condition C", {"Condition": "C"}),
        ("!Cidr [10.0.0.0/16, 2, 8]", {"Fn::Cidr": ["10.0.0.0/16", 2, 8]}),
        ("!Transform {Name: AWS::Include}", {"Fn::Transform": {"Name": "AWS::Include"}}),
    ],
)
def test_short_tags_become_long_forms(yaml_value, long_form):
    assert load_template(f"Value: {yaml_value}\n", "t.yaml") == {"Value": long_form}


PARAMETERS = """\
Parameters:
  Env: {Type: String, Default: prod}
  Secret: {Type: String}
  Names: {Type: CommaDelimitedList, Default: "a, b"}
  FromSsm: {Type: "AWS::SSM::Parameter::Value<String>", Default: /cfg/env}
"""


def test_ref_to_parameter_gives_its_default():
    assert props("A: !Ref Env\nB: !Ref Names\n", PARAMETERS) == {"A": "prod", "B": ["a", "b"]}


def test_ref_to_parameter_without_usable_default_is_unknown():
    assert props("A: !Ref Secret\nB: !Ref FromSsm\n", PARAMETERS) == {
        "A": Unknown("Ref Secret"),
        "B": Unknown("Ref FromSsm"),
    }


def test_ref_to_resource_and_getatt_carry_the_reference():
    assert props("A: !Ref Group\nB: !GetAtt Role.Arn\n") == {
        "A": Unknown("Ref Group", ref=("Group", "Ref")),
        "B": Unknown("Role.Arn", ref=("Role", "Arn")),
    }


def test_pseudo_parameters_stay_unknown_and_novalue_removes():
    attrs = props("A: !Ref AWS::AccountId\nB: !Ref AWS::NoValue\nC: [x, !Ref AWS::NoValue]\n")
    assert attrs == {"A": Unknown("AWS::AccountId"), "C": ["x"]}


def test_sub_fills_known_parts_and_leaves_holes():
    attrs = props(
        """\
        A: !Sub "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/${Env}-${Role}"
        B: !Sub "${Role.Arn}/${!Literal}"
        C: !Sub ["${Bucket}/${Key}", {Bucket: logs, Key: !Ref Secret}]
        """,
        PARAMETERS,
    )
    assert attrs == {
        "A": Template(
            (
                "arn:",
                Unknown("AWS::Partition"),
                ":iam::",
                Unknown("AWS::AccountId"),
                ":role/prod-",
                Unknown("Ref Role", ref=("Role", "Ref")),
            )
        ),
        "B": Template((Unknown("Role.Arn", ref=("Role", "Arn")), "/${Literal}")),
        "C": Template(("logs/", Unknown("Ref Secret"))),
    }


def test_join_builds_strings_with_holes():
    attrs = props(
        """\
        A: !Join ["", ["arn:aws:s3:::", !Ref Bucket, "/*"]]
        B: !Join [",", [a, b]]
        C: !Join [",", !GetAtt Vpc.CidrBlocks]
        """
    )
    assert attrs == {
        "A": Template(("arn:aws:s3:::", Unknown("Ref Bucket", ref=("Bucket", "Ref")), "/*")),
        "B": "a,b",
        "C": Unknown('!Join [",", !GetAtt [Vpc, CidrBlocks]]'),
    }


def test_select_split_findinmap_base64_importvalue():
    header = "Mappings:\n  Accounts:\n    prod: {Id: '111122223333'}\n"
    attrs = props(
        """\
        Select: !Select [1, [a, b]]
        Split: !Split [",", "x,y"]
        Map: !FindInMap [Accounts, prod, Id]
        Missing: !FindInMap [Accounts, dev, Id]
        Encoded: !Base64 text
        Imported: !ImportValue SharedRole
        Zones: !GetAZs ""
        """,
        header,
    )
    assert attrs == {
        "Select": "b",
        "Split": ["x", "y"],
        "Map": "111122223333",
        "Missing": Unknown("!FindInMap [Accounts, dev, Id]"),
        "Encoded": "text",
        "Imported": Unknown("ImportValue SharedRole"),
        "Zones": Unknown('!GetAZs ""'),
    }


def test_if_inside_a_list_keeps_both_branches_without_novalue():
    attrs = props("Arns:\n  - a\n  - !If [C, b, c]\n  - !If [D, d, !Ref AWS::NoValue]\n")
    assert attrs == {"Arns": ["a", "b", "c", "d"]}


def test_if_elsewhere_gives_one_variant_per_condition_value():
    text = """\
    Resources:
      Admin:
        Type: AWS::IAM::Role
        Condition: Enabled
        Properties:
          Path: !If [IsProd, /prod/, /dev/]
          Description: !If [IsProd, production, development]
          MaxSessionDuration: !If [Long, 43200, 3600]
    """
    variants = parse(text)
    assert [r.address for r in variants] == ["Admin"] * 4
    assert [
        (r.attrs["Path"], r.attrs["Description"], r.attrs["MaxSessionDuration"]) for r in variants
    ] == [
        ("/prod/", "production", 43200),
        ("/dev/", "development", 43200),
        ("/prod/", "production", 3600),
        ("/dev/", "development", 3600),
    ]
    assert variants[0].metadata == {"Metadata": {}, "Condition": "Enabled"}


def test_if_variants_are_capped_and_cover_every_branch():
    body = "".join(f"P{i}: !If [C{i}, yes{i}, no{i}]\n" for i in range(6))
    text = "Resources:\n  U:\n    Type: AWS::IAM::User\n    Properties:\n"
    variants = parse(text + textwrap.indent(body, "      "))
    assert len(variants) == 16
    for i in range(6):
        assert {r.attrs[f"P{i}"] for r in variants} == {f"yes{i}", f"no{i}"}


def test_findinmap_default_value():
    attrs = props("A: !FindInMap [M, x, y, {DefaultValue: fallback}]\n", "Mappings: {M: {}}\n")
    assert attrs == {"A": "fallback"}


def test_policy_json_in_a_string_is_located():
    attrs = props(
        """\
        Inline: '{"Statement": []}'
        Block: |
          {"Statement": [
            {"Effect": "Allow"}]}
        Sub: !Sub '{"Resource": "${AWS::AccountId}"}'
        Plain: !Sub '{"Resource": "x"}'
        """
    )
    assert isinstance(attrs["Inline"], LocatedStr)
    assert (lines(attrs["Inline"]), lines(attrs["Block"]), lines(attrs["Plain"])) == (
        (5, 5),
        (7, 8),
        (10, 10),
    )
    assert attrs["Sub"] == Template(('{"Resource": "', Unknown("AWS::AccountId"), '"}'))


def test_sam_function_inline_statement_keeps_its_line():
    text = """\
    Transform: AWS::Serverless-2016-10-31
    Resources:
      Handler:
        Type: AWS::Serverless::Function
        Properties:
          Runtime: python3.12
          Policies:
            - AWSLambdaBasicExecutionRole
            - S3ReadPolicy: {BucketName: logs}
            - Statement:
                - Effect: Allow
                  Action: dynamodb:PutItem
                  Resource: "*"
    """
    policies = only(text).attrs["Policies"]
    assert policies[:2] == ["AWSLambdaBasicExecutionRole", {"S3ReadPolicy": {"BucketName": "logs"}}]
    assert lines(policies[2]["Statement"][0]) == (11, 13)


def test_cdk_metadata_is_kept():
    text = """\
    Resources:
      FnServiceRoleDefaultPolicy1A2B3C4D:
        Type: AWS::IAM::Policy
        Properties:
          PolicyName: FnServiceRoleDefaultPolicy1A2B3C4D
        Metadata:
          aws:cdk:path: App/Fn/ServiceRole/DefaultPolicy/Resource
    """
    assert only(text).metadata == {
        "Metadata": {"aws:cdk:path": "App/Fn/ServiceRole/DefaultPolicy/Resource"},
        "Condition": None,
    }


def test_parameters_become_pseudo_resources():
    (parameter,) = parse("Parameters:\n  Env:\n    Type: String\n    Default: prod\n")
    assert (parameter.kind, parameter.address, parameter.name) == (
        "Parameter",
        "Parameters.Env",
        "Env",
    )
    assert parameter.attrs == {"Type": "String", "Default": "prod"}
    assert parameter.location == Location("t.yaml", 2, 4)
    assert parameter.attr_locations["Default"] == Location("t.yaml", 4, 4)


def test_malformed_yaml_reports_its_line():
    text = "Resources:\n  U:\n    Type: AWS::IAM::User\n    Properties: [a\n  V: 1\n"
    resources, (error,) = parse_template(text, "bad.yaml")
    assert (resources, error.file, error.line) == ([], "bad.yaml", 5)
    assert error.message.startswith("invalid YAML: while parsing a flow sequence")


def test_bad_resources_are_reported_and_the_rest_loaded():
    text = "Resources:\n  NoType:\n    Properties: {}\n  Ok:\n    Type: AWS::IAM::Group\n  Str: x\n"
    resources, errors = parse_template(text, "t.yaml")
    assert [r.address for r in resources] == ["Ok"]
    assert errors == [
        ParseError("t.yaml", 2, "resource NoType has no string Type"),
        ParseError("t.yaml", 6, "resource Str is not a mapping"),
    ]


def test_resources_not_a_mapping_is_an_error():
    text = "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  - a\n"
    assert parse_template(text, "t.yaml") == (
        [],
        [ParseError("t.yaml", 2, "Resources is not a mapping")],
    )


@pytest.mark.parametrize(
    "line", ["      Runtime: {{ cookiecutter.runtime }}", "      {%- if cookiecutter.arm %}"]
)
def test_unrendered_text_template_is_a_warning_not_an_error(line):
    text = f"Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n{line}\n"
    found = read_template(text, "t.yaml")
    assert (found.resources, found.errors) == ([], [])
    assert [w.split(": not checked")[0] for w in found.warnings] == ["t.yaml:5"]


def test_a_broken_template_with_a_dynamic_reference_is_still_an_error():
    text = (
        "Resources:\n  R:\n    Type: AWS::IAM::User\n    Properties: {Path: '{{resolve:ssm:p}}'\n"
    )
    assert len(parse_template(text, "t.yaml")[1]) == 1


def test_codedeploy_appspec_is_not_a_template():
    """Its Resources list names ``Type: AWS::ECS::Service``: not IaC, so no error."""
    text = "version: 0.0\nResources:\n  - Web:\n      Type: AWS::ECS::Service\n"
    assert parse_template(text, "appspec.yaml") == ([], [])


LOADERS = [NODE_LOADER, PureLoader]


@pytest.mark.parametrize("loader", LOADERS)
def test_alias_bomb_is_rejected(loader):
    """Rejected before expansion (timed in benchmarks/limits.py)."""
    levels = "abcdefghi"
    text = "a: &a [x, x, x, x, x, x, x, x, x]\n"
    for level in range(1, len(levels)):
        aliases = ", ".join(["*" + levels[level - 1]] * 9)
        text += f"{levels[level]}: &{levels[level]} [{aliases}]\n"
    text += "Resources: {U: {Type: AWS::IAM::User, Properties: {P: *i}}}\n"
    with pytest.raises(TemplateLoadError) as raised:
        load_template(text, "bomb.yaml", loader)
    assert (raised.value.line, raised.value.message) == (
        6,
        "YAML aliases expand to more than 100000 nodes",
    )


@pytest.mark.parametrize("loader", LOADERS)
def test_recursive_alias_is_an_error(loader):
    with pytest.raises(TemplateLoadError, match="recursive YAML alias"):
        load_template("a: &a [1, *a]\n", "t.yaml", loader)


@pytest.mark.parametrize("loader", LOADERS)
@pytest.mark.parametrize("depth", [101, 10_000])
def test_deep_nesting_is_an_error_not_a_recursion_error(loader, depth):
    with pytest.raises(TemplateLoadError, match="^nesting deeper than 100 levels$"):
        load_template("[" * depth + "]" * depth, "deep.json", loader)


def test_deep_nesting_becomes_a_parse_error():
    assert parse_template("[" * 10_000 + "]" * 10_000, "deep.json") == (
        [],
        [ParseError("deep.json", 1, "nesting deeper than 100 levels")],
    )


def test_python_tags_are_never_constructed():
    attrs = props("A: !!python/object/apply:os.system [echo]\n")
    assert attrs == {"A": ["echo"]}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("AWSTemplateFormatVersion: '2010-09-09'\n", True),
        ("Resources:\n  U:\n    Type: AWS::IAM::User\n", True),
        ('{"Resources": {"U": {"Type": "AWS::IAM::User"}}}', True),
        ("apiVersion: v1\nkind: Pod\nspec:\n  containers: []\n", False),
        ("on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n", False),
        ('{"name": "pkg", "Type": "AWS::IAM::User"}', False),
    ],
)
def test_looks_like_template(text, expected):
    assert looks_like_template(text) is expected


def _spans(value, path="") -> list:
    """Every container's path and line span, to compare loaders."""
    out = [(path, location_of(value))]
    items = value.items() if isinstance(value, dict) else enumerate(value)
    for key, item in items:
        if isinstance(item, (dict, list)):
            out += _spans(item, f"{path}/{key}")
    return out


@pytest.mark.parametrize("text", [ROLE_YAML, ROLE_JSON])
def test_libyaml_and_pure_loaders_agree(text):
    fast = load_template(text, "t", NODE_LOADER)
    pure = load_template(text, "t", PureLoader)
    assert (fast, _spans(fast)) == (pure, _spans(pure))


def test_unresolvable_properties_are_marked_not_guessed():
    text = "Resources:\n  U:\n    Type: AWS::IAM::User\n    Properties: !ImportValue Props\n"
    user = only(text)
    assert (user.attrs, user.metadata["properties_unknown"]) == ({}, Unknown("ImportValue Props"))


GUARDED_POLICY = """\
Parameters:
  Extra:
    Type: String
    Default: DEFAULT
  Mode:
    Type: String
    Default: plain
Conditions:
  Wanted: CONDITION
Resources:
  U:
    Type: AWS::IAM::User
    Properties:
      UserName: !If [Wanted, !Ref Extra, fixed]
"""


@pytest.mark.parametrize(
    ("default", "condition", "names"),
    [
        # The branch that reads Extra is the one its default rules out: Extra was given.
        ("''", "!Not [!Equals ['', !Ref Extra]]", ["${Ref Extra}", "fixed"]),
        ("''", "!And [!Not [!Equals [!Ref Extra, '']], !Equals [!Ref Mode, plain]]", None),
        ("''", "!Or [!Condition Other, !Not [!Equals [!Ref Extra, '']]]", None),
        # The defaults choose that branch: the default is what it reads.
        ("ops", "!Not [!Equals ['', !Ref Extra]]", ["ops", "fixed"]),
        # A condition the defaults cannot decide says nothing.
        ("''", "!Equals [!Ref AWS::Region, eu-west-1]", ["", "fixed"]),
    ],
)
def test_a_branch_the_defaults_rule_out_reads_given_parameters(default, condition, names):
    """``!If [Wanted, !Ref Extra, ...]``: a stack takes the first branch only with the
    condition true; when the defaults make it false, the parameters it reads were given."""
    text = GUARDED_POLICY.replace("DEFAULT", default).replace("CONDITION", condition)
    if "Other" in condition:
        text = text.replace("Conditions:\n", "Conditions:\n  Other: !Equals [!Ref Mode, x]\n")
    users = [r for r in parse(text) if r.kind == "AWS::IAM::User"]
    expected = names or ["${Ref Extra}", "fixed"]
    assert sorted(str(u.attrs["UserName"]) for u in users) == sorted(expected)
