"""Front ends on the shapes real repositories have: module idioms, odd encodings, hostile sizes."""

from __future__ import annotations

import json
from pathlib import Path

from iac_iam_checks.engine import ScanOptions, load
from iac_iam_checks.model.values import Unknown


def write(root: Path, files: dict[str, str | bytes]) -> Path:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    (root / ".git").mkdir(exist_ok=True)
    return root


def loaded(path: Path):
    out, _ = load([path], ScanOptions())
    return out


def attrs(path: Path) -> dict[str, dict]:
    return {r.address: r.attrs for r in loaded(path).resources}


USER_MODULE = """
variable "name" {}
variable "create" {
  default = true
}
resource "aws_iam_user" "this" {
  count = var.create ? 1 : 0
  name  = var.name
}
resource "aws_iam_policy" "this" {
  count  = var.create ? 1 : 0
  name   = var.name
  policy = "{}"
}
output "user_name" {
  value = try(aws_iam_user.this[0].name, "")
}
output "policy_arn" {
  value = try(aws_iam_policy.this[0].arn, "")
}
"""


def test_try_keeps_a_reference_and_skips_only_errors(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            "modules/user/main.tf": USER_MODULE,
            "main.tf": """
variable "settings" {
  default = {}
}
module "on" {
  source = "./modules/user"
  name   = "on"
}
module "off" {
  source = "./modules/user"
  name   = "off"
  create = false
}
resource "aws_iam_role_policy_attachment" "on" {
  role       = "r"
  policy_arn = module.on.policy_arn
}
resource "aws_iam_role_policy_attachment" "off" {
  role       = "r"
  policy_arn = module.off.policy_arn
}
resource "aws_iam_user" "defaults" {
  name = try(var.settings.missing.deep, "fallback")
  tags = {
    known   = can(var.settings)
    missing = can(var.settings.missing)
    unknown = can(aws_iam_user.x.name)
  }
}
""",
        },
    )
    found = attrs(root)
    on = found["aws_iam_role_policy_attachment.on"]["policy_arn"]
    assert on == Unknown(
        "aws_iam_policy.this[0].arn",
        ref=("module.on.aws_iam_policy.this[0]", "arn"),
        never_wildcard=True,  # one instance's ARN, even reached through the counted block
    )
    assert found["aws_iam_role_policy_attachment.off"]["policy_arn"] == ""
    defaults = found["aws_iam_user.defaults"]
    assert defaults["name"] == "fallback"
    assert defaults["tags"] == {
        "known": True,
        "missing": False,
        "unknown": Unknown("can(aws_iam_user.x.name)"),
    }


def test_a_module_with_for_each_is_a_map_of_its_outputs(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            "modules/user/main.tf": USER_MODULE,
            "main.tf": """
module "users" {
  source   = "./modules/user"
  for_each = { for name in ["bob", "alice"] : name => name }
  name     = each.value
}
resource "aws_iam_group_membership" "all" {
  name  = "all"
  group = "g"
  users = values(module.users)[*].user_name
}
""",
        },
    )
    users = attrs(root)["aws_iam_group_membership.all"]["users"]
    assert [u.ref for u in users] == [
        ('module.users["alice"].aws_iam_user.this[0]', "name"),
        ('module.users["bob"].aws_iam_user.this[0]', "name"),
    ]


def test_jsonencode_inside_a_template_is_json_text(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            "policies/kms.json.tpl": (
                '{"Statement": [{"Effect": "Allow", "Action": ${jsonencode(actions)},'
                ' "Resource": ${jsonencode(key)}}]}\n'
            ),
            "main.tf": """
resource "aws_iam_policy" "kms" {
  name = "kms"
  policy = templatefile("${path.module}/policies/kms.json.tpl", {
    actions = ["kms:Decrypt", "kms:Encrypt"]
    key     = "arn:aws:kms:eu-west-1:111122223333:key/k"
  })
}
resource "aws_iam_user" "u" {
  name = "u-${jsonencode({ a = [1, true] })}"
}
""",
        },
    )
    found = attrs(root)
    assert json.loads(found["aws_iam_policy.kms"]["policy"]) == {
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["kms:Decrypt", "kms:Encrypt"],
                "Resource": "arn:aws:kms:eu-west-1:111122223333:key/k",
            }
        ]
    }
    assert found["aws_iam_user.u"]["name"] == 'u-{"a":[1,true]}'


def test_module_file_with_byte_order_mark_outside_the_scanned_path(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            "modules/user/main.tf": b'\xef\xbb\xbfresource "aws_iam_user" "this" {\n'
            b'  name = "bom"\n}\n',
            "envs/prod/main.tf": 'module "user" {\n  source = "../../modules/user"\n}\n',
        },
    )
    out = loaded(root / "envs" / "prod")
    assert out.errors == []
    user = next(r for r in out.resources if r.kind == "aws_iam_user")
    assert (user.address, user.location.file, user.location.line) == (
        "module.user.aws_iam_user.this",
        "../../modules/user/main.tf",
        1,
    )


def test_tf_json_dynamic_block_iterator(tmp_path: Path) -> None:
    document = {
        "data": {
            "aws_iam_policy_document": {
                "trust": {
                    "dynamic": {
                        "statement": {
                            "for_each": ["ec2", "lambda"],
                            "iterator": "svc",
                            "content": {
                                "sid": "${svc.value}",
                                "actions": ["sts:AssumeRole"],
                            },
                        }
                    }
                }
            }
        }
    }
    root = write(tmp_path, {"main.tf.json": json.dumps(document, indent=2)})
    statements = attrs(root)["data.aws_iam_policy_document.trust"]["statement"]
    assert [s["sid"] for s in statements] == ["ec2", "lambda"]


def test_exponentially_shared_locals_stay_bounded(tmp_path: Path) -> None:
    chain = "\n".join(
        f"  l{i} = merge(local.l{i - 1}, {{ k{i} = local.l{i - 1} }})" for i in range(1, 60)
    )
    root = write(
        tmp_path,
        {
            "main.tf": f"""locals {{
  l0 = {{ a = 1, b = 2 }}
{chain}
}}
resource "aws_iam_user" "u" {{
  name = "u"
  tags = local.l59
}}
"""
        },
    )
    out = loaded(root)
    user = next(r for r in out.resources if r.address == "aws_iam_user.u")
    assert user.attrs["tags"] == Unknown("merge(local.l58, { k59 = local.l58 })")
    assert out.warnings == ["local.l17: value larger than 200000 elements; treated as unknown"]


def test_nested_for_expressions_have_an_iteration_budget(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            "main.tf": """locals {
  grid = [for a in range(1000) : [for b in range(1000) : b]]
}
resource "aws_iam_user" "u" {
  name = "u-${length(local.grid)}"
  tags = { grid = local.grid }
}
""",
        },
    )
    user = next(r for r in loaded(root).resources if r.address == "aws_iam_user.u")
    grid = user.attrs["tags"]["grid"]
    assert grid[98] == list(range(1000))  # Terraform's range stops at 1024 numbers
    assert grid[99] == Unknown("[for b in range(1000) : b]")


def test_nested_module_instances_have_a_budget(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            "main.tf": 'module "a" {\n  source = "./a"\n  count  = 200\n}\n',
            "a/main.tf": 'module "b" {\n  source = "../b"\n  count  = 100\n}\n',
            "b/main.tf": 'resource "aws_iam_user" "u" {\n  name = "u"\n}\n',
        },
    )
    out = loaded(root)
    users = [r.address for r in out.resources if r.kind == "aws_iam_user"]
    assert users[:2] == [
        "module.a[0].module.b[0].aws_iam_user.u",
        "module.a[0].module.b[1].aws_iam_user.u",
    ]
    # 200 instances of a, then 98 x 100 of b use the budget up: the rest are evaluated once.
    assert users[9799:9801] == [
        "module.a[97].module.b[99].aws_iam_user.u",
        "module.a[98].module.b.aws_iam_user.u",
    ]
    assert len(users) == 98 * 100 + 102
    assert out.warnings[0] == (
        "a/main.tf:1: more than 10000 module instances; module.a[98].module.b evaluated once, "
        "its keys unknown"
    )


def test_cloudformation_language_extensions_to_json_string_and_length() -> None:
    from iac_iam_checks.frontends.cloudformation import parse_template

    text = """Transform: AWS::LanguageExtensions
Resources:
  P:
    Type: AWS::IAM::Policy
    Properties:
      PolicyName: p
      Groups: [g]
      PolicyDocument: !ToJsonString
        Version: "2012-10-17"
        Statement:
          - {Effect: Allow, Action: "iam:*", Resource: "*"}
      Count: !Length [a, b]
      Unknown: !ToJsonString {Ref: Missing}
"""
    (policy,), errors = parse_template(text, "t.yaml")
    assert errors == []
    document = policy.attrs["PolicyDocument"]
    assert document == {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "iam:*", "Resource": "*"}],
    }
    assert document["Statement"][0].location.line == 11
    assert policy.attrs["Count"] == 2
    assert policy.attrs["Unknown"] == Unknown("!ToJsonString !Ref Missing")
