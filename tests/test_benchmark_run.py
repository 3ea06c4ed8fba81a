"""How ``benchmarks/run.py`` names and sums what it measured (made-up rows: nothing is timed)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent


def load_run() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_run", ROOT / "benchmarks" / "run.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_run"] = module  # dataclasses look their module up while building
    spec.loader.exec_module(module)
    return module


def test_together_reads_the_set_as_one_and_each_corpus_alone() -> None:
    run = load_run()

    def row(corpus: str, tool: str, wall: float | None) -> object:
        return run.Measurement(corpus, 1, tool, wall, None, None, None)

    rows = [
        row("big", run.OURS_COLD, 0.5),
        row("big", run.OURS_WARM, 0.1),
        row("big", run.CHECKOV_BUILTIN, 50.0),
        row("small", run.OURS_COLD, 0.2),
        row("small", run.CHECKOV_BUILTIN, 3.0),
        row("tiny", run.OURS_COLD, 0.1),
        row("tiny", run.CHECKOV_BUILTIN, 0.9),
        row("failed", run.OURS_COLD, 0.1),
        row("failed", run.CHECKOV_BUILTIN, None),
    ]
    assert run.together(rows) == (
        "together (3 corpora, first runs): checkov built-in 53.90 s, ours 0.80 s, 67.4x; "
        "per corpus median 15.0x, 1 of 3 at 60x or more, 2 of 3 at 10x or more"
    )
    assert run.together(rows[-2:]) == "together: n/a"


def test_folders_sharing_a_name_get_their_parent_in_front() -> None:
    run = load_run()
    folders = [Path("/a/terraform-aws-vpc"), Path("/b/terraform-aws-vpc"), Path("/a/kms")]
    assert run.corpus_names(folders) == ["a/terraform-aws-vpc", "b/terraform-aws-vpc", "kms"]
