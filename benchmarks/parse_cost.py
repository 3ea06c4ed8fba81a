"""Parse cost per KB of HCL: the reading-the-files floor, then each step of our parse.

Why: issue 11 asks the benchmark to report what parsing costs per KB beside what merely
reading the files costs, so that the parser's share of a scan stays visible. Every `.tf` file
under the folders given is read once into memory, then each step is timed over all of them,
fastest of ``--repeat`` passes (a shared machine's noise only ever adds time):

- read: open, read and decode every file (the floor);
- pre-pass: ``blank_irrelevant`` as a default scan runs it (bodies no check reads become spaces);
- tree-sitter: tree-sitter-hcl's C parse of the pre-passed text;
- + conversion: the same plus the rebuild into python-hcl2's tree, i.e. what the scan's
  default parser costs after the pre-pass (files it hands to python-hcl2 are counted there);
- python-hcl2: the reference parser (``--parser hcl2``) on the same pre-passed text.

Prints one JSON object per folder (``benchmarks/run.py`` shows them as a table).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def hcl_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.tf") if p.is_file())


def fastest(step: Callable[[], Any], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        step()
        best = min(best, time.perf_counter() - start)
    return best


def measure(folder: Path, repeat: int) -> dict[str, Any]:
    """Milliseconds per KB of original text for each step over the folder's `.tf` files."""
    from iac_iam_checks.engine.loading import relevant_kinds
    from iac_iam_checks.engine.options import ScanOptions
    from iac_iam_checks.frontends import hcl_treesitter
    from iac_iam_checks.frontends.hcl_blocks import OUTPUT, blank_irrelevant
    from iac_iam_checks.frontends.hcl_parser import parser
    from iac_iam_checks.frontends.terraform_parse import ALWAYS_KEPT

    paths = hcl_files(folder)

    def read() -> list[str]:
        return [p.read_text(encoding="utf-8-sig", errors="replace") for p in paths]

    texts = read()
    kilobytes = sum(len(t.encode("utf-8")) for t in texts) / 1024
    keep = relevant_kinds(ScanOptions())

    def kept(kind: str) -> bool:  # outputs kept, as in a called module (a root skips them)
        return kind in keep or kind == OUTPUT or kind.startswith(ALWAYS_KEPT)

    blanked = [blank_irrelevant(t, kept) + "\n" for t in texts]
    reference = parser()  # built (grammar cache) before timing
    ts_parser = hcl_treesitter._parser()

    def python_hcl2(text: str) -> None:
        with contextlib.suppress(Exception):  # a syntax error costs what it costs
            reference.parse(text)

    def converted(text: str) -> None:
        try:
            hcl_treesitter.parse(text)
        except (hcl_treesitter.Unsupported, RecursionError):
            python_hcl2(text)  # the scan hands such a file to python-hcl2

    steps = {
        "read": read,
        "pre-pass": lambda: [blank_irrelevant(t, kept) for t in texts],
        "tree-sitter": lambda: [ts_parser.parse(t.encode("utf-8")) for t in blanked],
        "+ conversion": lambda: [converted(t) for t in blanked],
        "python-hcl2": lambda: [python_hcl2(t) for t in blanked],
    }
    per_kb = {
        name: round(fastest(step, repeat) * 1000 / kilobytes, 3) if kilobytes else None
        for name, step in steps.items()
    }
    return {"folder": str(folder), "files": len(paths), "kb": round(kilobytes), "ms_per_kb": per_kb}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="+", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    for folder in args.folders:
        print(json.dumps(measure(folder, args.repeat)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
