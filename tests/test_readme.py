"""The README's check table is the checks' own metadata, and its commands are the real ones."""

from pathlib import Path

from iac_iam_checks.docs import check_table, update_readme

README = Path(__file__).resolve().parent.parent / "README.md"


def test_check_table_is_current() -> None:
    text = README.read_text(encoding="utf-8")
    assert update_readme(text) == text, "run: python -m iac_iam_checks.docs"
    assert check_table() in text


def test_ci_runs_the_readme_test_command() -> None:
    ci = (README.parent / ".ci" / "run").read_text(encoding="utf-8")
    command = ci.strip().splitlines()[-1]
    assert command in README.read_text(encoding="utf-8")
