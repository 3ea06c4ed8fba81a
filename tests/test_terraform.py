"""The Terraform front end: one test per policy form and per evaluation feature."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from iac_iam_checks.engine import ScanOptions, load
from iac_iam_checks.frontends.hcl_parser import PARSER_VARIABLE
from iac_iam_checks.iam.sources import documents_of
from iac_iam_checks.model.values import Location, PolicyDocument, Template, Unknown


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (root / ".git").mkdir(exist_ok=True)
    return root


def resources(root: Path, **options):
    loaded, _ = load([root], ScanOptions(**options))
    return loaded


def by_address(loaded):
    return {r.address: r for r in loaded.resources}


def statement_lines(resource) -> list[tuple[str, int, int]]:
    return [
        (s.location.file, s.location.line, s.location.end_line)
        for source in documents_of(resource)
        for s in source.document.statements
    ]


def test_jsonencode_statements_keep_their_lines(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            "main.tf": """resource "aws_iam_policy" "p" {
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = "s3:GetObject"
        Resource = "*"
      },
      { Effect = "Deny", Action = "s3:*", Resource = "*" },
    ]
  })
}
"""
        },
    )
    policy = by_address(resources(root))["aws_iam_policy.p"]
    assert statement_lines(policy) == [("main.tf", 5, 9), ("main.tf", 10, 10)]


def test_heredoc_json_lines_and_interpolation(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            "main.tf": """variable "bucket" { default = "logs" }
resource "aws_iam_role_policy" "p" {
  role   = "r"
  policy = <<-EOT
    {
      "Statement": [
        {"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::${var.bucket}/*"}
      ]
    }
  EOT
}
"""
        },
    )
    policy = by_address(resources(root))["aws_iam_role_policy.p"]
    [source] = documents_of(policy)
    [statement] = source.document.statements
    assert statement.resources == ["arn:aws:s3:::logs/*"]
    assert (statement.location.line, statement.location.end_line) == (7, 7)


def test_heredoc_with_unknown_hole_keeps_known_parts(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            "main.tf": """resource "aws_iam_role_policy" "p" {
  role   = "r"
  policy = <<EOF
{"Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::${var.b}/*"}}
EOF
}
"""
        },
    )
    [source] = documents_of(by_address(resources(root))["aws_iam_role_policy.p"])
    [statement] = source.document.statements
    [resource] = statement.resources
    assert isinstance(resource, Template)
    assert resource.parts == ("arn:aws:s3:::", Unknown("var.b"), "/*")


@pytest.mark.parametrize("parser", ["treesitter", "hcl2"])
def test_blanks_after_a_heredoc_closing_marker_end_it(
    tmp_path: Path, parser: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Terraform trims the closing line (``EOF `` ends the heredoc). Read otherwise, the
    first heredoc runs on to the second ``EOF``: policy "a" becomes broken JSON and policy
    "b", which allows everything, is never judged."""
    monkeypatch.setenv(PARSER_VARIABLE, parser)
    root = write(
        tmp_path,
        {
            "main.tf": """resource "aws_iam_policy" "a" {
  policy = <<EOF
{"Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}}
EOF \t
}

resource "aws_iam_policy" "b" {
  policy = <<-EOF
    {"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}
    EOF\x20\x20
}
"""
        },
    )
    loaded = resources(root)
    assert loaded.errors == []
    found = by_address(loaded)
    assert [
        s.actions
        for r in "ab"
        for src in documents_of(found[f"aws_iam_policy.{r}"])
        for s in src.document.statements
    ] == [["s3:GetObject"], ["*"]]
    assert statement_lines(found["aws_iam_policy.b"]) == [("main.tf", 9, 9)]


@pytest.mark.parametrize("parser", ["treesitter", "hcl2"])
def test_a_tf_json_interpolation_over_several_lines_is_evaluated(
    tmp_path: Path, parser: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Terraform reads a JSON string as a template, where line breaks inside ``${ }`` are
    blanks; escaped again as ``\\n`` they made a syntax error and the value a literal."""
    monkeypatch.setenv(PARSER_VARIABLE, parser)
    arns = {"admin": "arn:aws:iam::aws:policy/AdministratorAccess"}
    call = '${lookup(\n\t\tvar.arns,\n\t\t"admin",\n\t)}'
    attachment = {"role": "r", "policy_arn": call}
    document = {
        "variable": {"arns": {"default": arns}},
        "resource": {"aws_iam_role_policy_attachment": {"a": attachment}},
    }
    root = write(tmp_path, {"main.tf.json": json.dumps(document)})
    loaded = resources(root)
    assert loaded.errors == []
    found = by_address(loaded)["aws_iam_role_policy_attachment.a"]
    assert found.attrs["policy_arn"] == arns["admin"]


def test_policy_document_data_source_is_the_attribute_value(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            "main.tf": """data "aws_iam_policy_document" "d" {
  statement {
    actions   = ["s3:GetObject"]
    resources = ["*"]
  }
  statement {
    effect    = "Deny"
    actions   = ["s3:DeleteObject"]
    resources = ["*"]
    condition {
      test     = "Bool"
      variable = "aws:MultiFactorAuthPresent"
      values   = ["false"]
    }
  }
}
resource "aws_iam_policy" "p" {
  policy = data.aws_iam_policy_document.d.json
}
"""
        },
    )
    found = by_address(resources(root))
    policy = found["aws_iam_policy.p"]
    assert isinstance(policy.attrs["policy"], PolicyDocument)
    assert statement_lines(policy) == [("main.tf", 2, 5), ("main.tf", 6, 15)]
    deny = policy.attrs["policy"].statements[1]
    assert deny.effect == "Deny"
    assert deny.conditions == {"Bool": {"aws:MultiFactorAuthPresent": ["false"]}}
    data = found["data.aws_iam_policy_document.d"]
    assert data.metadata["used"] is True
    assert documents_of(data) == []


def test_dynamic_statements_and_source_documents(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            "main.tf": """locals {
  grants = { read = ["s3:GetObject"], write = ["s3:PutObject"] }
}
data "aws_iam_policy_document" "base" {
  statement {
    sid       = "Base"
    actions   = ["sqs:SendMessage"]
    resources = ["*"]
  }
}
data "aws_iam_policy_document" "d" {
  source_policy_documents = [data.aws_iam_policy_document.base.json]
  dynamic "statement" {
    for_each = local.grants
    content {
      sid       = statement.key
      actions   = statement.value
      resources = ["*"]
    }
  }
}
"""
        },
    )
    data = by_address(resources(root))["data.aws_iam_policy_document.d"]
    [source] = documents_of(data)
    assert [s.sid for s in source.document.statements] == ["Base", "read", "write"]
    assert [s.actions for s in source.document.statements] == [
        ["sqs:SendMessage"],
        ["s3:GetObject"],
        ["s3:PutObject"],
    ]


def test_file_policy_lines_point_into_the_json_file(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            "main.tf": """resource "aws_iam_policy" "p" {
  policy = file("${path.module}/policies/admin.json")
}
""",
            "policies/admin.json": """{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": "*",
      "Resource": "*"
    }
  ]
}
""",
        },
    )
    policy = by_address(resources(root))["aws_iam_policy.p"]
    assert statement_lines(policy) == [("policies/admin.json", 4, 8)]


def test_templatefile_renders_variables(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            "main.tf": """resource "aws_iam_policy" "p" {
  policy = templatefile("${path.module}/p.json.tpl", { bucket = "logs" })
}
""",
            "p.json.tpl": '{"Statement": [{"Effect": "Allow", "Action": "s3:GetObject",'
            ' "Resource": "arn:aws:s3:::${bucket}/*"}]}\n',
        },
    )
    [source] = documents_of(by_address(resources(root))["aws_iam_policy.p"])
    assert source.document.statements[0].resources == ["arn:aws:s3:::logs/*"]


def test_file_outside_the_repository_is_unknown_with_a_warning(tmp_path: Path) -> None:
    repo = write(
        tmp_path / "repo",
        {"main.tf": 'resource "aws_iam_policy" "p" {\n  policy = file("../outside.json")\n}\n'},
    )
    (tmp_path / "outside.json").write_text('{"Statement": []}', encoding="utf-8")
    loaded = resources(repo)
    assert isinstance(by_address(loaded)["aws_iam_policy.p"].attrs["policy"], Unknown)
    assert len(loaded.warnings) == 1


def test_variables_locals_and_tfvars(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            "main.tf": """variable "env" { default = "dev" }
variable "team" {}
locals { name = "${var.team}-${var.env}" }
resource "aws_iam_user" "u" { name = local.name }
""",
            "terraform.tfvars": 'team = "data"\n',
            "prod.auto.tfvars": 'env = "prod"\n',
        },
    )
    assert by_address(resources(root))["aws_iam_user.u"].attrs["name"] == "data-prod"


def test_var_file_option(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            "main.tf": 'variable "team" {}\nresource "aws_iam_user" "u" { name = var.team }\n',
            "extra.tfvars": 'team = "ops"\n',
        },
    )
    loaded = resources(root, var_files=[root / "extra.tfvars"])
    assert by_address(loaded)["aws_iam_user.u"].attrs["name"] == "ops"


def test_count_and_for_each_instances(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            "main.tf": """resource "aws_iam_user" "each" {
  for_each = toset(["alice", "bob"])
  name     = each.key
}
resource "aws_iam_user" "counted" {
  count = 2
  name  = "u${count.index}"
}
resource "aws_iam_user" "none" {
  count = 0
  name  = "never"
}
resource "aws_iam_user" "unknown" {
  for_each = var.users
  name     = each.key
}
"""
        },
    )
    found = by_address(resources(root))
    users = sorted(a for a in found if a.startswith("aws_iam_user."))
    assert users == [
        "aws_iam_user.counted[0]",
        "aws_iam_user.counted[1]",
        'aws_iam_user.each["alice"]',
        'aws_iam_user.each["bob"]',
        "aws_iam_user.unknown",
    ]
    assert found['aws_iam_user.each["bob"]'].attrs["name"] == "bob"
    assert found["aws_iam_user.counted[1]"].attrs["name"] == "u1"
    assert found["aws_iam_user.unknown"].metadata["count_unknown"] == Unknown("var.users")


def test_local_module_called_twice_reports_per_instance(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            "main.tf": """module "a" {
  source = "./modules/user"
  name   = "alice"
}
module "b" {
  source = "./modules/user"
  name   = "bob"
}
resource "aws_iam_user_policy_attachment" "x" {
  user       = module.a.user_name
  policy_arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
}
""",
            "modules/user/main.tf": """variable "name" {}
resource "aws_iam_user" "this" {
  name = var.name
}
output "user_name" { value = aws_iam_user.this.name }
""",
        },
    )
    found = by_address(resources(root))
    assert found["module.a.aws_iam_user.this"].attrs["name"] == "alice"
    assert found["module.b.aws_iam_user.this"].location == Location("modules/user/main.tf", 2, 4)
    user = found["aws_iam_user_policy_attachment.x"].attrs["user"]
    assert user.ref == ("module.a.aws_iam_user.this", "name")
    assert "aws_iam_user.this" not in found  # the module directory is not a root of its own


def test_a_root_is_parsed_without_the_outputs_nothing_reads(tmp_path: Path) -> None:
    """Nothing calls a root, so its outputs are never read: they are not even parsed, except
    those that may hold credentials (IAM012 reads those). The same folder called as a module
    is parsed with all its outputs."""
    from iac_iam_checks.engine.loading import parser_for
    from iac_iam_checks.frontends.terraform_loader import Loader

    root = write(
        tmp_path,
        {
            "main.tf": 'module "a" {\n  source = "./modules/user"\n}\n',
            "outputs.tf": 'output "user" {\n  value = module.a.user_name\n}\n'
            'output "deploy_key" {\n  value = "AKIA81U33XTPLPFT75V2"\n}\n',
            "modules/user/main.tf": 'resource "aws_iam_user" "this" {\n  name = "alice"\n}\n'
            'output "user_name" {\n  value = aws_iam_user.this.name\n}\n',
        },
    )
    loader = Loader(root, root, {}, parser_for(ScanOptions(use_cache=False)))
    as_root = loader.module_dir(root, root=True)
    assert as_root is not None and list(as_root.outputs) == ["deploy_key"]
    as_module = loader.module_dir(root)
    assert as_module is not None and sorted(as_module.outputs) == ["deploy_key", "user"]
    child = loader.module_dir(root / "modules" / "user")
    assert child is not None and list(child.outputs) == ["user_name"]
    found = by_address(resources(root, use_cache=False))
    assert found["output.deploy_key"].attrs["value"] == "AKIA81U33XTPLPFT75V2"


def test_remote_module_gives_one_unresolved_note(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {"main.tf": 'module "iam" {\n  source = "terraform-aws-modules/iam/aws"\n}\n'},
    )
    [(resource, value, message)] = resources(root).unresolved_notes
    assert resource.address == "module.iam"
    assert "not available locally" in message


def test_reference_by_attribute_carries_the_target_address(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            "main.tf": """resource "aws_iam_user" "u" { name = "alice" }
resource "aws_iam_access_key" "k" { user = aws_iam_user.u.name }
"""
        },
    )
    user = by_address(resources(root))["aws_iam_access_key.k"].attrs["user"]
    assert user == Unknown(
        "aws_iam_user.u.name", ref=("aws_iam_user.u", "name"), never_wildcard=True
    )


def test_syntax_error_is_reported_with_its_line(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            "good.tf": 'resource "aws_iam_user" "u" { name = "a" }\n',
            "bad.tf": 'resource "aws_iam_user" "v" {\n  name = \n}\n',
        },
    )
    loaded = resources(root)
    [error] = loaded.errors
    assert (error.file, error.line) == ("bad.tf", 2)
    assert "aws_iam_user.u" in by_address(loaded)


def test_references_to_every_instance_of_a_resource(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            "main.tf": """resource "aws_iam_user" "u" {
  for_each = toset(["alice", "bob"])
  name     = each.key
}
resource "aws_iam_user_login_profile" "p" {
  for_each = aws_iam_user.u
  user     = each.value.name
}
resource "aws_iam_group_membership" "m" {
  name  = "m"
  group = "g"
  users = [for u in aws_iam_user.u : u.name]
}
"""
        },
    )
    found = by_address(resources(root))
    profile = found['aws_iam_user_login_profile.p["bob"]']
    assert profile.attrs["user"].ref == ('aws_iam_user.u["bob"]', "name")
    users = found["aws_iam_group_membership.m"].attrs["users"]
    assert [u.ref for u in users] == [
        ('aws_iam_user.u["alice"]', "name"),
        ('aws_iam_user.u["bob"]', "name"),
    ]


def test_terraform_json_syntax(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            "main.tf.json": """{
  "variable": {"team": {"default": "ops"}},
  "resource": {
    "aws_iam_user": {"u": {"name": "${var.team}-bot"}},
    "aws_iam_role": {
      "r": {
        "assume_role_policy": "${data.aws_iam_policy_document.trust.json}",
        "inline_policy": {"name": "x", "policy": "{\\"Statement\\": []}"}
      }
    }
  },
  "data": {
    "aws_iam_policy_document": {
      "trust": {
        "statement": [
          {
            "actions": ["sts:AssumeRole"],
            "principals": [{"type": "AWS", "identifiers": ["*"]}]
          }
        ]
      }
    }
  }
}
""",
            "values.auto.tfvars.json": '{"team": "data"}',
        },
    )
    found = by_address(resources(root))
    assert found["aws_iam_user.u"].attrs["name"] == "data-bot"
    assert found["aws_iam_user.u"].location == Location("main.tf.json", 4, 4)
    role = found["aws_iam_role.r"]
    [statement] = role.attrs["assume_role_policy"].statements
    assert statement.principals == {"AWS": ["*"]}
    assert (statement.location.line, statement.location.end_line) == (16, 19)
    assert role.attrs["inline_policy"][0]["name"] == "x"


def test_policy_document_condition_values_are_strings(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            "main.tf": """data "aws_iam_policy_document" "d" {
  statement {
    effect    = "Deny"
    actions   = ["*"]
    resources = ["*"]
    condition {
      test     = "BoolIfExists"
      variable = "aws:MultiFactorAuthPresent"
      values   = [false]
    }
  }
}
"""
        },
    )
    data = by_address(resources(root))["data.aws_iam_policy_document.d"]
    [statement] = data.attrs["json"].statements
    assert statement.conditions == {"BoolIfExists": {"aws:MultiFactorAuthPresent": ["false"]}}


def test_a_policy_document_body_is_evaluated_once_per_instance(tmp_path, monkeypatch):
    """Building the document and making its data source Resource share one evaluation."""
    from iac_iam_checks.frontends.terraform_instance import ModuleInstance

    (tmp_path / "main.tf").write_text(
        """
data "aws_iam_policy_document" "doc" {
  count = 2
  statement {
    actions   = ["s3:GetObject"]
    resources = ["arn:aws:s3:::b/${count.index}"]
  }
}

resource "aws_iam_policy" "p" {
  policy = data.aws_iam_policy_document.doc[0].json
}
"""
    )
    evaluated: list[int] = []
    original = ModuleInstance.evaluate_body

    def counting(self, body, parsed, names):
        if any(getattr(c, "data", None) == "block" for c in body.children):
            evaluated.append(id(body))  # the document's body (it holds a statement block)
        return original(self, body, parsed, names)

    monkeypatch.setattr(ModuleInstance, "evaluate_body", counting)
    scan_input, _ = load([tmp_path], ScanOptions(use_cache=False))
    assert len(evaluated) == 2  # count = 2: once per instance, not twice
    data = [r for r in scan_input.resources if r.kind == "aws_iam_policy_document"]
    assert [r.address for r in data] == [
        "data.aws_iam_policy_document.doc[0]",
        "data.aws_iam_policy_document.doc[1]",
    ]
    assert all(isinstance(r.attrs["json"], PolicyDocument) for r in data)
    assert data[1].attrs["statement"][0]["resources"] == ["arn:aws:s3:::b/1"]
    assert "json" not in data[0].attrs["statement"][0]
