"""Statement verdicts remembered by document content (``templates.Remembered``): copies of a
module share one judgement, and nothing of one copy leaks into another's findings."""

from __future__ import annotations

from pathlib import Path

from iac_iam_checks.checks.registry import Context
from iac_iam_checks.checks.templates import Remembered
from iac_iam_checks.engine.check_runs import run_checks
from iac_iam_checks.engine.loading import load
from iac_iam_checks.engine.options import ScanOptions, selected_checks
from iac_iam_checks.engine.pipeline import scan
from iac_iam_checks.iam.graph import Graph
from iac_iam_checks.model.settings import Settings

MODULE = """
variable "name" {}

resource "aws_iam_role_policy" "admin" {
  name = var.name
  role = "r"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "*", Resource = "*" }]
  })
}
"""

ROOT = """
module "a" {
  source = "./mod"
  name   = "a"
}

module "b" {
  source = "./mod"
  name   = "b"
}

resource "aws_iam_user_policy" "same_text_other_lines" {
  user = "u"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "*", Resource = "*" }]
  })
}
"""


def write(tmp_path: Path) -> Path:
    (tmp_path / "mod").mkdir()
    (tmp_path / "mod" / "main.tf").write_text(MODULE)
    (tmp_path / "main.tf").write_text(ROOT)
    return tmp_path


def test_each_copy_and_each_place_keeps_its_own_finding(tmp_path: Path) -> None:
    result = scan([write(tmp_path)], ScanOptions(use_cache=False, checks=["IAM020"]))
    found = sorted((f.resource, f.file, f.line) for f in result.findings)
    assert found == [
        ("aws_iam_user_policy.same_text_other_lines", "main.tf", 16),
        ("module.a.aws_iam_role_policy.admin", "mod/main.tf", 9),
        ("module.b.aws_iam_role_policy.admin", "mod/main.tf", 9),
    ]


def test_equal_documents_are_judged_once(tmp_path: Path) -> None:
    scan_input, _ = load([write(tmp_path)], ScanOptions(use_cache=False))
    context = Context(graph=Graph(scan_input.resources), settings=Settings())
    run_checks(scan_input.resources, selected_checks(ScanOptions()), context)
    remembered = Remembered.of(context)
    # three policies written, two contents: the module's copies are one (same text, same
    # lines); the root's policy has the same text on other lines, so it is a content of its own
    assert len(remembered._contents) == 2
