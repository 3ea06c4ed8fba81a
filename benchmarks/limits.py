"""Time what the test suite only checks for behaviour: start-up, and bad input that must be
rejected quickly instead of hanging a scan. Wall-clock limits do not belong in tests (a busy CI
machine fails them at random); here each measurement is printed beside its limit, and the
script exits 1 when one is over it.

The bad inputs are the test suite's own (``tests/test_cli.py``'s ``BAD_INPUTS``), imported by
path, so both always exercise the same files.
"""

from __future__ import annotations

import argparse
import contextlib
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
PEAK_RSS_LIMIT_MB = 200
"""Peak memory of one scan (max RSS of its process) whatever one bad file does: every input of
the bad-input corpus (``tests/bad_inputs``, ``BAD_INPUTS``) and the hostile generated ones
below, each beside a valid file."""
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
        with contextlib.suppress(TemplateLoadError):
            load_template(text, "bomb.yaml", loader)

    return load


def hostile_inputs(cli: Any) -> dict[str, str | bytes]:
    """Inputs whose memory a scan must bound: the corpus, and values built to grow."""
    corpus = REPO / "tests" / "bad_inputs"
    inputs: dict[str, str | bytes] = dict(cli.BAD_INPUTS)
    inputs.update(
        {f"corpus-{p.name}": p.read_bytes() for p in corpus.iterdir() if p.name != "README.md"}
    )
    doubling = "".join(f'  a{i + 1} = "${{local.a{i}}}${{local.a{i}}}"\n' for i in range(60))
    inputs["doubling.tf"] = (
        f'locals {{\n  a0 = "{"x" * 1000}"\n{doubling}}}\n'
        'resource "aws_iam_policy" "p" {\n  policy = jsonencode({Statement = [{Effect = '
        '"Allow", Action = "*", Resource = local.a60}]})\n}\n'
    )
    inputs["big.tf"] = "# " + "x" * (20 * 1024 * 1024) + "\n"
    inputs["deep.json"] = (
        '{"AWSTemplateFormatVersion": "2010-09-09", "Resources": '
        + "[" * 200_000
        + "]" * 200_000
        + "}"
    )
    return inputs


def peak_rss_mb(name: str, content: str | bytes) -> float:
    """Scan the input beside a valid file in a child process; its max RSS in MB."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "good").mkdir()
        (root / "good" / "main.tf").write_text(load_test_module("test_cli").INLINE_POLICY)
        target = root / "bad" / name.removeprefix("corpus-")
        target.parent.mkdir()
        target.write_bytes(content if isinstance(content, bytes) else content.encode())
        scan = [sys.executable, "-c", "from iac_iam_checks.cli import main; main()", "scan"]
        scan += [str(root), "--no-cache", "--format", "json"]
        # Linux carries a process's peak RSS across exec, so a child of this (big) process
        # would report this process's peak: a small launcher runs the scan as its own child
        # and reports that grandchild's peak alone.
        launcher = (
            "import resource, subprocess, sys\n"
            "subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
        )
        done = subprocess.run(
            [sys.executable, "-c", launcher, *scan], capture_output=True, text=True, check=True
        )
    return int(done.stdout) / 1024  # kilobytes on Linux


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
    print("\n| scan beside | peak RSS MB | limit MB | |\n| --- | ---: | ---: | --- |")
    peaks = []
    for name, content in sorted(hostile_inputs(load_test_module("test_cli")).items()):
        peak = peak_rss_mb(name, content)
        peaks.append(peak)
        verdict = "ok" if peak < PEAK_RSS_LIMIT_MB else "OVER"
        over += verdict == "OVER"
        print(f"| {name} | {peak:.0f} | {PEAK_RSS_LIMIT_MB} | {verdict} |")
    print(f"\nlargest peak: {max(peaks):.0f} MB")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
