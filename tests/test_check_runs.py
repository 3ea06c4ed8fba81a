"""Checks judged in forked workers give the list one process gives: same checks, same
results in the same order, each naming this process's own resource objects."""

from __future__ import annotations

from pathlib import Path

import pytest

from iac_iam_checks.checks.registry import Blocked, Context, Issue
from iac_iam_checks.engine import check_runs
from iac_iam_checks.engine.loading import load
from iac_iam_checks.engine.options import ScanOptions, selected_checks
from iac_iam_checks.iam.graph import Graph
from iac_iam_checks.model.settings import Settings

CHECKS = Path(__file__).resolve().parent.parent / "iac_iam_checks" / "checks"
UNKNOWN_ACTIONS = """
variable "actions" {}

resource "aws_iam_role_policy" "p" {
  role = "r"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = var.actions, Resource = "*" }]
  })
}
"""


def described(result: Issue | Blocked) -> tuple:
    if isinstance(result, Issue):
        raw = result.statement.raw if result.statement is not None else None
        return ("issue", result.message, result.location, result.severity, repr(raw))
    return ("blocked", result.message, result.location, result.value)


def test_workers_give_one_process_results(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(UNKNOWN_ACTIONS)
    scan_input, _ = load([CHECKS, tmp_path], ScanOptions())
    resources = scan_input.resources
    checks = selected_checks(ScanOptions())
    context = Context(graph=Graph(resources), settings=Settings())
    alone = check_runs.run_checks(resources, checks, context, jobs=1)
    monkeypatch.setattr(check_runs, "PARALLEL_MIN_RESOURCES", 1)
    forked = check_runs.run_checks(resources, checks, context, jobs=3)

    assert len(alone) > 100 and any(isinstance(r, Blocked) for _, r in alone)
    assert [c.id for c, _ in forked] == [c.id for c, _ in alone]
    assert [described(r) for _, r in forked] == [described(r) for _, r in alone]
    owned = {id(resource) for resource in resources}
    assert all(id(r.resource) in owned for _, r in forked)
    assert [r.resource for _, r in forked] == [r.resource for _, r in alone]
