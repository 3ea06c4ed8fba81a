"""mypy over the package, with the settings in pyproject.toml ([tool.mypy]).

CI runs the README's pytest command, so this test is how the type check runs in CI. mypy's
incremental cache (``.mypy_cache/`` at the repository root) keeps a rerun under a second.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_mypy_is_clean():
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", "pyproject.toml"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(f"mypy found errors:\n{result.stdout}{result.stderr}", pytrace=False)
