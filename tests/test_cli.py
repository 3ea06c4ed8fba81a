"""The command line: JSON shape, exit codes, and bad input that never stops a scan."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from iac_iam_checks.cli import main

INLINE_POLICY = """resource "aws_iam_user_policy" "inline" {
  user   = "alice"
  policy = jsonencode({
    Statement = [{ Effect = "Allow", Action = "s3:GetObject", Resource = "*" }]
  })
}
"""


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def scan_json(*args: str) -> tuple[int, dict]:
    code, output = run("scan", "--format", "json", "--no-cache", *args)
    return code, json.loads(output)


def repo(tmp_path: Path, files: dict[str, str | bytes]) -> Path:
    for name, content in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return tmp_path


def test_json_output_shape(tmp_path: Path) -> None:
    code, data = scan_json(str(repo(tmp_path, {"main.tf": INLINE_POLICY})), "--check", "IAM001")
    assert code == 1
    assert set(data) == {
        "schema_version",
        "version",
        "findings",
        "unresolved",
        "errors",
        "warnings",
        "summary",
    }
    assert data["schema_version"] == 1
    [finding] = data["findings"]
    assert set(finding) == {
        "check_id",
        "title",
        "severity",
        "file",
        "line",
        "end_line",
        "resource",
        "message",
        "framework",
        "fingerprint",
        "root",
        "plan",
        "suppressed",
    }
    assert (finding["check_id"], finding["resource"], finding["file"], finding["line"]) == (
        "IAM001",
        "aws_iam_user_policy.inline",
        "main.tf",
        1,
    )
    assert finding["root"] == "."  # the scanned folder is the Terraform root
    assert finding["suppressed"] is None


def test_json_output_is_byte_identical_between_runs(tmp_path: Path) -> None:
    root = str(repo(tmp_path, {"main.tf": INLINE_POLICY}))
    assert run("scan", "--format", "json", root) == run("scan", "--format", "json", root)


def test_exit_codes(tmp_path: Path) -> None:
    root = str(repo(tmp_path, {"main.tf": INLINE_POLICY}))
    assert run("scan", root, "--check", "IAM001")[0] == 1
    assert run("scan", root, "--check", "IAM001", "--soft-fail")[0] == 0
    assert run("scan", root, "--check", "IAM001", "--severity-threshold", "HIGH")[0] == 0
    assert run("scan", root, "--check", "IAM999")[0] == 2
    assert run("scan", str(tmp_path / "missing"))[0] == 2


def test_folder_without_iac_warns_and_exits_0(tmp_path: Path) -> None:
    code, data = scan_json(str(repo(tmp_path, {"notes.txt": "hello", "k8s.yaml": "kind: Pod\n"})))
    assert code == 0
    assert data["findings"] == [] and data["errors"] == []
    assert any("no IaC files" in w for w in data["warnings"])


def test_list_checks_and_explain() -> None:
    code, output = run("list-checks", "--format", "json")
    assert code == 0
    assert "IAM001" in [row["id"] for row in json.loads(output)]
    code, output = run("explain", "IAM001")
    assert code == 0 and "How to fix" in output
    assert run("explain", "NOPE1")[0] == 2


def test_version_loads_no_front_end() -> None:
    """What keeps ``--version`` fast (timed in benchmarks/limits.py): it imports nothing
    beyond the CLI module, no parser, no checks."""
    import subprocess
    import sys

    probe = (
        "import sys\n"
        "from iac_iam_checks.cli import main\n"
        "try:\n"
        "    main(['--version'])\n"
        "finally:\n"
        "    print(sorted(m for m in sys.modules if m.startswith(('iac_iam_checks', 'hcl2', "
        "'lark', 'yaml'))))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], check=False, capture_output=True)
    assert done.returncode == 0
    assert done.stdout.decode().splitlines()[-1] == "['iac_iam_checks', 'iac_iam_checks.cli']"


ALIAS_BOMB = (
    "AWSTemplateFormatVersion: '2010-09-09'\na: &a [x, x, x, x, x, x, x, x, x]\n"
    + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
        f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
        for i in range(9)
    )
)

BAD_INPUTS: dict[str, str | bytes] = {
    "broken.tf": 'resource "aws_iam_user" "x" {\n  name = "a"\n',
    "broken.yaml": "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  A: [\n",
    "broken.json": '{"AWSTemplateFormatVersion": "2010-09-09", "Resources": {',
    "binary.tf": b"\x00\x01\x02resource",
    "latin1.tf": 'resource "aws_iam_user" "x" { name = "caf\xe9" }\n'.encode("latin-1"),
    "bomb.yaml": ALIAS_BOMB,
    "deep.json": '{"AWSTemplateFormatVersion": "2010-09-09", "Resources": '
    + "[" * 20000
    + "]" * 20000
    + "}",
    "huge.tf": "# " + "x" * (6 * 1024 * 1024) + "\n",
}


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_input_is_an_error_and_the_rest_is_scanned(tmp_path: Path, name: str) -> None:
    root = repo(tmp_path, {name: BAD_INPUTS[name], "good/main.tf": INLINE_POLICY})
    code, data = scan_json(str(root), "--check", "IAM001")
    assert code == 2
    assert [e["file"] for e in data["errors"]] == [name]
    assert [f["resource"] for f in data["findings"]] == ["aws_iam_user_policy.inline"]


def test_symlink_loop_is_an_error(tmp_path: Path) -> None:
    root = repo(tmp_path, {"good/main.tf": INLINE_POLICY})
    os.symlink(root, root / "good" / "loop")
    code, data = scan_json(str(root), "--check", "IAM001")
    assert code == 2
    assert [e["file"] for e in data["errors"]] == ["good/loop"]
    assert [f["resource"] for f in data["findings"]] == ["aws_iam_user_policy.inline"]


def test_non_iac_yaml_and_json_are_skipped_silently(tmp_path: Path) -> None:
    root = repo(
        tmp_path,
        {
            "deploy.yaml": "apiVersion: v1\nkind: Pod\nmetadata: {name: [\n",
            ".github/workflows/ci.yml": "on: push\njobs: {build: {runs-on: ubuntu}}\n",
            "package.json": '{"name": "x", ',
            # A CodeDeploy AppSpec names CloudFormation types, but its Resources is a list.
            "appspec.yaml": "version: 0.0\nResources:\n  - Web:\n      Type: AWS::ECS::Service\n",
            "main.tf": INLINE_POLICY,
        },
    )
    code, data = scan_json(str(root), "--check", "IAM001")
    assert code == 1 and data["errors"] == []


def test_terraform_blocks_that_only_carry_values_are_checked_for_credentials(
    tmp_path: Path,
) -> None:
    root = repo(
        tmp_path,
        {
            "main.tf": """module "app" {
  source     = "./app"
  access_key = "AKIA81U33XTPLPFT75V2"
}
output "x" { value = "AKIA81U33XTPLPFT75V3" }
""",
            "app/main.tf": 'variable "access_key" {}\n',
            "envs/prod.tfvars": 'k = "AKIA81U33XTPLPFT75V4"\n',
        },
    )
    code, data = scan_json(str(root), "--check", "IAM012")
    assert code == 1
    assert [(f["resource"], f["line"]) for f in data["findings"]] == [
        ("envs/prod.tfvars", 1),
        ("module.app", 3),
        ("output.x", 5),
    ]


def test_a_broken_tfvars_file_is_an_error(tmp_path: Path) -> None:
    root = repo(tmp_path, {"main.tf": INLINE_POLICY, "envs/prod.tfvars": 'k = "open\n'})
    code, data = scan_json(str(root), "--check", "IAM001")
    assert code == 2
    assert [e["file"] for e in data["errors"]] == ["envs/prod.tfvars"]


def console(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The installed command as users run it: ``cli.run`` in a process of its own."""
    code = "from iac_iam_checks.cli import run; run()"
    command = [sys.executable, "-c", code, *args]
    return subprocess.run(command, capture_output=True, text=True, cwd=cwd, check=False)


def test_the_console_script_exits_with_the_gate_status_and_flushes_everything(
    tmp_path: Path,
) -> None:
    """``run`` ends the process without the interpreter's teardown: the exit status and every
    byte written before must still come out, also when the output is large."""
    many = "".join(INLINE_POLICY.replace('"inline"', f'"inline_{i}"') for i in range(300))
    root = repo(tmp_path, {"main.tf": many})
    done = console("scan", "--format", "json", "--no-cache", str(root), cwd=tmp_path)
    assert done.returncode == 1
    assert len(json.loads(done.stdout)["findings"]) >= 300
    report = tmp_path / "out.sarif"
    done = console("scan", "--soft-fail", "--output", f"sarif={report}", str(root), cwd=tmp_path)
    assert done.returncode == 0
    assert json.loads(report.read_text(encoding="utf-8"))["runs"]
    done = console("scan", "--no-such-option", cwd=tmp_path)
    assert done.returncode == 2
    assert "No such option" in done.stderr
    assert console("--version", cwd=tmp_path).stdout.startswith("iac-iam-checks")
