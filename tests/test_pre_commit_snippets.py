"""The README's pre-commit configurations run with pre-commit itself (issue 12 item 3), offline.

Each ``repos:`` block of the README is written to a temporary git repository and run with
``pre-commit run --all-files``:

- the ``repo: local`` hook as written (``language: system``: the CLI installed in this
  environment, first on PATH);
- the tagged-repository hook against a local git repository holding this checkout's
  ``.pre-commit-hooks.yaml``, tagged like the release it names. Its URL is replaced by that
  repository's path and its hook gets ``language: system``: with the manifest's
  ``language: python`` pre-commit would ``pip install`` the tagged repository and its
  dependencies into its own environment, which needs the network. The manifest's entry, file
  pattern and ``pass_filenames`` are what run.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"

ADMIN_POLICY = """resource "aws_iam_policy" "admin" {
  name   = "admin"
  policy = jsonencode({
    Statement = [{ Effect = "Allow", Action = "*", Resource = "*" }]
  })
}
"""
"""One CRITICAL finding (IAM020): fails the hook at any threshold."""

GROUP = 'resource "aws_iam_group" "g" {\n  name = "g"\n}\n'
"""No finding."""

GIT = ["git", "-c", "user.name=test", "-c", "user.email=test@example.invalid"]


def readme_configs() -> list[dict[str, Any]]:
    blocks = re.findall(r"```yaml\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    return [yaml.safe_load(block) for block in blocks if block.startswith("repos:")]


def config(kind: str) -> dict[str, Any]:
    [found] = [
        c for c in readme_configs() if (c["repos"][0]["repo"] == "local") == (kind == "local")
    ]
    return found


def environment(tmp_path: Path) -> dict[str, str]:
    path = os.pathsep.join([str(Path(sys.executable).parent), "/usr/bin", "/bin"])
    return {
        "PATH": path,
        "HOME": str(tmp_path),
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "GIT_CONFIG_NOSYSTEM": "1",
    }


def run_pre_commit(
    tmp_path: Path,
    configuration: dict[str, Any],
    files: dict[str, str],
    which: tuple[str, ...] = ("--all-files",),
) -> subprocess.CompletedProcess[str]:
    project = tmp_path / "project"
    project.mkdir()
    for name, text in files.items():
        (project / name).write_text(text, encoding="utf-8")
    (project / ".pre-commit-config.yaml").write_text(yaml.safe_dump(configuration))
    subprocess.run([*GIT, "init", "-q"], cwd=project, check=True)
    subprocess.run([*GIT, "add", "-A"], cwd=project, check=True)
    pre_commit = Path(sys.executable).parent / "pre-commit"
    return subprocess.run(
        [str(pre_commit), "run", *which, "--color", "never"],
        cwd=project,
        env=environment(tmp_path),
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def tagged_hook_repository(tmp_path: Path, tag: str) -> Path:
    repo = tmp_path / "iac-iam-checks"
    repo.mkdir()
    shutil.copy(ROOT / ".pre-commit-hooks.yaml", repo)
    subprocess.run([*GIT, "init", "-q"], cwd=repo, check=True)
    subprocess.run([*GIT, "add", "-A"], cwd=repo, check=True)
    subprocess.run([*GIT, "commit", "-q", "-m", "hooks"], cwd=repo, check=True)
    subprocess.run([*GIT, "tag", tag], cwd=repo, check=True)
    return repo


@pytest.mark.parametrize(
    ("files", "code"), [({"main.tf": ADMIN_POLICY}, 1), ({"main.tf": GROUP}, 0)]
)
def test_readme_local_hook_runs(tmp_path: Path, files: dict[str, str], code: int) -> None:
    result = run_pre_commit(tmp_path, config("local"), files)
    assert result.returncode == code, result.stdout + result.stderr
    assert ("IAM020" in result.stdout) == (code == 1)


def test_readme_local_hook_skips_a_commit_without_iac(tmp_path: Path) -> None:
    files = {"main.tf": ADMIN_POLICY, "notes.md": "# notes\n"}
    result = run_pre_commit(tmp_path, config("local"), files, ("--files", "notes.md"))
    assert result.returncode == 0
    assert "(no files to check)Skipped" in result.stdout


def test_readme_tagged_hook_runs_from_the_tagged_repository(tmp_path: Path) -> None:
    configuration = config("tagged")
    [repo] = configuration["repos"]
    [hook] = repo["hooks"]
    assert repo["repo"] == "https://github.com/<your-fork-or-mirror>/iac-iam-checks"
    repo["repo"] = str(tagged_hook_repository(tmp_path, repo["rev"]))
    hook["language"] = "system"
    result = run_pre_commit(tmp_path, configuration, {"main.tf": ADMIN_POLICY})
    assert result.returncode == 1, result.stdout + result.stderr
    assert "IAM020" in result.stdout
    assert "gate: FAILED, 1 finding at or above HIGH" in result.stdout  # the README's args


def test_readme_local_hook_is_the_manifest_hook_on_an_installed_cli() -> None:
    [manifest] = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    [local] = config("local")["repos"][0]["hooks"]
    same = ("id", "name", "entry", "pass_filenames", "files")
    assert {k: local[k] for k in same} == {k: manifest[k] for k in same}
    assert (manifest["language"], local["language"]) == ("python", "system")
