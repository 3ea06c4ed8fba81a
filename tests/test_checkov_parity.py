"""Standalone CLI and real checkov agree: same check id, same block, same verdict.

One ``checkov -d`` per framework (terraform, cloudformation, terraform_plan) over one folder
holding every check's examples (each check in its own subfolder), the multi-file cases of
``fixtures/checkov_parity`` (modules, a group enforcing MFA, launch templates with and
without profiles, a policy through ``data.aws_iam_policy_document.x.json`` and ``file()``,
suppressions written for either tool) and, for the plan, plans built from those cases
(plan_from_hcl.py, no terraform binary needed). checkov loads the *exported* external-checks
directory, so its verdicts come from the CLI engine through the shim.

The oracle is ``scan`` over the same folder and framework: every finding is FAILED in
checkov (SKIPPED when suppressed), every unresolved resource is left out of checkov's report,
and nothing else fails. The only allowed differences are the README's: checks its table marks
CLI-only (none today), and IAM012 on blocks checkov never shows (variables, locals, tfvars,
CloudFormation parameters).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from checkov_env import CHECKOV_ENV, checkov_executable
from plan_from_hcl import plan_from_resources

from iac_iam_checks.checks.registry import all_checks
from iac_iam_checks.engine import ScanOptions, load, scan
from iac_iam_checks.integrations.checkov import export as checkov_dir
from iac_iam_checks.model.findings import ScanResult

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "fixtures" / "demo"
CASES = ROOT / "fixtures" / "checkov_parity"
PLAN_ROOTS = ("modules/root", "mfa_group", "launch", "data_doc")
"""Terraform cases that are roots: each becomes a plan in the terraform_plan run."""
PSEUDO_BLOCK = re.compile(r"(^|\.)(var|local|Parameters)\.|\.tfvars$")
NOT_IN_CHECKOV = {"terraform_plan": re.compile(r"(^|\.)data\.")}
"""checkov's plan runner hands no data source to any check: a finding on a data source
nothing uses (``data "aws_iam_policy_document"``, ``data "aws_iam_policy"``) in a plan is
CLI-only, as the README says."""
FRAMEWORKS = ("terraform", "cloudformation", "terraform_plan")
SUFFIX = {"terraform": ".tf", "cloudformation": ".yaml"}

EXTRA_TERRAFORM = """variable "arns" {}

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

NULL_CONDITION_TEMPLATE = """AWSTemplateFormatVersion: "2010-09-09"
Resources:
  NullConditionPolicy:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Deny
            Action: "s3:*"
            Resource: "arn:aws:s3:::bucket/*"
            Condition:
              Null:
                aws:MultiFactorAuthAge: "true"
"""
"""checkov's YAML loader reads the condition operator ``Null:`` as None."""

Verdict = tuple[str, str, str, str]
"""(check id, case folder, address as checkov writes it, FAILED or SKIPPED)"""


def cli_only_ids() -> set[str]:
    """Check ids the README's check table marks as CLI-only."""
    table = (ROOT / "README.md").read_text(encoding="utf-8")
    return set(re.findall(r"^\| \[?(IAM\d+)\]?[^|]* \|[^\n]*CLI-only", table, re.MULTILINE))


def checkov_address(address: str) -> str:
    """How checkov names our block: no ``data.`` before a data source's type (also inside
    a module), and CloudFormation resources as ``AWS::IAM::Role.Name``."""
    if address.startswith("AWS::"):
        return address.rsplit(".", 1)[-1]
    return re.sub(r"(^|\.)data\.", r"\1", address)


def cli_verdicts(result: ScanResult, framework: str = "") -> set[Verdict]:
    skipped = cli_only_ids()
    hidden = NOT_IN_CHECKOV.get(framework, PSEUDO_BLOCK)
    return {
        (
            f.check_id,
            f.file.split("/", 1)[0],
            checkov_address(f.resource),
            "SKIPPED" if f.suppressed else "FAILED",
        )
        for f in result.findings
        if f.check_id not in skipped
        and not PSEUDO_BLOCK.search(f.resource)
        and not hidden.search(f.resource)
    }


def checkov_verdicts(reports: list[dict[str, Any]]) -> set[Verdict]:
    return {
        (
            record["check_id"],
            record["file_path"].strip("/").split("/", 1)[0],
            checkov_address(record["resource"]),
            record["check_result"]["result"],
        )
        for report in reports
        for kind in ("failed_checks", "skipped_checks")
        for record in report.get("results", {}).get(kind, [])
        if re.fullmatch(r"IAM\d+", record["check_id"])
    }


def run_checkov(
    folder: Path, frameworks: list[str], external: Path, cwd: Path, flag: str = "-d"
) -> Any:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "BC_API", "CKV_"))}
    env.update(CHECKOV_ENV)
    env["HOME"] = str(cwd)
    command = [
        str(checkov_executable()),
        flag,
        str(folder),
        "--framework",
        *frameworks,
        "--external-checks-dir",
        str(external),
        "-o",
        "json",
        "--skip-download",
        "--check",
        ",".join(all_checks()),
    ]
    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=cwd, check=False)
    assert done.returncode in (0, 1), done.stderr[-3000:]
    assert "Cannot load external check" not in done.stderr, done.stderr[-3000:]
    assert "iac-iam-checks:" not in done.stderr, done.stderr[-3000:]
    report = json.loads(done.stdout)
    return report if isinstance(report, list) else [report]


def write_plan(paths: list[Path], target: Path) -> set[str]:
    """The plan of a Terraform root (its addresses a plan can only show as unknown)."""
    loaded, _ = load(paths, ScanOptions(frameworks=["terraform"], use_cache=False))
    plan, degraded = plan_from_resources(loaded.resources)
    target.mkdir(parents=True)
    (target / "tfplan.json").write_text(json.dumps(plan, indent=1), encoding="utf-8")
    return degraded


def build_folder(framework: str, folder: Path) -> None:
    """Every check's examples, the parity cases and the extra blocks, one subfolder each."""
    for check in all_checks().values():
        for example in check.examples():
            if framework == "terraform_plan" and example.suffix == ".tf":
                write_plan([example], folder / check.id)
            elif example.suffix == SUFFIX.get(framework):
                (folder / check.id).mkdir(parents=True, exist_ok=True)
                shutil.copy(example, folder / check.id / example.name)
    if framework == "terraform_plan":
        for case in PLAN_ROOTS:
            write_plan([CASES / "terraform" / case], folder / f"case_{case.replace('/', '_')}")
        return
    for case in (CASES / framework).iterdir():
        target = folder / f"case_{case.stem}"
        if case.is_dir():
            shutil.copytree(case, target)
        else:
            target.mkdir()
            shutil.copy(case, target / case.name)
    (folder / "extra").mkdir()
    if framework == "terraform":
        (folder / "extra" / "main.tf").write_text(EXTRA_TERRAFORM, encoding="utf-8")
    else:
        (folder / "extra" / "null.yaml").write_text(NULL_CONDITION_TEMPLATE, encoding="utf-8")


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Per framework: checkov's reports and records, and the CLI's result on the same folder."""
    work = tmp_path_factory.mktemp("parity")
    external = checkov_dir.export(work / "external")
    out: dict[str, Any] = {}
    for framework in FRAMEWORKS:
        folder = work / framework
        build_folder(framework, folder)
        reports = run_checkov(folder, [framework], external, work)
        result = scan([folder], ScanOptions(frameworks=[framework], use_cache=False))
        records = {
            (r["check_id"], r["file_path"].strip("/").split("/", 1)[0], r["resource"]): r
            for report in reports
            for kind in ("passed_checks", "failed_checks", "skipped_checks")
            for r in report.get("results", {}).get(kind, [])
        }
        out[framework] = {"reports": reports, "result": result, "records": records}
    return out


@pytest.mark.parametrize("framework", FRAMEWORKS)
@pytest.mark.parametrize("check_id", list(all_checks()))
def test_checkov_gives_the_cli_verdicts(
    runs: dict[str, Any], framework: str, check_id: str
) -> None:
    run = runs[framework]
    ours = {v for v in cli_verdicts(run["result"], framework) if v[0] == check_id}
    theirs = {v for v in checkov_verdicts(run["reports"]) if v[0] == check_id}
    assert theirs == ours


def test_every_check_reports_inside_checkov(runs: dict[str, Any]) -> None:
    failed = {v[0] for run in runs.values() for v in checkov_verdicts(run["reports"])}
    assert cli_only_ids() == set()
    assert failed == set(all_checks())


def test_the_multi_file_cases_are_judged_across_resources(runs: dict[str, Any]) -> None:
    """The cases hold what per-resource checks cannot see: spot-check a few verdicts."""
    tf = checkov_verdicts(runs["terraform"]["reports"])
    assert ("IAM014", "case_modules", "module.alice.aws_iam_user.this", "FAILED") in tf
    assert ("IAM003", "case_mfa_group", "aws_iam_user.outside", "FAILED") in tf
    assert ("IAM022", "case_data_doc", "aws_iam_policy.uses_wide", "FAILED") in tf
    assert ("IAM020", "case_data_doc", "aws_iam_role_policy.from_file", "FAILED") in tf
    assert ("IAM009", "case_launch", "aws_launch_template.without_profile", "FAILED") in tf
    assert ("IAM003", "case_suppressed", "aws_iam_user.ours", "SKIPPED") in tf
    records = runs["terraform"]["records"]
    for user in ('aws_iam_user.in_group["ana"]', 'aws_iam_user.in_group["ben"]'):
        assert records[("IAM003", "case_mfa_group", user)]["check_result"]["result"] == "PASSED"
    assert records[("IAM009", "case_launch", "aws_instance.from_template")]["check_result"] == {
        "result": "PASSED",
        "evaluated_keys": [],
    }
    cfn = checkov_verdicts(runs["cloudformation"]["reports"])
    assert ("IAM003", "case_stack", "LoneUser", "FAILED") in cfn
    assert ("IAM003", "case_stack", "SkippedUser", "SKIPPED") in cfn
    plan = checkov_verdicts(runs["terraform_plan"]["reports"])
    assert ("IAM013", "case_modules_root", "module.bob.aws_iam_user.this", "FAILED") in plan


def test_unresolved_is_unknown_which_checkov_leaves_out(runs: dict[str, Any]) -> None:
    for framework, run in runs.items():
        seen = {(key[0], key[1], checkov_address(key[2])) for key in run["records"]}
        for entry in run["result"].unresolved:
            for check_id in entry.check_ids:
                key = (check_id, entry.file.split("/", 1)[0], checkov_address(entry.resource))
                assert key not in seen, (framework, key)
    records = runs["terraform"]["records"]
    assert records[("IAM012", "extra", "aws_iam_user_policy_attachments_exclusive.unresolved")]
    assert ("IAM002", "extra", "aws_iam_user_policy_attachments_exclusive.unresolved") not in (
        records
    )


def test_checkov_shows_our_metadata_and_both_kinds_of_suppression(runs: dict[str, Any]) -> None:
    records = runs["terraform"]["records"]
    record = records[("IAM001", "extra", "aws_iam_role_policy.skipped")]
    check = all_checks()["IAM001"]
    assert record["check_result"] == {
        "result": "SKIPPED",
        "suppress_comment": "reviewed inline policy",
    }
    assert record["check_name"] == check.title
    assert record["severity"] == check.severity
    assert record["guideline"] == f"{check.why} Fix: {check.fix}"
    ours = records[("IAM001", "case_suppressed", "aws_iam_role_policy.inline")]
    assert ours["check_result"]["suppress_comment"] == "reviewed inline policy"
    cfn = runs["cloudformation"]["records"]
    metadata = cfn[("IAM003", "case_stack", "AWS::IAM::User.SkippedUser")]["check_result"]
    assert (metadata["result"], metadata["suppress_comment"]) == ("SKIPPED", "break-glass")


def test_checkov_reads_the_null_condition_operator(runs: dict[str, Any]) -> None:
    record = runs["cloudformation"]["records"][
        ("IAM027", "extra", "AWS::IAM::ManagedPolicy.NullConditionPolicy")
    ]
    assert record["check_result"]["result"] == "PASSED"


def test_cli_and_checkov_agree_on_the_demo_repository(tmp_path: Path) -> None:
    reports = run_checkov(
        DEMO, ["terraform", "cloudformation"], checkov_dir.export(tmp_path / "ext"), tmp_path
    )
    options = ScanOptions(frameworks=["terraform", "cloudformation"], use_cache=False)
    ours = cli_verdicts(scan([DEMO], options))
    assert {v[0] for v in ours} >= {"IAM003", "IAM009", "IAM021"}
    assert checkov_verdicts(reports) == ours


def test_a_plan_file_given_with_f(tmp_path: Path) -> None:
    """``checkov -f plan.json``: the shim scans that one file, as ``scan plan.json`` does."""
    write_plan([CASES / "terraform" / "modules" / "root"], tmp_path / "case")
    plan = tmp_path / "case" / "tfplan.json"
    reports = run_checkov(
        plan, ["terraform_plan"], checkov_dir.export(tmp_path / "ext"), tmp_path, flag="-f"
    )
    result = scan([plan], ScanOptions(frameworks=["terraform_plan"], use_cache=False))
    ours = {(v[0], v[2], v[3]) for v in cli_verdicts(result, "terraform_plan")}
    theirs = {(v[0], v[2], v[3]) for v in checkov_verdicts(reports)}
    assert ("IAM014", "module.alice.aws_iam_user.this", "FAILED") in ours
    assert theirs == ours


LOOP_TEMPLATE = """\
Transform: AWS::LanguageExtensions
Resources:
  Fn::ForEach::Roles:
    - Name
    - [Reader, Writer]
    - ${Name}Role:
        Type: AWS::IAM::Role
        Properties:
          AssumeRolePolicyDocument:
            Statement:
              - {Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}
          Policies:
            - PolicyName: !Sub "${Name}-policy"
              PolicyDocument:
                Statement:
                  - {Effect: Allow, Action: "s3:*", Resource: "arn:aws:s3:::b/*"}
  PlainRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - {Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}
      Policies:
        - PolicyName: plain
          PolicyDocument:
            Statement:
              - {Effect: Allow, Action: "s3:*", Resource: "arn:aws:s3:::b/*"}
"""


def test_checkov_sees_only_the_resources_outside_fn_foreach(tmp_path: Path) -> None:
    """The README's documented difference, pinned: checkov 3.3.30 drops the resources a loop
    generates before any check runs; the CLI expands them. The plain resource agrees."""
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "loop.yaml").write_text(LOOP_TEMPLATE, encoding="utf-8")
    ours = {
        (f.check_id, f.resource)
        for f in scan([tmp_path / "t"], ScanOptions(checks=["IAM022"], use_cache=False)).findings
    }
    assert ours == {("IAM022", "PlainRole"), ("IAM022", "ReaderRole"), ("IAM022", "WriterRole")}
    reports = run_checkov(
        tmp_path / "t", ["cloudformation"], checkov_dir.export(tmp_path / "ext"), tmp_path
    )
    theirs = {(v[0], v[2]) for v in checkov_verdicts(reports) if v[0] == "IAM022"}
    assert theirs == {("IAM022", "PlainRole")}
