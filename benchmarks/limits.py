"""Time what the test suite only checks for behaviour: start-up, and bad input that must be
rejected quickly instead of hanging a scan. Wall-clock limits do not belong in tests (a busy CI
machine fails them at random); here each measurement is printed beside its limit, and the
script exits 1 when one is over it.

The bad inputs are the test suite's own (``tests/test_cli.py``'s ``BAD_INPUTS``), imported by
path, so both always exercise the same files.
"""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent

VERSION_LIMIT_S = 3.0
BAD_INPUT_LIMIT_S = 20.0
ALIAS_BOMB_LIMIT_S = 1.0


def load_test_module(name: str):
    """A module of the test suite, imported by path (its folder is not a package)."""
    spec = importlib.util.spec_from_file_location(name, REPO / "tests" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def version() -> None:
    """``--version`` in a fresh interpreter: start-up imports included."""
    command = [sys.executable, "-c", "from iac_iam_checks.cli import main; main(['--version'])"]
    subprocess.run(command, check=False, capture_output=True)


def bad_input_scan(cli: Any, name: str, content: str | bytes) -> Callable[[], object]:
    """Scan one bad file next to a good one, through the CLI as the test does."""

    def scan() -> None:
        with tempfile.TemporaryDirectory() as tmp:
            root = cli.repo(Path(tmp), {name: content, "good/main.tf": cli.INLINE_POLICY})
            cli.scan_json(str(root), "--check", "IAM001")

    return scan


def alias_bomb(loader: Any, text: str) -> Callable[[], object]:
    from iac_iam_checks.frontends.cfn_yaml import TemplateLoadError, load_template

    def load() -> None:
        try:
            load_template(text, "bomb.yaml", loader)
        except TemplateLoadError:
            pass

    return load


def measurements() -> list[tuple[str, Callable[[], object], float]]:
    from iac_iam_checks.frontends.cfn_yaml import NODE_LOADER, PureLoader

    cli = load_test_module("test_cli")
    rows = [("--version", version, VERSION_LIMIT_S)]
    rows += [
        (f"scan with {name}", bad_input_scan(cli, name, content), BAD_INPUT_LIMIT_S)
        for name, content in sorted(cli.BAD_INPUTS.items())
    ]
    bomb = cli.BAD_INPUTS["bomb.yaml"]
    rows += [
        (f"alias bomb, {loader.__name__}", alias_bomb(loader, bomb), ALIAS_BOMB_LIMIT_S)
        for loader in (NODE_LOADER, PureLoader)
    ]
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1, help="keep the fastest of N runs")
    args = parser.parse_args()
    over = 0
    print("| what | wall s | limit s | |\n| --- | ---: | ---: | --- |")
    for name, action, limit in measurements():
        wall = min(timed(action) for _ in range(args.repeat))
        verdict = "ok" if wall < limit else "OVER"
        over += verdict == "OVER"
        print(f"| {name} | {wall:.3f} | {limit:g} | {verdict} |")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
