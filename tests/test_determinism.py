"""Same input, same bytes (issue 10): every format is identical across runs, ``--jobs``
values, cold and warm caches, two scans sharing one cache folder at once, and after the cache's
entries are corrupted or truncated (a damaged entry is ignored and rewritten). Each scan runs
in its own process with ``XDG_CACHE_HOME`` pointed at a temporary folder."""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
from pathlib import Path

from test_cli import INLINE_POLICY, repo

FORMATS = ("text", "json", "sarif", "junit", "markdown")
ROOTS = 16
"""Enough roots and bytes that ``--jobs 2`` forks workers (``terraform.PARALLEL_MIN_*``)."""


def corpus(tmp_path: Path) -> Path:
    checks = Path(__file__).resolve().parent.parent / "iac_iam_checks" / "checks"
    padding = "# " + "x" * 16_400 + "\n"
    files: dict[str, str | bytes] = {
        f"roots/r{i:02d}/main.tf": padding + INLINE_POLICY.replace("inline", f"inline{i}")
        for i in range(ROOTS)
    }
    for example in sorted(checks.glob("iam02[0-2]*")):
        if example.suffix in (".tf", ".yaml"):
            files[f"examples/{example.stem}/{example.name}"] = example.read_bytes()
    return repo(tmp_path / "repo", files)


def scan(root: Path, cache: Path, out: Path, *args: str) -> subprocess.Popen[bytes]:
    out.mkdir(parents=True)
    outputs = [a for fmt in FORMATS for a in ("--output", f"{fmt}={out / fmt}")]
    entry = "from iac_iam_checks.cli import main; main()"
    command = [sys.executable, "-c", entry, "scan", str(root), "--no-color"]
    env = {**os.environ, "XDG_CACHE_HOME": str(cache), "CI": "true"}
    return subprocess.Popen(
        [*command, *outputs, *args], env=env, stdout=subprocess.DEVNULL, cwd=root
    )


def reports(out: Path) -> dict[str, bytes]:
    return {fmt: (out / fmt).read_bytes() for fmt in FORMATS}


def finish(*processes: subprocess.Popen[bytes]) -> None:
    for process in processes:
        assert process.wait(timeout=300) == 1  # findings fail the gate; never 2 or a crash


def test_identical_bytes_across_jobs_caches_and_concurrent_scans(tmp_path: Path) -> None:
    root = corpus(tmp_path)
    cache = tmp_path / "cache"
    finish(scan(root, cache, tmp_path / "nocache", "--no-cache", "--jobs", "1"))
    expected = reports(tmp_path / "nocache")
    assert f"inline{ROOTS - 1}".encode() in expected["json"]
    finish(scan(root, cache, tmp_path / "cold", "--jobs", "2"))
    finish(scan(root, cache, tmp_path / "warm", "--jobs", "1"))
    shared = tmp_path / "shared-cache"
    finish(
        scan(root, shared, tmp_path / "both1", "--jobs", "2"),
        scan(root, shared, tmp_path / "both2", "--jobs", "1"),
    )
    for name in ("cold", "warm", "both1", "both2"):
        assert reports(tmp_path / name) == expected, name

    ours = (cache / "iac-iam-checks" / "results", cache / "iac-iam-checks" / "parse")
    entries = sorted(p for folder in ours for p in folder.rglob("*") if p.is_file())
    assert entries, "the scans wrote cache entries"
    for index, entry in enumerate(entries):
        data = entry.read_bytes()
        entry.write_bytes(data[: len(data) // 2] if index % 2 else b"\x00garbage{")
    # The result cache's key holds the options, --jobs included: both entries are damaged.
    finish(scan(root, cache, tmp_path / "corrupted1", "--jobs", "1"))
    finish(scan(root, cache, tmp_path / "corrupted2", "--jobs", "2"))
    assert reports(tmp_path / "corrupted1") == reports(tmp_path / "corrupted2") == expected
    for entry in entries:  # each damaged entry was ignored, then written again whole
        data = entry.read_bytes()
        if entry.name.endswith(".gz"):
            data = gzip.decompress(data)
        assert data.startswith((b"{", b"[")), entry
