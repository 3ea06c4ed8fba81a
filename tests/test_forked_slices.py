"""Work shared by forked processes comes back as one process would make it: every chunk done
once, results in order, and a process with an expensive slice helped by the others."""

from __future__ import annotations

import os
import time

import pytest

from iac_iam_checks import forked_slices


def chunk_work(start: int, end: int) -> tuple[int, int, int]:
    """(start, end, the process that did it)."""
    return start, end, os.getpid()


def slow_first_quarter(start: int, end: int) -> tuple[int, int, int]:
    if start < 25:
        time.sleep(0.1)
    return chunk_work(start, end)


@pytest.mark.parametrize("count", [0, 1, 2, 7, 100])
@pytest.mark.parametrize("jobs", [1, 2, 3])
def test_every_chunk_once_in_order(count: int, jobs: int) -> None:
    parts = forked_slices.in_forked_slices(count, jobs, chunk_work)

    covered = [i for start, end, _ in parts for i in range(start, end)]
    assert covered == list(range(count))


def test_a_slow_slice_is_shared() -> None:
    """With two processes, the first slice (all slow) is finished partly by the worker,
    which took its chunks from the back: each process's chunks stay contiguous runs."""
    parts = forked_slices.in_forked_slices(100, 2, slow_first_quarter)

    here = [start for start, _, pid in parts if pid == os.getpid()]
    there = [start for start, _, pid in parts if pid != os.getpid()]
    assert here and there
    assert max(here) < min(there)  # this process from the front, the worker from the back
    assert min(there) < 50  # the worker reached into this process's slice
    assert forked_slices._LEFT is None and forked_slices._WORK is None  # noqa: SLF001


def test_without_fork_everything_runs_here(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("multiprocessing.get_all_start_methods", lambda: ["spawn"])
    parts = forked_slices.in_forked_slices(40, 4, chunk_work)

    assert {pid for _, _, pid in parts} == {os.getpid()}
    assert [i for start, end, _ in parts for i in range(start, end)] == list(range(40))
