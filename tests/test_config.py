"""Configuration discovery, validation and conversion to Settings."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from iac_iam_checks.gate.config import (
    Config,
    ConfigError,
    discover_config,
    find_config,
    load_config,
)
from iac_iam_checks.gate.suppressions import SuppressRule
from iac_iam_checks.model.settings import Settings

KNOWN = {"IAM001", "IAM004", "IAM007", "IAM020"}

FULL = """\
[project]
name = "infra"

[tool.iac-iam-checks]
checks = ["IAM001", "IAM020"]
skip_checks = ["IAM007"]
severity = { IAM001 = "low", IAM020 = "HIGH" }
severity_threshold = "medium"
min_password_length = 16
password_reuse_prevention = 12
max_password_age = 60
own_account_ids = ["111122223333"]
exclude = ["examples/**", "legacy/*.tf"]

[[tool.iac-iam-checks.suppress]]
id = "IAM020"
resource = "module.breakglass.*"
reason = "break-glass role (SEC-123)"
expires = 2025-12-31

[[tool.iac-iam-checks.suppress]]
id = "IAM001"
resource = "aws_iam_user_policy.legacy"
reason = "legacy"
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_full_pyproject_table(tmp_path):
    path = write(tmp_path / "pyproject.toml", FULL)
    assert load_config(path, KNOWN) == Config(
        path=path,
        checks=("IAM001", "IAM020"),
        skip_checks=("IAM007",),
        severity={"IAM001": "LOW", "IAM020": "HIGH"},
        severity_threshold="MEDIUM",
        min_password_length=16,
        password_reuse_prevention=12,
        max_password_age=60,
        own_account_ids=("111122223333",),
        exclude=("examples/**", "legacy/*.tf"),
        suppress=(
            SuppressRule(
                "IAM020",
                "module.breakglass.*",
                "break-glass role (SEC-123)",
                datetime.date(2025, 12, 31),
                origin=str(path),
            ),
            SuppressRule("IAM001", "aws_iam_user_policy.legacy", "legacy", None, origin=str(path)),
        ),
    )


def test_to_settings_fills_defaults_for_unset_values(tmp_path):
    path = write(
        tmp_path / ".iac-iam-checks.toml", 'max_password_age = 30\nseverity = {IAM004 = "HIGH"}\n'
    )
    assert load_config(path, KNOWN).to_settings() == Settings(
        min_password_length=14,
        password_reuse_prevention=24,
        max_password_age=30,
        own_account_ids=(),
        severity_overrides={"IAM004": "HIGH"},
    )
    assert Config().to_settings() == Settings()


def test_dedicated_file_accepts_a_copied_tool_table(tmp_path):
    path = write(
        tmp_path / ".iac-iam-checks.toml", '[tool.iac-iam-checks]\nskip_checks = ["IAM007"]\n'
    )
    assert load_config(path, KNOWN).skip_checks == ("IAM007",)


def test_discovery_walks_up_and_skips_pyprojects_without_the_table(tmp_path):
    root = write(tmp_path / "repo" / "pyproject.toml", '[tool.iac-iam-checks]\nexclude = ["x"]\n')
    write(tmp_path / "repo" / "infra" / "pyproject.toml", '[project]\nname = "other"\n')
    scanned = tmp_path / "repo" / "infra" / "prod"
    scanned.mkdir(parents=True)
    assert find_config(scanned) == root.resolve()
    assert discover_config(scanned, KNOWN).exclude == ("x",)
    main_tf = write(scanned / "main.tf", "")
    assert find_config(main_tf) == root.resolve()


def test_dedicated_file_wins_in_the_same_directory(tmp_path):
    write(tmp_path / "pyproject.toml", '[tool.iac-iam-checks]\nexclude = ["a"]\n')
    dedicated = write(tmp_path / ".iac-iam-checks.toml", 'exclude = ["b"]\n')
    assert find_config(tmp_path) == dedicated.resolve()


def test_no_configuration_anywhere(tmp_path, monkeypatch):
    monkeypatch.setattr(Path, "is_file", lambda self: False)
    assert find_config(tmp_path) is None
    assert discover_config(tmp_path, KNOWN) == Config()


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (
            "skip_check = ['IAM007']",
            "skip_check: unknown key (known keys: checks, exclude, limits, "
            "max_password_age, min_password_length, own_account_ids, password_reuse_prevention, "
            "severity, severity_threshold, skip_checks, suppress)",
        ),
        ("checks = 'IAM001'", "checks: expected a list of strings, got str 'IAM001'"),
        ("skip_checks = ['IAM999']", "skip_checks: unknown check id 'IAM999'"),
        (
            "severity = { IAM001 = 'SEVERE' }",
            "severity.IAM001: expected one of LOW, MEDIUM, HIGH, CRITICAL, got str 'SEVERE'",
        ),
        ("severity = { IAM404 = 'LOW' }", "severity.IAM404: unknown check id 'IAM404'"),
        (
            "severity_threshold = 3",
            "severity_threshold: expected one of LOW, MEDIUM, HIGH, CRITICAL, got int 3",
        ),
        (
            "min_password_length = '14'",
            "min_password_length: expected a non-negative integer, got str '14'",
        ),
        (
            "max_password_age = true",
            "max_password_age: expected a non-negative integer, got bool True",
        ),
        (
            "own_account_ids = [111122223333]",
            'own_account_ids: account ids must be quoted strings ("012345678901")',
        ),
        ("own_account_ids = ['1234']", "own_account_ids: not a 12-digit account id: '1234'"),
        ("[[suppress]]\nid = 'IAM001'\nresource = '*'", "suppress[0]: missing reason"),
        (
            "[[suppress]]\nid = 'IAM001'\nresource = '*'\nreason = ' '",
            "suppress[0].reason: expected a non-empty string, got str ' '",
        ),
        (
            "[[suppress]]\nid = 'IAM001'\nresource = '*'\nreason = 'r'\nuntil = 2025-01-01",
            "suppress[0].until: unknown key (known keys: expires, id, reason, resource)",
        ),
        (
            "[[suppress]]\nid = 'IAM001'\nresource = '*'\nreason = 'r'\nexpires = 'soon'",
            "suppress[0].expires: expected a date (2025-12-31), got str 'soon'",
        ),
        (
            "[[suppress]]\nid = 'IAM002'\nresource = '*'\nreason = 'r'",
            "suppress[0].id: unknown check id 'IAM002'",
        ),
    ],
)
def test_invalid_configuration_names_file_and_key(tmp_path, body, problem):
    path = write(tmp_path / ".iac-iam-checks.toml", body + "\n")
    with pytest.raises(ConfigError) as error:
        load_config(path, KNOWN)
    assert str(error.value) == f"{path}: {problem}"


def test_expires_may_be_a_quoted_date(tmp_path):
    path = write(
        tmp_path / ".iac-iam-checks.toml",
        "[[suppress]]\nid = 'IAM001'\nresource = '*'\nreason = 'r'\nexpires = '2026-01-31'\n",
    )
    assert load_config(path, KNOWN).suppress[0].expires == datetime.date(2026, 1, 31)


def test_invalid_toml_and_missing_table_are_errors(tmp_path):
    broken = write(tmp_path / "a" / ".iac-iam-checks.toml", "checks = [\n")
    with pytest.raises(ConfigError, match=r"\.iac-iam-checks\.toml: invalid TOML: "):
        load_config(broken, KNOWN)
    bare = write(tmp_path / "b" / "pyproject.toml", "[project]\nname = 'x'\n")
    with pytest.raises(ConfigError) as error:
        load_config(bare, KNOWN)
    assert str(error.value) == f"{bare}: no [tool.iac-iam-checks] table"
    with pytest.raises(ConfigError) as error:
        load_config(tmp_path / "missing.toml", KNOWN)
    assert (
        str(error.value) == f"{tmp_path / 'missing.toml'}: cannot read: No such file or directory"
    )
