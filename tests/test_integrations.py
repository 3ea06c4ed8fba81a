"""The pre-commit hook manifest loads with pre-commit's own loader and its entry really runs."""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path

from pre_commit.clientlib import load_manifest

ROOT = Path(__file__).resolve().parent.parent


def test_pre_commit_manifest_is_valid() -> None:
    [hook] = load_manifest(str(ROOT / ".pre-commit-hooks.yaml"))
    assert hook["id"] == "iac-iam-checks"
    assert hook["entry"].split()[0] == "iac-iam-checks"


def test_pre_commit_entry_runs_on_a_sample_repository(tmp_path: Path) -> None:
    [hook] = load_manifest(str(ROOT / ".pre-commit-hooks.yaml"))
    (tmp_path / "main.tf").write_text(
        'resource "aws_iam_access_key" "k" {\n  user = "ci"\n}\n', encoding="utf-8"
    )
    script = Path(sys.executable).parent / hook["entry"].split()[0]
    command = [str(script), *shlex.split(hook["entry"])[1:], "--no-cache"]
    result = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, check=False)
    assert result.returncode == 1
    assert "IAM011" in result.stdout
