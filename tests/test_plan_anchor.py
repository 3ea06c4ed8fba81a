"""Plan findings point at the Terraform source they come from (issue 12: a plan is an artifact,
code scanning can only show an alert on the code). Uses the real plan of
``tests/plans/real/compute`` laid out the ways CI jobs lay it out."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from iac_iam_checks import cli

REAL = Path(__file__).parent / "plans" / "real"
OPEN_ROLE = ("IAM028", "aws_iam_role.open")
"""In ``compute/main.tf`` the block starts on line 20, its statement on line 24."""


def scan(*args: str) -> tuple[int, dict]:
    result = CliRunner().invoke(cli.main, ["scan", "--no-cache", "--format", "json", *args])
    return result.exit_code, json.loads(result.output)


def by_key(report: dict) -> dict[tuple[str, str], dict]:
    return {(f["check_id"], f["resource"]): f for f in report["findings"]}


def layout(root: Path, source: str = "infra", plan: str = "infra/plan.json") -> Path:
    (root / source).mkdir(parents=True, exist_ok=True)
    shutil.copy(REAL / "compute" / "main.tf", root / source / "main.tf")
    (root / plan).parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(REAL / "compute.json", root / plan)
    return root


def test_plan_beside_its_configuration_points_at_the_tf_lines(tmp_path: Path) -> None:
    code, report = scan(str(layout(tmp_path) / "infra" / "plan.json"))
    assert code == 1 and report["warnings"] == []
    finding = by_key(report)[OPEN_ROLE]
    assert (finding["file"], finding["line"], finding["framework"]) == (
        "main.tf",
        24,
        "terraform_plan",
    )
    assert finding["plan"]["file"] == "plan.json" and finding["plan"]["line"] > 1
    assert {f["file"] for f in report["findings"]} == {"main.tf"}


def test_sarif_gives_the_plan_as_a_related_location(tmp_path: Path) -> None:
    root = layout(tmp_path)
    result = CliRunner().invoke(
        cli.main, ["scan", "--no-cache", "--format", "sarif", str(root / "infra")]
    )
    sarif = json.loads(result.output)
    [open_role] = [
        r
        for r in sarif["runs"][0]["results"]
        if r["ruleId"] == "IAM028" and r["properties"]["framework"] == "terraform_plan"
    ]
    physical = open_role["locations"][0]["physicalLocation"]
    assert (physical["artifactLocation"]["uri"], physical["region"]["startLine"]) == ("main.tf", 24)
    [related] = open_role["relatedLocations"]
    assert related["physicalLocation"]["artifactLocation"]["uri"] == "plan.json"


def test_source_root_names_a_configuration_elsewhere(tmp_path: Path) -> None:
    root = layout(tmp_path, source="terraform/app", plan="artifacts/plan.json")
    code, report = scan(
        str(root), "--framework", "terraform_plan", "--source-root", str(root / "terraform/app")
    )
    assert by_key(report)[OPEN_ROLE]["file"] == "terraform/app/main.tf"
    assert by_key(report)[OPEN_ROLE]["plan"]["file"] == "artifacts/plan.json"


def test_without_its_source_a_plan_keeps_its_lines_and_says_so_once(tmp_path: Path) -> None:
    shutil.copy(REAL / "compute.json", tmp_path / "plan.json")
    code, report = scan(str(tmp_path / "plan.json"))
    assert {f["file"] for f in report["findings"]} == {"plan.json"}
    assert {f["plan"] for f in report["findings"]} == {None}
    [warning] = report["warnings"]
    assert warning.startswith("plan.json: the Terraform configuration this plan was made from")
    assert "--source-root" in warning


def test_a_folder_that_defines_none_of_the_plan_is_not_its_source(tmp_path: Path) -> None:
    shutil.copy(REAL / "compute.json", tmp_path / "plan.json")
    (tmp_path / "other.tf").write_text('resource "aws_s3_bucket" "b" {}\n', encoding="utf-8")
    _, report = scan(str(tmp_path / "plan.json"))
    assert by_key(report)[OPEN_ROLE]["file"] == "plan.json"
    assert len(report["warnings"]) == 1


@pytest.mark.parametrize(
    "comment",
    [
        "# iac-iam-checks:ignore IAM028 trusted by design, reviewed",
        "# checkov:skip=IAM028:trusted by design",
    ],
)
def test_suppressions_in_the_source_apply_to_the_plan(tmp_path: Path, comment: str) -> None:
    root = layout(tmp_path)
    main = root / "infra" / "main.tf"
    text = main.read_text(encoding="utf-8")
    marker = 'resource "aws_iam_role" "open" {\n'
    if comment.startswith("# iac"):
        text = text.replace(marker, comment + "\n" + marker)
    else:
        text = text.replace(marker, marker + "  " + comment + "\n")
    main.write_text(text, encoding="utf-8")
    _, report = scan(str(root / "infra" / "plan.json"))
    assert by_key(report)[OPEN_ROLE]["suppressed"] is not None
    assert (
        by_key(report)[("IAM021", "aws_iam_role_policy_attachment.app_power")]["suppressed"] is None
    )


def test_only_the_source_root_module_anchors_not_roots_below_it(tmp_path: Path) -> None:
    root = layout(tmp_path)
    example = root / "infra" / "examples" / "other"
    example.mkdir(parents=True)
    (example / "main.tf").write_text(
        '\n\nresource "aws_iam_role" "open" {\n  name = "x"\n  assume_role_policy = "{}"\n}\n',
        encoding="utf-8",
    )
    _, report = scan(str(root / "infra" / "plan.json"))
    assert (by_key(report)[OPEN_ROLE]["file"], by_key(report)[OPEN_ROLE]["line"]) == ("main.tf", 24)
