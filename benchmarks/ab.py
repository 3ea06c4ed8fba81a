"""A/B timing of two checkouts of this package on one target: fresh processes, interleaved.

Why: on a shared machine one cold scan swings by 10-30% between runs, so a 5-10% change only
shows in many runs of both variants taken in turns. Each run is a fresh interpreter that
imports the package from the given checkout (an editable install's finder is set aside) and
times the scan itself, imports apart; the medians and minimums are printed. Typical use, with
the old code in a git worktree::

    git worktree add /tmp/before HEAD~1
    .venv/bin/python benchmarks/ab.py /tmp/before . benchmarks/corpus/repos-300-s0 --jobs 2
"""

from __future__ import annotations

import argparse
import compileall
import statistics
import subprocess
import sys
from pathlib import Path

RUN = r"""
import sys, time
from pathlib import Path
tree, target, jobs = sys.argv[1], sys.argv[2], int(sys.argv[3])
sys.meta_path = [f for f in sys.meta_path if "editable" not in repr(f).lower()]
sys.path.insert(0, tree)
from iac_iam_checks.engine import discover, pipeline
from iac_iam_checks.engine.loading import scan_base
from iac_iam_checks.engine.options import ScanOptions
assert pipeline.__file__.startswith(tree), pipeline.__file__
options = ScanOptions(use_cache=False, jobs=jobs)
paths = [Path(target)]
found = discover.discover(paths, scan_base(paths), options.excludes)
start = time.perf_counter()
pipeline.scan_uncached(paths, options, found)
print(time.perf_counter() - start)
"""


def seconds(tree: Path, target: Path, jobs: int) -> float:
    command = [sys.executable, "-c", RUN, str(tree), str(target), str(jobs)]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return float(done.stdout.strip())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("a", type=Path, help="checkout A (the folder holding iac_iam_checks/)")
    parser.add_argument("b", type=Path, help="checkout B")
    parser.add_argument("target", type=Path, help="what to scan")
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--runs", type=int, default=7, help="runs of each variant")
    args = parser.parse_args()
    trees = [args.a.resolve(), args.b.resolve()]
    for tree in trees:  # modules the scan imports late would compile inside the timing
        compileall.compile_dir(tree / "iac_iam_checks", quiet=1)
    times: dict[Path, list[float]] = {tree: [] for tree in trees}
    for _ in range(args.runs):
        for tree in trees:
            times[tree].append(seconds(tree, args.target.resolve(), args.jobs))
    for tree in trees:
        runs = times[tree]
        print(f"{tree}: median {statistics.median(runs):.3f} s, min {min(runs):.3f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
