"""Work shared by forked processes comes back as one process would make it: every chunk done
once, results in order, and a process with an expensive slice helped by the others."""

from __future__ import annotations

import os
import signal
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


def test_alongside_runs_here_while_workers_start() -> None:
    """The task runs in this process, once, after the fork and before this process's first
    chunk: the workers meanwhile take chunks of this process's slice."""
    events: list[str] = []

    def task() -> None:
        events.append("task")
        time.sleep(0.3)

    def logged(start: int, end: int) -> tuple[int, int, int]:
        if os.getpid() == here:
            events.append(f"chunk {start}")
        return chunk_work(start, end)

    here = os.getpid()
    with forked_slices.alongside(task):
        parts = forked_slices.in_forked_slices(100, 2, logged)
        assert events[0] == "task" and events.count("task") == 1
    assert events.count("task") == 1
    assert [i for start, end, _ in parts for i in range(start, end)] == list(range(100))
    assert any(pid != here for start, _, pid in parts if start < 50)  # it took some of ours


def test_alongside_without_a_fork_runs_at_the_end() -> None:
    events: list[str] = []
    with forked_slices.alongside(lambda: events.append("task")):
        forked_slices.in_forked_slices(3, 1, chunk_work)
        assert events == []
    assert events == ["task"]


def test_alongside_skipped_when_the_block_fails() -> None:
    events: list[str] = []
    with pytest.raises(ValueError), forked_slices.alongside(lambda: events.append("task")):
        raise ValueError("stop")
    assert events == []
    assert forked_slices._ALONGSIDE == []  # noqa: SLF001


def test_a_worker_dying_while_taking_fails_the_call_without_hanging(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A worker killed while it takes a chunk (holding the lock) leaves this process able to
    take its own chunks, and the call fails as a broken pool does."""
    from concurrent.futures.process import BrokenProcessPool

    here = os.getpid()
    pair = forked_slices._PAIR  # noqa: SLF001

    class DyingPair:
        size = pair.size
        pack_into = pair.pack_into

        @staticmethod
        def unpack_from(*args: object) -> tuple[int, ...]:
            if os.getpid() != here:  # inside the lock, in a worker
                os.kill(os.getpid(), signal.SIGKILL)
            return pair.unpack_from(*args)

    def slow(start: int, end: int) -> tuple[int, int, int]:
        time.sleep(0.01)
        return chunk_work(start, end)

    monkeypatch.setattr(forked_slices, "_PAIR", DyingPair)
    previous = signal.signal(signal.SIGALRM, lambda *_: pytest.fail("the call hung"))
    signal.alarm(20)
    try:
        with pytest.raises(BrokenProcessPool):
            forked_slices.in_forked_slices(100, 2, slow)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
