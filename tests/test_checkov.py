"""The same checks inside the real checkov CLI, run from its own pinned environment.

One ``checkov -d`` per framework over a folder holding copies of every check's examples (each
check in its own subfolder), loading the *exported* external-checks directory so nothing of
ours needs to be installed where checkov runs. Expectations come from the examples' names, as
in test_examples.py: ``bad_*``/``Bad*`` FAILED, ``good_*``/``Good*`` PASSED, for every check
that is not CLI-only and every block checkov can see. The plan run scans the plan that
plan_from_hcl.py builds from each Terraform example (no terraform binary is needed).

The first tests pin down the shapes of checkov's ``conf`` dicts (recorded from checkov 3.3.30)
and how checkov_conf turns them into our model.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from checkov_env import CHECKOV_ENV, checkov_executable
from plan_from_hcl import plan_from_resources

from iac_iam_checks.checks.registry import all_checks
from iac_iam_checks.engine import ScanOptions, load
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
  Env:
    Type: String
    Default: dev
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
            Resource: !Sub "arn:aws:s3:::${Env}-bucket/*"
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
condition operator ``Null`` as None, and it substitutes the parameter default itself."""


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
    assert "iac_iam_checks_core/iam/data/iam_actions.json.gz" in names


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


# --- the real checkov ----------------------------------------------------------------------

FRAMEWORK_SUFFIX = {"terraform": ".tf", "cloudformation": ".yaml"}
EXTRA_EXAMPLE = """variable "arns" {}

resource "aws_iam_role_policy" "skipped" {
  # checkov:skip=IAM001:reviewed inline policy
  name   = "p"
  role   = "r"
  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "s3:Get*", Resource = "*" }] })
}

resource "aws_iam_user_policy_attachments_exclusive" "unresolved" {
  user_name   = "ana"
  policy_arns = var.arns
}
"""


def checkov_checks() -> list[Any]:
    """Checks that run inside checkov: all but the CLI-only (graph) ones."""
    return [c for c in all_checks().values() if not c.needs_graph]


def short_name(address: str) -> str:
    return address.split("[", 1)[0].rsplit(".", 1)[-1]


def expectation(name: str) -> str | None:
    if name.startswith(("bad_", "Bad")):
        return "FAILED"
    if name.startswith(("good_", "Good")):
        return "PASSED"
    return None


@pytest.fixture(scope="module")
def checkov_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One checkov run per framework; returns per framework the folder and the results
    as {(check id, example folder, resource short name): set of verdicts}."""
    checkov = checkov_executable()
    work = tmp_path_factory.mktemp("checkov")
    external = checkov_dir.export(work / "external")
    runs: dict[str, Any] = {}
    degraded_by_check: dict[str, set[str]] = {}
    for framework in ("terraform", "cloudformation", "terraform_plan"):
        folder = work / framework
        folder.mkdir()
        for check in checkov_checks():
            for example in check.examples():
                if framework == "terraform_plan" and example.suffix == ".tf":
                    loaded, _ = load([example], ScanOptions(frameworks=["terraform"]))
                    plan, degraded = plan_from_resources(loaded.resources)
                    (folder / check.id).mkdir()
                    (folder / check.id / "tfplan.json").write_text(json.dumps(plan, indent=1))
                    degraded_by_check[check.id] = degraded
                elif example.suffix == FRAMEWORK_SUFFIX.get(framework):
                    (folder / check.id).mkdir(exist_ok=True)
                    shutil.copy(example, folder / check.id / example.name)
        if framework == "terraform":
            (folder / "extra").mkdir()
            (folder / "extra" / "main.tf").write_text(EXTRA_EXAMPLE)
        if framework == "cloudformation":
            (folder / "extra").mkdir()
            (folder / "extra" / "null_condition.yaml").write_text(NULL_CONDITION_TEMPLATE)
        runs[framework] = run_checkov(checkov, folder, framework, external, work)
    runs["terraform_plan"]["degraded"] = degraded_by_check
    return runs


def run_checkov(checkov: Path, folder: Path, framework: str, external: Path, cwd: Path) -> Any:
    ids = ",".join(c.id for c in checkov_checks())
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "BC_API", "CKV_"))}
    env.update(CHECKOV_ENV)
    command = [
        str(checkov),
        "-d",
        str(folder),
        "--framework",
        framework,
        "--external-checks-dir",
        str(external),
        "-o",
        "json",
        "--skip-download",
        "--check",
        ids,
    ]
    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=cwd, check=False)
    assert done.returncode in (0, 1), done.stderr[-3000:]
    assert "Cannot load external check" not in done.stderr, done.stderr[-3000:]
    report = json.loads(done.stdout)
    reports = report if isinstance(report, list) else [report]
    verdicts: dict[tuple[str, str, str], set[str]] = {}
    records = {}
    for part in reports:
        if "results" not in part:  # "no resources found" summary
            continue
        for kind in ("passed_checks", "failed_checks", "skipped_checks"):
            for record in part["results"][kind]:
                folder_name = record["file_path"].strip("/").split("/")[0]
                key = (record["check_id"], folder_name, short_name(record["resource"]))
                verdicts.setdefault(key, set()).add(record["check_result"]["result"])
                records[key] = record
    return {"folder": folder, "verdicts": verdicts, "records": records}


def expected_verdicts(check: Any, example: Path) -> dict[str, str]:
    """short name -> verdict checkov must give, from our own front end's view of the example.

    Blocks checkov cannot show (variables, locals, tfvars, CFN Parameters) are CLI-only. A
    policy built by ``data "aws_iam_policy_document"`` is judged on the data source inside
    checkov (checkov leaves the reference unresolved in the resource's conf)."""
    framework = "cloudformation" if example.suffix == ".yaml" else "terraform"
    kinds = checkov_conf.checkov_kinds(check.kinds.get(framework, ()))
    loaded, _ = load([example], ScanOptions(use_cache=False))
    out: dict[str, str] = {}
    for resource in loaded.resources:
        wanted = expectation(short_name(resource.address))
        visible = (
            resource.kind in kinds.data + kinds.resources
            or "*" in kinds.resources
            or (resource.kind == "provider" and kinds.provider)
        ) and resource.kind not in checkov_conf.PSEUDO_KINDS - {"provider"}
        if wanted is None or not visible:
            continue
        origins = data_document_origins(resource.attrs)
        if origins and "aws_iam_policy_document" in kinds.data:
            # The resource itself is UNKNOWN (or FAILED for reasons besides the policy).
            out.update((short_name(origin), wanted) for origin in origins)
        else:
            out.setdefault(short_name(resource.address), wanted)
    return out


def data_document_origins(value: Any) -> list[str]:
    if isinstance(value, PolicyDocument):
        return [value.origin] if value.origin.startswith("data.") else []
    if isinstance(value, dict):
        return [o for v in value.values() for o in data_document_origins(v)]
    if isinstance(value, list):
        return [o for v in value for o in data_document_origins(v)]
    return []


EXAMPLE_CASES = [
    pytest.param(check.id, example, id=f"{check.id}-{example.suffix[1:]}")
    for check in checkov_checks()
    for example in check.examples()
]


@pytest.mark.parametrize(("check_id", "example"), EXAMPLE_CASES)
def test_checkov_gives_the_examples_verdicts(
    checkov_runs: dict[str, Any], check_id: str, example: Path
) -> None:
    check = all_checks()[check_id]
    framework = "cloudformation" if example.suffix == ".yaml" else "terraform"
    expected = expected_verdicts(check, example)
    assert expected, f"{example.name}: no good_/bad_ block checkov can see"
    verdicts = checkov_runs[framework]["verdicts"]
    got = {name: verdicts.get((check_id, check_id, name)) for name in expected}
    assert got == {name: {verdict} for name, verdict in expected.items()}


@pytest.mark.parametrize(
    ("check_id", "example"),
    [p for p in EXAMPLE_CASES if p.values[1].suffix == ".tf"],
)
def test_checkov_plan_gives_the_examples_verdicts(
    checkov_runs: dict[str, Any], check_id: str, example: Path
) -> None:
    """The plan built from the example (plan_from_hcl.py): every managed good_/bad_ resource
    the check covers, except those whose values a plan can only show as wholly unknown."""
    run = checkov_runs["terraform_plan"]
    plan = json.loads((run["folder"] / check_id / "tfplan.json").read_text())
    kinds = all_checks()[check_id].kinds["terraform"]
    expected = {
        short_name(address): verdict
        for address, kind in managed_resources(plan["planned_values"]["root_module"])
        if (kind in kinds or "*" in kinds)
        and address not in run["degraded"][check_id]
        and (verdict := expectation(short_name(address)))
    }
    got = {name: run["verdicts"].get((check_id, check_id, name)) for name in expected}
    assert got == {name: {verdict} for name, verdict in expected.items()}


def managed_resources(module: dict[str, Any]) -> list[tuple[str, str]]:
    """(address, type) of every managed resource in a plan module and its children."""
    found = [
        (r["address"], r["type"]) for r in module.get("resources", []) if r["mode"] == "managed"
    ]
    for child in module.get("child_modules", []):
        found += managed_resources(child)
    return found


def test_checkov_shows_our_metadata_and_honours_skip_comments(
    checkov_runs: dict[str, Any],
) -> None:
    record = checkov_runs["terraform"]["records"][("IAM001", "extra", "skipped")]
    check = all_checks()["IAM001"]
    assert record["check_result"] == {
        "result": "SKIPPED",
        "suppress_comment": "reviewed inline policy",
    }
    assert record["check_name"] == check.title
    assert record["severity"] == check.severity
    assert record["guideline"] == f"{check.why} Fix: {check.fix}"


def test_unresolved_is_unknown_which_checkov_leaves_out(checkov_runs: dict[str, Any]) -> None:
    verdicts = checkov_runs["terraform"]["verdicts"]
    assert verdicts[("IAM012", "extra", "unresolved")] == {"PASSED"}
    assert ("IAM002", "extra", "unresolved") not in verdicts


def test_checkov_reads_the_null_condition_operator(checkov_runs: dict[str, Any]) -> None:
    """checkov's loader reads ``Null:`` as None; the policy is still valid (IAM027)."""
    verdicts = checkov_runs["cloudformation"]["verdicts"]
    assert verdicts[("IAM027", "extra", "NullConditionPolicy")] == {"PASSED"}


def test_graph_checks_are_not_registered_in_checkov(checkov_runs: dict[str, Any]) -> None:
    ran = {key[0] for run in checkov_runs.values() for key in run["verdicts"]}
    cli_only = {c.id for c in all_checks().values() if c.needs_graph}
    assert ran & cli_only == set()
