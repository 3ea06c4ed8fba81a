"""A plan and the configuration it was made from count the same resources (issue 12 item 9):
providers and declarations are not counted, nor resources of kinds the HCL parser skips."""

from __future__ import annotations

from pathlib import Path

import pytest

from iac_iam_checks.engine import ScanOptions, scan

REAL_PLANS = Path(__file__).parent / "plans" / "real"
NAMES = sorted(p.stem for p in REAL_PLANS.glob("*.json"))


@pytest.mark.parametrize("checks", [None, ["IAM001"]])
@pytest.mark.parametrize("name", NAMES)
def test_plan_and_configuration_count_alike(name: str, checks: list[str] | None) -> None:
    options = ScanOptions(checks=checks, use_cache=False)
    from_hcl = scan([REAL_PLANS / name], options)
    from_plan = scan([REAL_PLANS / f"{name}.json"], options)
    assert from_hcl.resources_scanned > 0
    assert from_plan.resources_scanned == from_hcl.resources_scanned


def test_a_resource_no_check_reads_is_not_counted_in_a_plan() -> None:
    """docs.json plans an aws_s3_bucket that the HCL scan never parses."""
    plan = (REAL_PLANS / "docs.json").read_text(encoding="utf-8")
    assert '"aws_s3_bucket.data"' in plan
    assert scan([REAL_PLANS / "docs.json"], ScanOptions(use_cache=False)).resources_scanned == 9
