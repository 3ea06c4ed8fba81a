"""Every CI example runs as written (issue 12 item 2).

The shell commands are read from each example file (GitHub Actions: the ``run:`` steps;
GitLab CI: ``before_script`` and ``script``) and run in a temporary repository that holds a
real Terraform configuration in ``infra/`` (a folder of ``tests/plans/real``), with a stand-in
``terraform`` first on PATH that writes that configuration's real plan, and the iac-iam-checks
installed in this environment after it. What is not run, by rule:

- GitHub ``uses:`` steps are hosted actions: the temporary repository stands for
  ``actions/checkout``, its PATH for ``setup-python``/``setup-terraform``; the upload steps are
  checked to name files the run wrote.
- Commands that install software (``apk add``, ``pip install``, ``python3 -m venv``) need the
  network and are skipped; the list of skipped commands is asserted, so a new command is never
  skipped unnoticed.

GitHub runs each ``run:`` step with ``bash -e`` in its ``working-directory``, and after a failed
step only the steps whose ``if`` says ``always()``; GitLab runs its lines in one ``sh -e`` (the
Terraform image is Alpine: no bash) from ``$CI_PROJECT_DIR``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from iac_iam_checks import cli

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "ci"
REAL_PLANS = Path(__file__).parent / "plans" / "real"

INSTALLS = re.compile(r"^\s*(apk add|\S*pip install|python3? -m venv)\b")
"""Commands that need the network to install software: skipped (see the module docstring)."""

STAND_IN_TERRAFORM = """#!/bin/sh
# Stand-in terraform: logs each call; plan -out=FILE stores a known plan, show -json prints it.
echo "$(basename "$PWD"): $*" >>"$TF_STAND_IN_LOG"
case "$1" in
  init) echo "Terraform has been successfully initialized!" ;;
  plan)
    ls ./*.tf >/dev/null 2>&1 || { echo "Error: No configuration files" >&2; exit 1; }
    for arg in "$@"; do
      case "$arg" in -out=*) cp "$TF_STAND_IN_PLAN" "${arg#-out=}" ;; esac
    done ;;
  show)
    [ "$2" = -json ] && [ -f "$3" ] || { echo "Error: usage: show -json PLANFILE" >&2; exit 1; }
    cat "$3" ;;
  *) echo "stand-in terraform: unexpected command $1" >&2; exit 1 ;;
esac
"""

TERRAFORM_CALLS = [
    "infra: init -input=false",
    "infra: plan -input=false -out=plan.out",
    "infra: show -json plan.out",
]


@dataclass
class Run:
    """What running an example's commands did."""

    repo: Path
    exit_codes: dict[str, int] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)
    output: str = ""

    def terraform_calls(self) -> list[str]:
        log = self.repo.parent / "terraform.log"
        return log.read_text(encoding="utf-8").splitlines() if log.exists() else []


def load(name: str) -> dict[str, Any]:
    return yaml.safe_load((EXAMPLES / name).read_text(encoding="utf-8"))


def make_repository(tmp_path: Path, plan: str) -> tuple[Path, dict[str, str]]:
    """A git repository with the configuration of ``plan`` in infra/, and the environment
    that puts the stand-in terraform and this environment's CLI on PATH."""
    repo = tmp_path / "repo"
    shutil.copytree(REAL_PLANS / plan, repo / "infra")
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    tools = tmp_path / "bin"
    tools.mkdir()
    terraform = tools / "terraform"
    terraform.write_text(STAND_IN_TERRAFORM, encoding="utf-8")
    terraform.chmod(terraform.stat().st_mode | stat.S_IEXEC)
    path = os.pathsep.join([str(tools), str(Path(sys.executable).parent), "/usr/bin", "/bin"])
    env = {
        "PATH": path,
        "HOME": str(tmp_path),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "TF_STAND_IN_PLAN": str(REAL_PLANS / f"{plan}.json"),
        "TF_STAND_IN_LOG": str(tmp_path / "terraform.log"),
        "CI": "true",
    }
    return repo, env


def runnable(commands: list[str], run: Run) -> list[str]:
    """The commands with the installs left out (and recorded in ``run.skipped``)."""
    kept = []
    for command in commands:
        if INSTALLS.match(command):
            run.skipped.append(command)
        else:
            kept.append(command)
    return kept


def run_github(tmp_path: Path, plan: str) -> Run:
    workflow = load("github-actions.yml")
    repo, env = make_repository(tmp_path, plan)
    env = {**env, **workflow.get("env", {}), "GITHUB_WORKSPACE": str(repo)}
    run = Run(repo)
    [job] = workflow["jobs"].values()
    env.update(job.get("env", {}))
    failed = False
    for index, step in enumerate(job["steps"]):
        name = step.get("name", step.get("uses", f"step {index}"))
        if failed and "always()" not in step.get("if", ""):
            continue
        if "uses" in step:
            run.skipped.append(step["uses"])
            continue
        script = "\n".join(runnable(step["run"].splitlines(), run))
        if not script:
            continue
        result = subprocess.run(
            ["bash", "-e", "-c", script],
            cwd=repo / step.get("working-directory", "."),
            env={**env, **step.get("env", {})},
            capture_output=True,
            text=True,
            check=False,
        )
        run.exit_codes[name] = result.returncode
        run.output += result.stdout + result.stderr
        failed = failed or result.returncode != 0
    return run


def run_gitlab(tmp_path: Path, plan: str) -> Run:
    [job] = [v for v in load("gitlab-ci.yml").values() if isinstance(v, dict) and "script" in v]
    repo, env = make_repository(tmp_path, plan)
    run = Run(repo)
    lines = runnable([*job.get("before_script", []), *job["script"]], run)
    result = subprocess.run(
        ["sh", "-e", "-c", "\n".join(lines)],
        cwd=repo,
        env={**env, **job.get("variables", {}), "CI_PROJECT_DIR": str(repo)},
        capture_output=True,
        text=True,
        check=False,
    )
    run.exit_codes["script"] = result.returncode
    run.output = result.stdout + result.stderr
    return run


def sarif_locations(document: dict[str, Any]) -> set[tuple[str, str, int]]:
    return {
        (
            result["ruleId"],
            result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            result["locations"][0]["physicalLocation"]["region"]["startLine"],
        )
        for result in document["runs"][0]["results"]
    }


def assert_reports_point_at_the_configuration(repo: Path) -> None:
    """SARIF from the plan names the .tf files and lines a scan of infra/ names; JUnit fails."""
    from_plan = sarif_locations(json.loads((repo / "reports/iam.sarif").read_text()))
    direct = CliRunner().invoke(
        cli.main, ["scan", "--no-cache", str(repo / "infra"), "--format", "sarif"]
    )
    assert from_plan
    assert from_plan == sarif_locations(json.loads(direct.stdout))
    assert all(uri.startswith("infra/") and uri.endswith(".tf") for _, uri, _ in from_plan)
    suites = ET.parse(repo / "reports/iam.xml").getroot()
    assert int(suites.get("failures", "0")) > 0


@pytest.mark.parametrize("plan", ["compute", "team"])
def test_github_example_runs_as_written(tmp_path: Path, plan: str) -> None:
    run = run_github(tmp_path, plan)
    assert run.skipped == [
        "actions/checkout@v4",
        "actions/setup-python@v5",
        "hashicorp/setup-terraform@v3",
        'pip install "$IAC_IAM_CHECKS"',
        "github/codeql-action/upload-sarif@v3",
        "actions/upload-artifact@v4",
    ]
    assert run.exit_codes == {
        "Plan": 0,
        "Scan the plan (the gate; SARIF and JUnit from the same run)": 1,
    }, run.output
    assert run.terraform_calls() == TERRAFORM_CALLS
    assert "gate: FAILED" in run.output
    assert_reports_point_at_the_configuration(run.repo)
    uploads = [
        s
        for s in load("github-actions.yml")["jobs"]["iam"]["steps"]
        if "upload" in s.get("uses", "")
    ]
    assert [s["if"] for s in uploads] == ["always()", "always()"]
    uploaded = [s["with"].get("sarif_file") or s["with"].get("path") for s in uploads]
    assert all((run.repo / name).is_file() for name in uploaded), uploaded


@pytest.mark.parametrize("plan", ["compute", "team"])
def test_gitlab_example_runs_as_written(tmp_path: Path, plan: str) -> None:
    run = run_gitlab(tmp_path, plan)
    assert run.skipped == [
        "apk add --no-cache git python3 py3-pip",
        "python3 -m venv /opt/iac-iam-checks",
        '/opt/iac-iam-checks/bin/pip install "$IAC_IAM_CHECKS"',
    ]
    assert run.exit_codes == {"script": 1}, run.output
    assert run.terraform_calls() == TERRAFORM_CALLS
    assert "gate: FAILED" in run.output and "| Unresolved |" in run.output
    assert_reports_point_at_the_configuration(run.repo)
    job = load("gitlab-ci.yml")["iam-gate"]
    assert job["artifacts"]["when"] == "always"
    assert (run.repo / job["artifacts"]["reports"]["junit"]).is_file()


def test_gitlab_image_has_terraform_and_a_shell() -> None:
    """Terraform's own image, with its ``terraform`` entrypoint cleared so the job gets a shell."""
    image = load("gitlab-ci.yml")["iam-gate"]["image"]
    assert image["name"].startswith("hashicorp/terraform:")
    assert image["entrypoint"] == [""]


def test_examples_install_the_released_tag() -> None:
    """Both examples install the tag of the version in pyproject.toml (see CHANGELOG.md)."""
    version = re.search(r'^version = "(.+)"', (ROOT / "pyproject.toml").read_text(), re.M)
    assert version is not None
    sources = [
        load("github-actions.yml")["env"]["IAC_IAM_CHECKS"],
        load("gitlab-ci.yml")["iam-gate"]["variables"]["IAC_IAM_CHECKS"],
    ]
    assert (
        sources
        == [f"git+https://github.com/<your-fork-or-mirror>/iac-iam-checks@v{version[1]}"] * 2
    )
