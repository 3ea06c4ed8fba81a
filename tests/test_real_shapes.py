"""Shapes met scanning public module repositories, each reduced to a self-written snippet."""

from __future__ import annotations

from pathlib import Path

import pytest

from iac_iam_checks.engine import ScanOptions, load, scan
from iac_iam_checks.model.values import Location, PolicyDocument, Unknown


def write(root: Path, files: dict[str, str]) -> Path:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    (root / ".git").mkdir(exist_ok=True)
    return root


def resources(path: Path) -> dict[str, dict]:
    out, _ = load([path], ScanOptions())
    return {r.address: r.attrs for r in out.resources}


def findings(path: Path) -> list[tuple[str, str, str, int]]:
    result = scan([path], ScanOptions(use_cache=False))
    return sorted((f.check_id, f.resource, f.file, f.line) for f in result.findings)


OPTIONAL_ATTRIBUTES_MODULE = """
variable "rules" {
  type = map(object({
    sid         = optional(string)
    effect      = optional(string, "Allow")
    actions     = optional(list(string))
    not_actions = optional(list(string))
    resources   = optional(list(string))
    principals = optional(list(object({
      type        = string
      identifiers = list(string)
    })))
  }))
  default = null
}

data "aws_iam_policy_document" "this" {
  dynamic "statement" {
    for_each = var.rules != null ? var.rules : {}
    content {
      sid         = try(coalesce(statement.value.sid, statement.key))
      effect      = statement.value.effect
      actions     = statement.value.actions
      not_actions = statement.value.not_actions
      resources   = statement.value.resources
      dynamic "principals" {
        for_each = statement.value.principals != null ? statement.value.principals : []
        content {
          type        = principals.value.type
          identifiers = principals.value.identifiers
        }
      }
    }
  }
}

resource "aws_iam_policy" "this" {
  name   = "p"
  policy = data.aws_iam_policy_document.this.json
}
"""

OPTIONAL_ATTRIBUTES_ROOT = """
module "p" {
  source = "./mod"
  rules = {
    read = {
      actions   = ["s3:GetObject"]
      resources = ["arn:aws:s3:::b/*"]
    }
  }
}
"""


def test_optional_object_attributes_are_null_or_their_default(tmp_path: Path) -> None:
    root = write(
        tmp_path, {"main.tf": OPTIONAL_ATTRIBUTES_ROOT, "mod/main.tf": OPTIONAL_ATTRIBUTES_MODULE}
    )
    document = resources(root)["module.p.aws_iam_policy.this"]["policy"]
    assert isinstance(document, PolicyDocument)
    assert [
        (s.sid, s.effect, s.actions, s.not_actions, s.resources, s.principals)
        for s in document.statements
    ] == [("read", "Allow", ["s3:GetObject"], None, ["arn:aws:s3:::b/*"], None)]
    assert findings(root) == []


def test_variable_type_converts_primitive_strings(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            "main.tf": """
variable "create" {
  type    = bool
  default = "true"
}
variable "tags" {
  type    = map(string)
  default = { Count = 3, On = true }
}
resource "aws_iam_user" "u" {
  count = var.create ? 1 : 0
  name  = "u"
  tags  = var.tags
}
"""
        },
    )
    assert resources(root)["aws_iam_user.u[0]"]["tags"] == {"Count": "3", "On": "true"}


def test_empty_dynamic_principals_and_conditions_are_absent(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            "main.tf": """
data "aws_iam_policy_document" "d" {
  statement {
    actions   = ["s3:GetObject"]
    resources = ["arn:aws:s3:::b/*"]
    dynamic "principals" {
      for_each = []
      content {
        type        = "AWS"
        identifiers = ["*"]
      }
    }
    dynamic "condition" {
      for_each = []
      content {
        test     = "Bool"
        variable = "aws:SecureTransport"
        values   = ["true"]
      }
    }
  }
}
resource "aws_iam_policy" "p" {
  name   = "p"
  policy = data.aws_iam_policy_document.d.json
}
"""
        },
    )
    statement = resources(root)["aws_iam_policy.p"]["policy"].statements[0]
    assert (statement.principals, statement.conditions) == (None, None)
    assert sorted(statement.raw) == ["Action", "Effect", "Resource"]
    assert findings(root) == []


def test_try_moves_past_a_data_source_instance_that_count_removed(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            "main.tf": """
variable "mfa" {
  default = false
}
data "aws_iam_policy_document" "with_mfa" {
  count = var.mfa ? 1 : 0
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}
data "aws_iam_policy_document" "plain" {
  count = var.mfa ? 0 : 1
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}
resource "aws_iam_role" "r" {
  name = "r"
  assume_role_policy = coalesce("", try(
    data.aws_iam_policy_document.with_mfa[0].json,
    data.aws_iam_policy_document.plain[0].json,
  ))
}
"""
        },
    )
    document = resources(root)["aws_iam_role.r"]["assume_role_policy"]
    assert document.origin == "data.aws_iam_policy_document.plain[0]"
    assert document.statements[0].principals == {"Service": ["lambda.amazonaws.com"]}


def test_an_arn_passed_into_a_module_is_reported_inside_the_module(tmp_path: Path) -> None:
    """The value keeps where the caller wrote it, but a finding on a module resource points
    at the resource inside the module (spec: "with the file and line inside the module")."""
    root = write(
        tmp_path,
        {
            "main.tf": """
module "role" {
  source = "./mod"
  policies = {
    admin = "arn:aws:iam::aws:policy/AdministratorAccess"
  }
}
""",
            "mod/main.tf": """
variable "policies" {
  type    = map(string)
  default = {}
}
resource "aws_iam_role_policy_attachment" "this" {
  for_each   = var.policies
  role       = "r"
  policy_arn = each.value
}
""",
        },
    )
    attachment = 'module.role.aws_iam_role_policy_attachment.this["admin"]'
    arn = resources(root)[attachment]["policy_arn"]
    assert arn.location == Location(file="main.tf", line=5, end_line=5)
    assert findings(root) == [("IAM021", attachment, "mod/main.tf", 9)]


def test_an_optional_attributes_default_replaces_an_explicit_null(tmp_path: Path) -> None:
    """Terraform applies ``optional(T, default)`` to an attribute given as null too, so a
    module's ``templatefile(file, each.value.vars)`` has its map, and the policy is judged."""
    root = write(
        tmp_path,
        {
            "main.tf": """
module "trust" {
  source = "./mod"
  roles = [
    { name = "given-null", vars = null, tag = null },
    { name = "left-out" },
  ]
}
""",
            "mod/main.tf": """
variable "roles" {
  type = list(object({
    name = string
    vars = optional(map(string), { account = "444455556666" })
    tag  = optional(string)
  }))
}
resource "aws_iam_role" "r" {
  for_each           = { for role in var.roles : role.name => role }
  name               = each.value.name
  assume_role_policy = templatefile("${path.module}/trust.json.tpl", each.value.vars)
  tags               = { Tag = each.value.tag }
}
""",
            "mod/trust.json.tpl": """{
  "Version": "2012-10-17",
  "Statement": [{
    "Effect": "Allow",
    "Principal": {"AWS": "arn:aws:iam::${account}:root"},
    "Action": "sts:AssumeRole"
  }]
}
""",
        },
    )
    roles = resources(root)
    for key in ("given-null", "left-out"):
        attrs = roles[f'module.trust.aws_iam_role.r["{key}"]']
        assert '"arn:aws:iam::444455556666:root"' in attrs["assume_role_policy"]
        assert attrs["tags"] == {"Tag": None}  # no default: the null stays null
    assert [f[:2] for f in findings(root)] == [
        ("IAM029", 'module.trust.aws_iam_role.r["given-null"]'),
        ("IAM029", 'module.trust.aws_iam_role.r["left-out"]'),
    ]


def role_with_attachment(policy_arn: str, meta: str = "") -> str:
    """A role that Lambda assumes, and an attachment of ``policy_arn`` to it."""
    return f"""
resource "aws_iam_role" "r" {{
  name               = "r"
  assume_role_policy = jsonencode({{ Version = "2012-10-17", Statement = [{{
    Effect = "Allow", Action = "sts:AssumeRole", Principal = {{ Service = "lambda.amazonaws.com" }}
  }}] }})
}}
resource "aws_iam_role_policy_attachment" "a" {{
  {meta}
  role       = aws_iam_role.r.name
  policy_arn = {policy_arn}
}}
"""


MUTUAL_MODULES = {
    "modules/keys/main.tf": """
variable "reader_role" {
  type = string
}
resource "aws_kms_key" "k" {
  description = "read by ${var.reader_role}"
}
output "decrypt_policy_arn" {
  value = aws_iam_policy.decrypt.arn
}
resource "aws_iam_policy" "decrypt" {
  name   = "decrypt"
  policy = jsonencode({ Version = "2012-10-17", Statement = [{
    Effect = "Allow", Action = "kms:Decrypt", Resource = "arn:aws:kms:eu-west-1:111122223333:key/k"
  }] })
}
""",
    "modules/reader/main.tf": """
variable "policy_arn" {
  type = string
}
output "role_name" {
  value = aws_iam_role.r.name
}
"""
    + role_with_attachment("var.policy_arn"),
}


def test_modules_may_read_each_others_outputs(tmp_path: Path) -> None:
    """``keys`` takes the role's name from ``reader``, ``reader`` the policy's ARN from ``keys``:
    Terraform orders this by the outputs' own references, so the attachment's ARN is the
    customer-managed policy's, never an AWS-managed administrator policy (IAM021)."""
    root = write(
        tmp_path,
        {
            **MUTUAL_MODULES,
            "main.tf": """
module "keys" {
  source      = "./modules/keys"
  reader_role = module.reader.role_name
}
module "reader" {
  source     = "./modules/reader"
  policy_arn = module.keys.decrypt_policy_arn
}
""",
        },
    )
    attachment = resources(root)["module.reader.aws_iam_role_policy_attachment.a"]
    assert attachment["policy_arn"].ref == ("module.keys.aws_iam_policy.decrypt", "arn")
    result = scan([root], ScanOptions(use_cache=False))
    assert (result.findings, result.unresolved, result.errors) == ([], [], [])


ECHO_MODULE = """
variable "name" {
  type = string
}
output "name" {
  value = var.name
}
resource "aws_iam_user" "u" {
  name = var.name
}
"""


def test_an_argument_that_reads_itself_is_unknown(tmp_path: Path) -> None:
    """A real cycle (Terraform refuses it): the variable is unknown, and the scan ends."""
    call = 'module "m" {\n  source = "./mod"\n  name   = module.m.name\n}\n'
    root = write(tmp_path, {"mod/main.tf": ECHO_MODULE, "main.tf": call})
    assert isinstance(resources(root)["module.m.aws_iam_user.u"]["name"], Unknown)


CONDITIONAL_FOR_EACH = """
variable "enabled" {
  type = bool
}
""" + role_with_attachment('"arn:aws:iam::aws:policy/${each.value}"', "for_each = FOR_EACH")


@pytest.mark.parametrize(
    ("for_each", "expected"),
    [
        # All of the set's instances or none: each is judged, as a single instance of an
        # unknown count is.
        ('var.enabled ? toset(["ReadOnlyAccess", "AmazonSSMManagedInstanceCore"]) : []', []),
        (
            '(var.enabled ? [] : toset(["ReadOnlyAccess", "AdministratorAccess"]))',
            [("IAM021", 'aws_iam_role_policy_attachment.a["AdministratorAccess"]')],
        ),
    ],
)
def test_an_unknown_switch_over_a_known_for_each_judges_every_instance(
    tmp_path: Path, for_each: str, expected: list
) -> None:
    root = write(tmp_path, {"main.tf": CONDITIONAL_FOR_EACH.replace("FOR_EACH", for_each)})
    result = scan([root], ScanOptions(use_cache=False))
    assert [(f.check_id, f.resource) for f in result.findings] == expected
    assert result.unresolved == []


def test_a_for_each_choosing_between_two_sets_stays_unresolved(tmp_path: Path) -> None:
    """Either set, not both: the instance keys themselves are unknown."""
    for_each = 'var.enabled ? toset(["ReadOnlyAccess"]) : toset(["AdministratorAccess"])'
    root = write(tmp_path, {"main.tf": CONDITIONAL_FOR_EACH.replace("FOR_EACH", for_each)})
    result = scan([root], ScanOptions(use_cache=False))
    assert [(u.check_ids, u.resource) for u in result.unresolved] == [
        (["IAM021"], "aws_iam_role_policy_attachment.a")
    ]


def test_join_of_one_policy_json_is_that_policy(tmp_path: Path) -> None:
    """cloudposse's ``join("", data.aws_iam_policy_document.d[*].json)``: joining one text
    gives the text, also when it is a document or ``jsonencode``'s value."""
    document = """
data "aws_iam_policy_document" "d" {
  count = 1
  statement {
    actions   = ["s3:*"]
    resources = ["*"]
  }
}
"""
    policies = {
        "splat": 'join("", data.aws_iam_policy_document.d[*].json)',
        "listed": 'join("", ["", data.aws_iam_policy_document.d[0].json])',
        "encoded": 'join(",", [jsonencode({ Statement = [{ Effect = "Allow", Action = "s3:*", '
        'Resource = "*" }] })])',
    }
    blocks = "".join(
        f'resource "aws_iam_policy" "{name}" {{\n  policy = {value}\n}}\n'
        for name, value in policies.items()
    )
    root = write(tmp_path, {"main.tf": document + blocks})
    result = scan([root], ScanOptions(checks=["IAM022"], use_cache=False))
    assert sorted(f.resource for f in result.findings) == [
        "aws_iam_policy.encoded",
        "aws_iam_policy.listed",
        "aws_iam_policy.splat",
    ]
    assert result.unresolved == []


def test_a_template_file_data_source_renders_its_template(tmp_path: Path) -> None:
    """The template provider renders ``template`` with ``vars`` at plan time, as
    ``templatefile()`` does; a policy read from its ``rendered`` is judged on the file's
    lines."""
    root = write(
        tmp_path,
        {
            "admin.json": '{\n  "Statement": [\n    {"Effect": "Allow", "Action": "${what}", '
            '"Resource": "*"}\n  ]\n}\n',
            "main.tf": """
data "template_file" "admin" {
  count    = 2
  template = file("${path.module}/admin.json")
  vars     = { what = ["s3:GetObject", "*"][count.index] }
}
resource "aws_iam_policy" "read" {
  policy = data.template_file.admin[0].rendered
}
resource "aws_iam_policy" "admin" {
  policy = data.template_file.admin[1].rendered
}
resource "aws_iam_policy" "unknown_key" {
  policy = data.template_file.admin[var.which].rendered
}
""",
        },
    )
    result = scan([root], ScanOptions(use_cache=False))
    assert [(f.check_id, f.resource, f.file, f.line) for f in result.findings] == [
        ("IAM020", "aws_iam_policy.admin", "admin.json", 3)
    ]
    assert [u.resource for u in result.unresolved] == ["aws_iam_policy.unknown_key"]
    assert result.resources_scanned == 3


def test_an_index_into_a_document_of_unknown_count_is_its_instance(tmp_path: Path) -> None:
    """``d[0].json`` exists in every plan that reads it, so the evaluated instance stands for
    it; a splat (zero or one documents) stays unknown."""
    root = write(
        tmp_path,
        {
            "main.tf": """
data "aws_iam_policy_document" "d" {
  count = var.create ? 1 : 0
  statement {
    actions   = ["s3:*"]
    resources = ["*"]
  }
}
resource "aws_iam_policy" "indexed" {
  policy = data.aws_iam_policy_document.d[0].json
}
resource "aws_iam_policy" "splat" {
  policy = one(data.aws_iam_policy_document.d[*].json)
}
"""
        },
    )
    result = scan([root], ScanOptions(checks=["IAM022"], use_cache=False))
    assert [f.resource for f in result.findings] == ["aws_iam_policy.indexed"]
    assert [u.resource for u in result.unresolved] == ["aws_iam_policy.splat"]
