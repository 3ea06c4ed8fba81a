"""Standalone CLI and real checkov agree on the demo repository's findings.

Same verdict means the same (check id, block address) pairs. The differences the README
documents are the only ones allowed: checks it lists as CLI-only are not run inside checkov,
and IAM012 on variables, locals, tfvars and CloudFormation parameters is CLI-only too.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

from checkov_env import CHECKOV_ENV, checkov_executable

from iac_iam_checks.engine import ScanOptions, scan
from iac_iam_checks.integrations.checkov import export as checkov_dir

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "fixtures" / "demo"
PSEUDO_BLOCK = re.compile(r"(^|\.)(var|local|Parameters)\.|\.tfvars$")


def cli_only_ids() -> set[str]:
    """Check ids the README's check table marks as CLI-only."""
    table = (ROOT / "README.md").read_text(encoding="utf-8")
    return set(re.findall(r"^\| \[?(IAM\d+)\]?[^|]* \|[^\n]*CLI-only", table, re.MULTILINE))


def checkov_address(resource: str) -> str:
    """checkov names CloudFormation resources ``AWS::IAM::Role.Name``; we say ``Name``."""
    return resource.rsplit(".", 1)[-1] if resource.startswith("AWS::") else resource


def test_cli_and_checkov_agree_on_the_demo_repository(tmp_path: Path) -> None:
    skipped = cli_only_ids()
    assert {"IAM003", "IAM008"} <= skipped
    ours = {
        (f.check_id, f.resource)
        for f in scan([DEMO], ScanOptions(use_cache=False)).findings
        if f.check_id not in skipped and not PSEUDO_BLOCK.search(f.resource)
    }
    checks = sorted({check for check, _ in ours} | {"IAM001", "IAM020", "IAM022"})
    external = checkov_dir.export(tmp_path / "external")
    run = subprocess.run(
        [
            str(checkov_executable()),
            "-d",
            str(DEMO),
            "--framework",
            "terraform",
            "cloudformation",
            "--external-checks-dir",
            str(external),
            "--check",
            ",".join(checks),
            "--skip-download",
            "-o",
            "json",
            "--quiet",
        ],
        capture_output=True,
        text=True,
        env={**CHECKOV_ENV, "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
        check=False,
    )
    reports = json.loads(run.stdout)
    reports = reports if isinstance(reports, list) else [reports]
    theirs = {
        (result["check_id"], checkov_address(result["resource"]))
        for report in reports
        for result in report["results"]["failed_checks"]
    }
    assert ours, "the demo repository should have findings checkov can see"
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
    run = subprocess.run(
        [
            str(checkov_executable()),
            "-d",
            str(tmp_path / "t"),
            "--framework",
            "cloudformation",
            "--external-checks-dir",
            str(checkov_dir.export(tmp_path / "external")),
            "--check",
            "IAM022",
            "--skip-download",
            "-o",
            "json",
            "--quiet",
        ],
        capture_output=True,
        text=True,
        env={**CHECKOV_ENV, "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
        check=False,
    )
    report = json.loads(run.stdout)
    theirs = {
        (r["check_id"], checkov_address(r["resource"])) for r in report["results"]["failed_checks"]
    }
    assert theirs == {("IAM022", "PlainRole")}
