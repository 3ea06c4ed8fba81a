"""Issue 15 leftovers: every check decides with three values (known fail, known pass, unknown).

An Unknown gives an ``unresolved`` entry and nothing else; ``null`` or an empty string the
provider treats as unset takes the default; a value the front end knows to be a name (another
managed resource's ARN) is decided. Each test scans a few files and asserts the exact findings
and unresolved entries as (check id, resource, line) tuples.
"""

from __future__ import annotations

from pathlib import Path

from iac_iam_checks.engine import ScanOptions, scan
from iac_iam_checks.engine.discover import CLOUDFORMATION, kind_by_content


def run(tmp_path: Path, files: dict[str, str], *check_ids: str) -> tuple[list, list]:
    """(findings, unresolved) of a scan of ``files``; errors must be empty."""
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    result = scan([tmp_path], ScanOptions(checks=list(check_ids), use_cache=False))
    assert result.errors == []
    findings = [(f.check_id, f.resource, f.line) for f in result.findings]
    unresolved = [(tuple(u.check_ids), u.resource, u.line, u.value) for u in result.unresolved]
    return findings, unresolved


# --- 1. discovery of one-line JSON templates ----------------------------------------------

MINIFIED = (
    '{"Resources":{"Key":{"Type":"AWS::IAM::AccessKey","Properties":{"UserName":"alice"}},'
    '"Admin":{"Type":"AWS::IAM::ManagedPolicy","Properties":{"PolicyDocument":{"Statement":'
    '[{"Effect":"Allow","Action":"*","Resource":"*"}]}}}}}'
)


def test_minified_json_template_is_discovered(tmp_path: Path) -> None:
    findings, unresolved = run(tmp_path, {"stack.json": MINIFIED}, "IAM011", "IAM020")
    assert (findings, unresolved) == ([("IAM011", "Key", 1), ("IAM020", "Admin", 1)], [])


def test_json_template_with_resources_and_type_on_one_line_is_discovered(tmp_path: Path) -> None:
    text = '{ "Resources": { "Key": { "Type": "AWS::IAM::AccessKey",\n  "Properties": {} } } }\n'
    assert run(tmp_path, {"stack.json": text}, "IAM011") == ([("IAM011", "Key", 1)], [])


def test_json_that_is_not_a_template_stays_silently_skipped(tmp_path: Path) -> None:
    embedded = MINIFIED.replace('"', '\\"')
    files = {
        "package.json": '{"name": "app", "dependencies": {"aws-sdk": "2"}}',
        "configmap.json": '{"apiVersion": "v1", "kind": "ConfigMap", "data": {"stack": "'
        + embedded
        + '"}}',
        "policy.json": '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Resource":"*"}]}',
        "broken.json": '{"Resources": ',
    }
    assert run(tmp_path, files, "IAM011", "IAM020") == ([], [])
    for name in ("package.json", "configmap.json", "policy.json", "broken.json"):
        assert kind_by_content(name, files[name]) is None
    assert kind_by_content("t.json", '{"AWSTemplateFormatVersion":"2010-09-09"}') == CLOUDFORMATION
    assert kind_by_content("t.yaml", "{Resources: {A: {Type: AWS::IAM::User}}}") == CLOUDFORMATION


# --- 2. IAM009: an empty instance profile is none, an unknown one is unresolved ------------

EMPTY_PROFILES_TF = """variable "profile" {}

resource "aws_instance" "empty" {
  iam_instance_profile = ""
}

resource "aws_spot_instance_request" "empty" {
  iam_instance_profile = ""
}

resource "aws_launch_configuration" "empty" {
  iam_instance_profile = ""
}

resource "aws_launch_template" "empty_block" {
  iam_instance_profile {}
}

resource "aws_launch_template" "empty_name_and_arn" {
  iam_instance_profile {
    name = ""
    arn  = ""
  }
}

resource "aws_instance" "unknown" {
  iam_instance_profile = var.profile
}

resource "aws_launch_template" "unknown_name" {
  iam_instance_profile {
    arn  = ""
    name = var.profile
  }
}

resource "aws_launch_template" "unknown_dynamic" {
  dynamic "iam_instance_profile" {
    for_each = var.profile
    content {
      name = "app"
    }
  }
}

resource "aws_instance" "from_unknown" {
  launch_template {
    id = aws_launch_template.unknown_dynamic.id
  }
}

resource "aws_iam_instance_profile" "app" {
  role = "app"
}

resource "aws_instance" "referenced" {
  iam_instance_profile = aws_iam_instance_profile.app.name
}

resource "aws_instance" "named" {
  iam_instance_profile = "${var.profile}-app"
}
"""


def test_empty_instance_profile_is_no_profile_and_unknown_is_unresolved(tmp_path: Path) -> None:
    dynamic = 'dynamic "iam_instance_profile" for_each = var.profile'
    assert run(tmp_path, {"main.tf": EMPTY_PROFILES_TF}, "IAM009") == (
        [
            ("IAM009", "aws_instance.empty", 3),
            ("IAM009", "aws_spot_instance_request.empty", 7),
            ("IAM009", "aws_launch_configuration.empty", 11),
            ("IAM009", "aws_launch_template.empty_block", 15),
            ("IAM009", "aws_launch_template.empty_name_and_arn", 19),
        ],
        [
            (("IAM009",), "aws_instance.unknown", 27, "var.profile"),
            (("IAM009",), "aws_launch_template.unknown_name", 31, "var.profile"),
            (("IAM009",), "aws_launch_template.unknown_dynamic", 38, dynamic),
            (("IAM009",), "aws_instance.from_unknown", 47, dynamic),
        ],
    )


EMPTY_PROFILES_CFN = """AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Profile:
    Type: String
  NamedProfile:
    Type: String
    AllowedPattern: "[\\\\w+=,.@-]+"
Resources:
  Empty:
    Type: AWS::EC2::Instance
    Properties:
      IamInstanceProfile: ""
  NoValue:
    Type: AWS::EC2::Instance
    Properties:
      IamInstanceProfile: !Ref AWS::NoValue
  EmptyConfiguration:
    Type: AWS::AutoScaling::LaunchConfiguration
    Properties:
      IamInstanceProfile: ""
  EmptyTemplate:
    Type: AWS::EC2::LaunchTemplate
    Properties:
      LaunchTemplateData:
        IamInstanceProfile:
          Name: !Ref AWS::NoValue
  Unknown:
    Type: AWS::EC2::Instance
    Properties:
      IamInstanceProfile: !Ref Profile
  Named:
    Type: AWS::EC2::Instance
    Properties:
      IamInstanceProfile: !Ref NamedProfile
"""


def test_cloudformation_empty_profile_is_no_profile(tmp_path: Path) -> None:
    assert run(tmp_path, {"t.yaml": EMPTY_PROFILES_CFN}, "IAM009") == (
        [
            ("IAM009", "Empty", 9),
            ("IAM009", "NoValue", 13),
            ("IAM009", "EmptyConfiguration", 17),
            ("IAM009", "EmptyTemplate", 21),
        ],
        [(("IAM009",), "Unknown", 30, "Ref Profile")],
    )


# --- 3. dynamic "statement" with a null or unknown for_each --------------------------------

DYNAMIC_STATEMENTS = """variable "statements" {
  default = null
}

data "aws_iam_policy_document" "literal_null" {
  statement {
    actions   = ["s3:GetObject"]
    resources = ["arn:aws:s3:::logs/*"]
  }
  dynamic "statement" {
    for_each = null
    content {
      actions   = ["*"]
      resources = ["*"]
    }
  }
}

resource "aws_iam_policy" "literal_null" {
  policy = data.aws_iam_policy_document.literal_null.json
}

data "aws_iam_policy_document" "default_null" {
  dynamic "statement" {
    for_each = var.statements
    content {
      actions   = ["*"]
      resources = ["*"]
    }
  }
}

resource "aws_iam_policy" "default_null" {
  policy = data.aws_iam_policy_document.default_null.json
}

data "aws_iam_policy_document" "empty" {
  statement {
    actions   = ["s3:GetObject"]
    resources = ["arn:aws:s3:::logs/*"]
  }
  dynamic "statement" {
    for_each = []
    content {
      actions   = ["*"]
      resources = ["*"]
    }
  }
}

resource "aws_iam_policy" "empty" {
  policy = data.aws_iam_policy_document.empty.json
}

data "aws_iam_policy_document" "one" {
  dynamic "statement" {
    for_each = ["admin"]
    content {
      actions   = ["*"]
      resources = ["*"]
    }
  }
}

resource "aws_iam_policy" "one" {
  policy = data.aws_iam_policy_document.one.json
}
"""
STATEMENT_CHECKS = ("IAM020", "IAM022", "IAM023", "IAM024", "IAM025", "IAM026", "IAM027")


def test_null_for_each_in_a_dynamic_statement_is_unresolved_not_an_empty_block(
    tmp_path: Path,
) -> None:
    """Terraform rejects a null ``for_each`` on a dynamic block, so the statements it stands
    for are unseen: unresolved for every statement check, and no IAM027 "statement has no
    Action" finding about a statement nobody wrote. An empty collection makes no statement."""
    findings, unresolved = run(tmp_path, {"main.tf": DYNAMIC_STATEMENTS}, *STATEMENT_CHECKS)
    assert findings == [("IAM020", "aws_iam_policy.one", 58)]
    assert unresolved == [
        (STATEMENT_CHECKS, "aws_iam_policy.literal_null", 5, 'dynamic "statement" for_each = null'),
        (
            STATEMENT_CHECKS,
            "aws_iam_policy.default_null",
            23,
            'dynamic "statement" for_each = var.statements',
        ),
    ]


def test_null_default_overridden_by_tfvars_is_judged(tmp_path: Path) -> None:
    files = {"main.tf": DYNAMIC_STATEMENTS, "terraform.tfvars": 'statements = ["admin"]\n'}
    findings, unresolved = run(tmp_path, files, "IAM020")
    assert findings == [
        ("IAM020", "aws_iam_policy.default_null", 26),
        ("IAM020", "aws_iam_policy.one", 58),
    ]
    assert unresolved == [
        (("IAM020",), "aws_iam_policy.literal_null", 5, 'dynamic "statement" for_each = null')
    ]


# --- 4. a managed resource's name, id or ARN is never a wildcard ----------------------------

REFERENCES = """variable "bucket_arn" {}

resource "aws_s3_bucket" "b" {
  bucket = "logs"
}

data "aws_s3_bucket" "looked_up" {
  bucket = "shared"
}

resource "aws_iam_policy" "managed" {
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Effect = "Allow", Action = "*", Resource = "${aws_s3_bucket.b.arn}*" },
      { Effect = "Allow", Action = ["iam:PassRole", "s3:PutObject"],
        Resource = "${aws_s3_bucket.b.id}${aws_s3_bucket.b.arn}" },
    ]
  })
}

resource "aws_iam_policy" "variable" {
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "*", Resource = "${var.bucket_arn}*" }]
  })
}

resource "aws_iam_policy" "data_source" {
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "*",
      Resource = "${data.aws_s3_bucket.looked_up.arn}*" }]
  })
}
"""


def test_templates_of_managed_resource_references_are_decided(tmp_path: Path) -> None:
    """``"${aws_s3_bucket.b.arn}*"`` is not ``*``: the Allow of ``*`` is IAM022, not an
    unresolved IAM020; a variable or a data source's attribute could still be ``*``."""
    checks = ("IAM020", "IAM022", "IAM023", "IAM024", "IAM026")
    findings, unresolved = run(tmp_path, {"main.tf": REFERENCES}, *checks)
    assert findings == [
        ("IAM022", "aws_iam_policy.managed", 15),
        ("IAM022", "aws_iam_policy.variable", 25),
        ("IAM022", "aws_iam_policy.data_source", 32),
    ]
    blocked = ("IAM020", "IAM024", "IAM026")
    assert unresolved == [
        (blocked, "aws_iam_policy.variable", 25, "var.bucket_arn"),
        (blocked, "aws_iam_policy.data_source", 32, "data.aws_s3_bucket.looked_up.arn"),
    ]


def test_only_one_managed_instance_naming_attribute_is_never_a_wildcard() -> None:
    from iac_iam_checks.frontends.references import parse_traversal, reference

    def flag(prefix: str, text: str) -> bool:
        steps = parse_traversal(text)
        assert steps is not None
        return reference(prefix, steps[1:], text).never_wildcard

    assert flag("aws_iam_role", 'aws_iam_role.r["k"].arn')
    assert flag("module.m.aws_iam_role", "aws_iam_role.r.unique_id")
    assert not flag("data.aws_iam_role", "aws_iam_role.r.arn")
    assert not flag("module.m.data.aws_iam_role", "aws_iam_role.r.arn")
    assert not flag("aws_iam_role", "aws_iam_role.r[*].arn")
    assert not flag("aws_iam_role", "aws_iam_role.r.tags.name")
    assert not flag("aws_s3_object", "aws_s3_object.o.id")
    assert not flag("random_string", "random_string.s.id")


COUNTED_PROFILE = """variable "with_profile" {
  type    = bool
  default = true
}

variable "tags" {
  type    = map(string)
  default = {}
}

resource "aws_iam_instance_profile" "worker" {
  count = var.with_profile ? 1 : 0
  role  = "worker"
}

resource "aws_iam_instance_profile" "by_key" {
  for_each = toset(["a"])
  role     = "worker"
}

locals {
  profile_arn = var.with_profile ? aws_iam_instance_profile.worker[0].arn : null
  by_key_names = [for p in aws_iam_instance_profile.by_key : p.name]
}

resource "aws_launch_template" "counted" {
  dynamic "iam_instance_profile" {
    for_each = local.profile_arn != null ? [1] : []
    content {
      arn = local.profile_arn
    }
  }
}

resource "aws_launch_template" "from_for" {
  dynamic "iam_instance_profile" {
    for_each = local.by_key_names[0] != null ? [1] : []
    content {
      name = local.by_key_names[0]
    }
  }
}

resource "aws_launch_template" "tag_is_not_a_name" {
  dynamic "iam_instance_profile" {
    for_each = aws_iam_instance_profile.worker[0].tags != null ? [1] : []
    content {
      name = "fixed"
    }
  }
}
"""


def test_naming_attribute_of_a_counted_instance_is_never_null(tmp_path: Path) -> None:
    """``aws_iam_instance_profile.worker[0].arn`` of a counted block (and ``p.name`` of a
    ``for`` over a for_each block) is a name the cloud assigns, as the unindexed reference
    is: ``!= null`` is true and the launch template has a profile. ``tags`` promises nothing."""
    dynamic = (
        'dynamic "iam_instance_profile" for_each = '
        "aws_iam_instance_profile.worker[0].tags != null ? [1] : []"
    )
    assert run(tmp_path, {"main.tf": COUNTED_PROFILE}, "IAM009") == (
        [],
        [(("IAM009",), "aws_launch_template.tag_is_not_a_name", 45, dynamic)],
    )


# --- 5. computed object keys and yamlencode ----------------------------------------------

COMPUTED_KEYS = """variable "key" {}

locals {
  statement = "Statement"
  operator  = "StringEquals"
  github    = "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"
}

resource "aws_iam_policy" "known_key" {
  policy = jsonencode({
    Version          = "2012-10-17"
    (local.statement) = [{ Effect = "Allow", Action = "*", Resource = "*" }]
  })
}

resource "aws_iam_policy" "unknown_document_key" {
  policy = jsonencode({
    Version     = "2012-10-17"
    (var.key)   = [{ Effect = "Allow", Action = "*", Resource = "*" }]
  })
}

resource "aws_iam_role" "github_unknown_sub_key" {
  name = "ci"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = local.github }
      Condition = {
        (local.operator) = {
          "token.actions.githubusercontent.com:aud" = "sts.amazonaws.com"
          (var.key)                                 = "repo:org/app:ref:refs/heads/main"
        }
      }
    }]
  })
}

resource "aws_iam_role" "github_without_audience" {
  name = "ci2"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = local.github }
      Condition = { StringLike = { "${var.key}:sub" = "repo:org/*" } }
    }]
  })
}

resource "aws_iam_policy" "yaml" {
  policy = yamlencode({ Version = "2012-10-17", Statement = [{ Effect = "Deny" }] })
}
"""


def test_computed_keys_known_build_the_object_unknown_stay_where_the_model_allows(
    tmp_path: Path,
) -> None:
    """A known ``(local.k)`` key builds the object. An unknown key of the document could be
    ``Statement``: the document is Unknown. Inside a Condition an unknown operator or key is a
    key of its own: it may be the ``:sub`` limit (unresolved), but it cannot be the missing
    ``:aud`` (a finding). ``yamlencode`` is Unknown, quoting the call."""
    findings, unresolved = run(tmp_path, {"main.tf": COMPUTED_KEYS}, "IAM020", "IAM030")
    assert findings == [
        ("IAM020", "aws_iam_policy.known_key", 12),
        ("IAM030", "aws_iam_role.github_without_audience", 45),
    ]
    document = (
        '{ Version = "2012-10-17" (var.key) = '
        '[{ Effect = "Allow", Action = "*", Resource = "*" }] }'
    )
    yaml = 'yamlencode({ Version = "2012-10-17", Statement = [{ Effect = "Deny" }] })'
    assert unresolved == [
        (("IAM020",), "aws_iam_policy.unknown_document_key", 17, document),
        (("IAM030",), "aws_iam_role.github_unknown_sub_key", 27, "var.key"),
        (("IAM020",), "aws_iam_policy.yaml", 55, yaml),
    ]


def test_known_computed_keys_are_strings_and_null_keys_are_unknown(tmp_path: Path) -> None:
    from iac_iam_checks.frontends.hcl_eval import _object_key_text

    assert [_object_key_text(k) for k in ("a", 1, 2.5, True, None, [1])] == [
        "a",
        "1",
        "2.5",
        "true",
        None,
        None,
    ]
