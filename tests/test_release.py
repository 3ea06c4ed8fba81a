"""One version everywhere (issue 12 item 3): ``pyproject.toml``, the package, the newest
CHANGELOG.md section, and every release tag the README and the examples tell users to install."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from iac_iam_checks import __version__, cli

ROOT = Path(__file__).resolve().parent.parent
TAG = re.compile(r"(?:@|rev: )v(\d+\.\d+\.\d+\S*?)\b")
"""A release tag named as pip's ``git+URL@vX.Y.Z`` or pre-commit's ``rev: vX.Y.Z``."""


def project_version() -> str:
    match = re.search(r'^version = "([^"]+)"', (ROOT / "pyproject.toml").read_text(), re.M)
    assert match is not None
    return match[1]


def test_package_and_changelog_carry_the_project_version() -> None:
    version = project_version()
    assert __version__ == version
    assert CliRunner().invoke(cli.main, ["--version"]).output.split()[-1] == version
    sections = re.findall(r"^## (\S+)", (ROOT / "CHANGELOG.md").read_text(), re.M)
    assert sections and sections[0] == version


def test_every_tag_users_are_told_to_install_is_the_current_release() -> None:
    texts = {"README.md": (ROOT / "README.md").read_text(encoding="utf-8")}
    for example in sorted((ROOT / "examples").rglob("*.y*ml")):
        texts[str(example.relative_to(ROOT))] = example.read_text(encoding="utf-8")
    named = {(name, tag) for name, text in texts.items() for tag in TAG.findall(text)}
    assert {name for name, _ in named} >= {
        "README.md",
        "examples/ci/github-actions.yml",
        "examples/ci/gitlab-ci.yml",
    }
    assert {tag for _, tag in named} == {project_version()}


def test_no_install_of_a_package_that_is_not_published() -> None:
    """There is no PyPI release: nothing may tell users to ``pip install iac-iam-checks``."""
    for path in [ROOT / "README.md", *sorted((ROOT / "examples").rglob("*.y*ml"))]:
        assert not re.search(r"pipx? install -?q? ?iac-iam-checks\b", path.read_text()), path
