"""The same checks inside the real checkov CLI, run from its own pinned environment.

The first tests pin down the shapes of checkov's ``conf`` dicts (recorded from checkov 3.3.30)
and how checkov_conf turns them into our model (what the shim's in-process fallback judges),
then what the exported directory holds, then the fallback through real checkov. Verdicts with
the engine are compared with the CLI's in test_checkov_parity.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from checkov_env import CHECKOV_ENV, checkov_executable

from iac_iam_checks.checks.registry import all_checks
from iac_iam_checks.frontends import checkov_conf
from iac_iam_checks.integrations.checkov import export as checkov_dir
from iac_iam_checks.model.values import (
    LocatedDict,
    Location,
    PolicyDocument,
    Template,
    Unknown,
)

# --- conf shapes -> Resource ----------------------------------------------------------------


def test_terraform_conf_unwraps_values_and_keeps_blocks_as_lists() -> None:
    conf = {
        "__end_line__": 75,
        "__start_line__": 66,
        "name": ["r"],
        "assume_role_policy": [{"Version": "2012-10-17", "Statement": [{"Effect": "Allow"}]}],
        "inline_policy": [{"name": ["p"], "policy": [{"Statement": []}]}, {}],
        "managed_policy_arns": [["arn:aws:iam::aws:policy/ReadOnlyAccess"]],
        "count": [2],
        "__address__": 'module.m.aws_iam_role.r["k"]',
    }
    resource = checkov_conf.terraform_resource(
        conf, "aws_iam_role", '/modules/m/main.tf:aws_iam_role:r["k"]', "resource"
    )
    assert resource.attrs == {
        "name": "r",
        "assume_role_policy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow"}]},
        "inline_policy": [{"name": "p", "policy": {"Statement": []}}, {}],
        "managed_policy_arns": ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
    }
    assert resource.address == 'module.m.aws_iam_role.r["k"]'
    assert (resource.module, resource.name, resource.instance_key) == ("module.m", "r", "k")
    assert resource.location == Location("modules/m/main.tf", 66, 75)
    assert resource.framework == "terraform"


def test_terraform_text_checkov_could_not_evaluate_is_unknown() -> None:
    conf = {
        "__start_line__": 1,
        "__end_line__": 9,
        "user": ["aws_iam_user.a.name"],
        "name": ["upper(var.flag)"],
        "policy": ["data.aws_iam_policy_document.d.json"],
        "path": ['${file("${path.module}/policy.json")}'],
        "tags": [{"bucket": "arn:aws:s3:::var.name/*", "on": True}],
        "__address__": "aws_iam_user_policy.p",
    }
    attrs = checkov_conf.terraform_resource(
        conf, "aws_iam_user_policy", "/main.tf:aws_iam_user_policy:p", "resource"
    ).attrs
    assert attrs == {
        "user": Unknown("aws_iam_user.a.name", ref=("aws_iam_user.a", "name"), never_wildcard=True),
        "name": Unknown("upper(var.flag)"),
        "policy": Unknown(
            "data.aws_iam_policy_document.d.json", ref=("data.aws_iam_policy_document.d", "json")
        ),
        "path": Unknown('file("${path.module}/policy.json")'),
        "tags": {
            "bucket": Template(("arn:aws:s3:::", Unknown("var.name"), "/*")),
            "on": True,
        },
    }


def test_plan_conf_markers_and_values_known_after_apply() -> None:
    conf = {
        "name": ["q"],
        "user": ["alice"],
        "policy_arns": [["arn:aws:iam::1:policy/p", None]],
        "inline": [{"policy": ['{"Statement": []}'], "__startline__": [37], "start_line": [36]}],
        "__file__": ["/tmp/x/tfplan.json"],
        "__startline__": [51],
        "__endline__": [53],
        "start_line": [50],
        "end_line": [52],
        "__address__": "module.m.aws_iam_user_policy.q",
        "__change_actions__": ["create"],
        "__change_keys__": [],
    }
    resource = checkov_conf.terraform_resource(
        conf, "aws_iam_user_policy", "/tfplan.json:aws_iam_user_policy:q", "resource"
    )
    assert resource.framework == "terraform_plan"
    assert resource.location == Location("tfplan.json", 51, 53)
    assert resource.attrs == {
        "name": "q",
        "user": "alice",
        "policy_arns": [
            "arn:aws:iam::1:policy/p",
            Unknown("module.m.aws_iam_user_policy.q.policy_arns (known after apply)"),
        ],
        "inline": [{"policy": '{"Statement": []}'}],
        "policy": Unknown("module.m.aws_iam_user_policy.q.policy (known after apply)"),
    }


def test_policy_document_data_source_becomes_a_document() -> None:
    conf = {
        "__end_line__": 65,
        "__start_line__": 47,
        "dynamic": [
            {
                "statement": {
                    "content": [{"actions": [["s3:${statement.value}"]], "resources": [["*"]]}],
                    "for_each": [["Get*", "Put*"]],
                }
            },
            {"statement": {"content": [{"actions": [["x:Y"]]}], "for_each": ["var.items"]}},
        ],
        "statement": [
            {
                "sid": ["Admin"],
                "actions": [["iam:*"]],
                "condition": [
                    {
                        "test": ["Bool"],
                        "values": [[True]],
                        "variable": ["aws:MultiFactorAuthPresent"],
                    }
                ],
                "principals": [{"type": ["AWS"], "identifiers": [["arn:aws:iam::1:root"]]}],
                "resources": [["*"]],
            }
        ],
        "__address__": "aws_iam_policy_document.d",
    }
    resource = checkov_conf.terraform_resource(
        conf, "aws_iam_policy_document", "/main.tf:aws_iam_policy_document:d", "data"
    )
    assert resource.address == "data.aws_iam_policy_document.d"
    assert resource.metadata == {"used": False}
    document = resource.attrs["json"]
    assert isinstance(document, PolicyDocument)
    assert document.origin == "data.aws_iam_policy_document.d"
    assert [s.raw for s in document.statements[:3]] == [
        {
            "Sid": "Admin",
            "Effect": "Allow",
            "Action": ["iam:*"],
            "Resource": ["*"],
            "Principal": {"AWS": ["arn:aws:iam::1:root"]},
            "Condition": {"Bool": {"aws:MultiFactorAuthPresent": ["true"]}},
        },
        {"Effect": "Allow", "Action": ["s3:Get*"], "Resource": ["*"]},
        {"Effect": "Allow", "Action": ["s3:Put*"], "Resource": ["*"]},
    ]
    assert document.statements[3].effect == Unknown('dynamic "statement"')


def test_data_source_in_a_module_keeps_our_address_shape() -> None:
    conf = {"__start_line__": 9, "__end_line__": 14, "statement": [{"actions": [["s3:*"]]}]}
    conf["__address__"] = "module.m.aws_iam_policy_document.md"
    resource = checkov_conf.terraform_resource(
        conf, "aws_iam_policy_document", "/m/main.tf:aws_iam_policy_document:md", "data"
    )
    assert (resource.address, resource.module, resource.name) == (
        "module.m.data.aws_iam_policy_document.md",
        "module.m",
        "md",
    )


def test_cloudformation_intrinsics_and_variants() -> None:
    conf = {
        "Type": "AWS::IAM::Role",
        "Properties": {
            "RoleName": "role-dev",
            "ManagedPolicyArns": [
                {"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/AdministratorAccess"},
                {"Ref": "AWS::NoValue"},
                {"Fn::If": ["IsProd", "arn:a", {"Ref": "PolicyB"}]},
            ],
            "Path": {"Fn::If": ["IsProd", "/prod/", {"Fn::GetAtt": ["UserA", "Arn"]}]},
            "Description": {"Fn::Join": ["-", ["a", {"Ref": "AWS::Region"}]]},
            "__file__": "cfn/t.yaml",
            "__startline__": 10,
            "__endline__": 28,
            "resource_type": "AWS::IAM::Role",
        },
        "Metadata": {"aws:cdk:path": "Stack/Role/Resource"},
        "__file__": "cfn/t.yaml",
        "__startline__": 10,
        "__endline__": 28,
    }
    variants = checkov_conf.cloudformation_resources(
        conf, "AWS::IAM::Role", "/t.yaml:AWS::IAM::Role:RoleA"
    )
    assert [v.attrs["Path"] for v in variants] == ["/prod/", Unknown("UserA.Arn", ("UserA", "Arn"))]
    first = variants[0]
    assert sorted(first.attrs) == ["Description", "ManagedPolicyArns", "Path", "RoleName"]
    assert (first.address, first.kind, first.location) == (
        "RoleA",
        "AWS::IAM::Role",
        Location("t.yaml", 10, 28),
    )
    assert first.attrs["ManagedPolicyArns"] == [
        Template(("arn:", Unknown("AWS::Partition"), ":iam::aws:policy/AdministratorAccess")),
        "arn:a",
        Unknown("Ref PolicyB", ref=("PolicyB", "Ref")),
    ]
    assert first.attrs["Description"] == Template(("a-", Unknown("AWS::Region")))
    assert first.metadata == {
        "Metadata": {"aws:cdk:path": "Stack/Role/Resource"},
        "Condition": None,
    }
    assert isinstance(first.attrs, LocatedDict)
    assert first.attrs.location == Location("t.yaml", 10, 28)


NULL_CONDITION_TEMPLATE = """AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Env: {Type: String, Default: dev}
  # the bucket's own parameter, which IsProd does not read (see NULL_CONDITION_CONF)
  Bucket: {Type: String, Default: dev}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
Resources:
  NullConditionPolicy:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      Path: !If [IsProd, /prod/, /dev/]
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Deny
            Action: "s3:*"
            Resource: !Sub "arn:aws:s3:::${Bucket}-bucket/*"
            Condition:
              Null:
                aws:MultiFactorAuthAge: "true"
          - !If [IsProd, {Effect: Allow, Action: s3:GetObject, Resource: "*"}, !Ref AWS::NoValue]
"""


def _marked(start: int, end: int, **entries: Any) -> dict[Any, Any]:
    return {
        **entries,
        "__file__": "cfn/null_condition.yaml",
        "__startline__": start,
        "__endline__": end,
    }


NULL_CONDITION_CONF = {
    "Properties": _marked(
        10,
        23,
        Path={"Fn::If": ["IsProd", "/prod/", "/dev/"]},
        PolicyDocument=_marked(
            14,
            23,
            Statement=[
                _marked(
                    16,
                    22,
                    Action="s3:*",
                    Condition={None: _marked(21, 22, **{"aws:MultiFactorAuthAge": "true"})}
                    | _marked(20, 22),
                    Effect="Deny",
                    Resource="arn:aws:s3:::dev-bucket/*",
                ),
                {
                    "Fn::If": [
                        "IsProd",
                        _marked(22, 22, Action="s3:GetObject", Effect="Allow", Resource="*"),
                        {"Ref": "AWS::NoValue"},
                    ]
                },
            ],
            Version="2012-10-17",
        ),
        resource_type="AWS::IAM::ManagedPolicy",
    ),
    "Type": "AWS::IAM::ManagedPolicy",
}
"""What checkov 3.3.30 hands a check for NULL_CONDITION_TEMPLATE: its YAML loader reads the
condition operator ``Null`` as None, and it substitutes the parameter default itself. (The
bucket is its own parameter: one that ``IsProd`` reads is not its default in the prod branch,
which only the template text, with its Conditions, can tell.)"""


def test_cloudformation_conf_is_evaluated_like_the_template_text() -> None:
    from iac_iam_checks.frontends.cloudformation import parse_template

    variants = checkov_conf.cloudformation_resources(
        NULL_CONDITION_CONF,
        "AWS::IAM::ManagedPolicy",
        "/null_condition.yaml:AWS::IAM::ManagedPolicy:NullConditionPolicy",
    )
    parsed, errors = parse_template(NULL_CONDITION_TEMPLATE, "null_condition.yaml")
    assert errors == []
    assert [v.attrs for v in variants] == [r.attrs for r in parsed if r.kind != "Parameter"]
    assert variants[0].attrs["PolicyDocument"]["Statement"][0]["Condition"] == {
        "Null": {"aws:MultiFactorAuthAge": "true"}
    }
    assert [v.attrs["Path"] for v in variants] == ["/prod/", "/dev/"]
    assert (variants[0].address, variants[0].location) == (
        "NullConditionPolicy",
        Location("null_condition.yaml", 10, 23),
    )


def test_cloudformation_conf_keys_become_the_names_written() -> None:
    conf = {"Type": "AWS::IAM::Role", "Properties": {"Tags": {True: "x", 5: "y", None: "z"}}}
    (role,) = checkov_conf.cloudformation_resources(
        conf, "AWS::IAM::Role", "/t.yaml:AWS::IAM::Role:R"
    )
    assert role.attrs == {"Tags": {"true": "x", "5": "y", "Null": "z"}}
    assert role.location == Location("t.yaml", 1, 1)


# --- the external-checks directory ----------------------------------------------------------


def test_export_holds_exactly_what_checkov_may_load(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    exported = checkov_dir.export(tmp_path / "ext")
    assert sorted(p.name for p in exported.iterdir()) == [
        "__init__.py",
        "core.zip",
        "engine.txt",
        "iac_iam_checks_shim.py",
    ]
    cached = checkov_dir.main_dir()
    assert cached.parent == tmp_path / "cache" / "iac-iam-checks"
    assert checkov_dir.main_dir() == cached
    assert {p.name: p.read_bytes() for p in cached.iterdir()} == {
        p.name: p.read_bytes() for p in exported.iterdir()
    }
    names = zipfile.ZipFile(exported / "core.zip").namelist()
    assert all(name.startswith("iac_iam_checks_core/") for name in names)
    assert not [n for n in names if n.endswith((".tf", ".yaml", ".yml"))]
    assert "iac_iam_checks_core/iam/data/iam_actions.tsv" in names


ARCHIVE_PROBE = """
import importlib, sys, zipfile
sys.path.append(sys.argv[1])
for name in zipfile.ZipFile(sys.argv[1]).namelist():
    if name.endswith(".py"):
        importlib.import_module(name[:-3].removesuffix("/__init__").replace("/", "."))
from iac_iam_checks_core.checks.registry import all_checks
assert not {"hcl2", "yaml", "lark", "click", "iac_iam_checks"} & set(sys.modules), sys.modules
print(" ".join(all_checks()))
"""


def test_a_damaged_cached_directory_is_never_handed_to_checkov(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    cached = checkov_dir.main_dir()
    (cached / "core.zip").write_bytes(b"damaged")
    assert checkov_dir.main_dir() == cached  # written again in place
    assert {p.name: p.read_bytes() for p in cached.iterdir()} == checkov_dir.directory_files()
    assert [p.name for p in cached.parent.iterdir()] == [cached.name]  # no staging folder left


def test_core_archive_imports_with_the_standard_library_alone(tmp_path: Path) -> None:
    """Every module of the archive imports on its own (no site-packages: no hcl2, yaml, lark,
    click), and every check registers under the private package name."""
    exported = checkov_dir.export(tmp_path / "ext")
    out = subprocess.run(
        [sys.executable, "-I", "-S", "-c", ARCHIVE_PROBE, str(exported / "core.zip")],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
    )
    assert out.stdout.split() == list(all_checks())


def test_the_core_must_import_itself_relatively() -> None:
    source = "from iac_iam_checks.model.values import Resource\n"
    with pytest.raises(checkov_dir.ExportError, match="must import itself relatively"):
        checkov_dir._own_imports("checks.x", checkov_dir.ROOT / "checks" / "x.py", source)


# --- the fallback: no engine where checkov runs ---------------------------------------------

FALLBACK_CASE = """\
resource "aws_iam_user" "alone" {
  name = "alone"
}

resource "aws_iam_user_login_profile" "alone" {
  user = aws_iam_user.alone.name
}

resource "aws_iam_role_policy" "inline" {
  name   = "p"
  role   = "r"
  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "s3:*", Resource = "*" }] })
}
"""


FALLBACK_TEMPLATE = """\
Resources:
  User:
    Type: AWS::IAM::User
  Key:
    Type: AWS::IAM::AccessKey
    Properties:
      UserName: !Ref User
"""


def test_without_the_engine_checkov_says_so_once_and_runs_per_resource_checks(
    tmp_path: Path,
) -> None:
    """An exported directory whose recorded interpreter is gone (copied to another machine):
    one line on stderr for the whole run (two framework processes), per-resource checks still
    report, graph checks stay UNKNOWN."""
    external = checkov_dir.export(tmp_path / "external")
    assert (external / "engine.txt").read_text() == f"{sys.executable}\n"
    (external / "engine.txt").write_text("/nonexistent/bin/python\n")
    (tmp_path / "repo").mkdir()
    (tmp_path / "repo" / "main.tf").write_text(FALLBACK_CASE)
    (tmp_path / "repo" / "stack.yaml").write_text(FALLBACK_TEMPLATE)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "BC_API", "CKV_"))}
    env.update(CHECKOV_ENV, HOME=str(tmp_path))
    done = subprocess.run(
        [
            str(checkov_executable()),
            "-d",
            str(tmp_path / "repo"),
            "--framework",
            "terraform",
            "cloudformation",
            "--external-checks-dir",
            str(external),
            "-o",
            "json",
            "--skip-download",
            "--check",
            ",".join(all_checks()),
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        check=False,
    )
    ours = [line for line in done.stderr.splitlines() if "iac-iam-checks" in line]
    assert len(ours) == 1, done.stderr[-3000:]
    assert "/nonexistent/bin/python" in ours[0] and "per-resource checks" in ours[0]
    reports = json.loads(done.stdout)
    results = [report["results"] for report in reports]
    failed = {(r["check_id"], r["resource"]) for part in results for r in part["failed_checks"]}
    assert failed == {
        ("IAM001", "aws_iam_role_policy.inline"),
        ("IAM022", "aws_iam_role_policy.inline"),
        ("IAM011", "AWS::IAM::AccessKey.Key"),
    }
    graph_checks = {c.id for c in all_checks().values() if c.needs_graph}
    reported = {r["check_id"] for part in results for kind in part.values() for r in kind}
    assert reported and not reported & graph_checks
