"""Scan a fixed set of targets and save, or compare, the JSON output bytes.

Why: performance work must not change one output byte. Run once with ``--save DIR`` before a
change and with ``--compare DIR`` after; the second run prints every target whose bytes differ
and exits 1. Targets are scanned with ``--no-cache`` from a fixed working directory, once with
``--jobs 1`` and once with the default ``--jobs``.
"""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def targets(extra: list[str]) -> list[Path]:
    """fixtures/demo, every check example file, then the extra paths given."""
    examples = sorted(
        p for p in (REPO / "iac_iam_checks" / "checks").iterdir() if p.suffix in (".tf", ".yaml")
    )
    return [REPO / "fixtures" / "demo", *examples, *(Path(e).resolve() for e in extra)]


def scan(cli: str, target: Path, jobs: str) -> bytes:
    """The JSON bytes (stdout, then stderr) of one cold scan of ``target``."""
    command = [cli, "scan", str(target), "--format", "json", "--no-cache", "--soft-fail"]
    done = subprocess.run([*command, "--jobs", jobs], capture_output=True, cwd=REPO, check=False)
    return done.stdout + b"\n--stderr--\n" + done.stderr


def main() -> int:
    """Save or compare; exit 1 on any difference."""
    parser = argparse.ArgumentParser(description=__doc__)
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--save", type=Path)
    mode.add_argument("--compare", type=Path)
    parser.add_argument("--cli", default=str(Path(sys.executable).with_name("iac-iam-checks")))
    parser.add_argument("extra", nargs="*", help="more folders or files to scan")
    args = parser.parse_args()
    folder = args.save or args.compare
    folder.mkdir(parents=True, exist_ok=True)
    differ = 0
    for target in targets(args.extra):
        for jobs in ("1", "0"):
            key = hashlib.sha256(f"{target}|{jobs}".encode()).hexdigest()[:16]
            out = scan(args.cli, target, jobs)
            saved = folder / f"{key}.json"
            if args.save:
                saved.write_bytes(out)
            elif saved.read_bytes() != out:
                differ += 1
                print(f"DIFFERS: {target} --jobs {jobs} ({saved})")
    print(
        f"{'saved' if args.save else 'compared'}: {len(targets(args.extra)) * 2} scans, "
        f"{differ} differ"
    )
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
