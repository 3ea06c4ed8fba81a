"""Independent work over a list, shared between this process and forked workers, with the
results in list order.

Why one helper: evaluating Terraform roots and running the checks both split this way, and
both rely on ``fork`` (the workers inherit the data; only chunk numbers go out and results come
back). The list is cut into one contiguous slice per process and each slice into chunks, which
its process takes front to back: neighbours (the roots of one repository, which share its
modules) stay in one process. A process whose slice is done takes chunks from the back of the
slice with the most left. Why not fixed slices alone: the cost of a root or a resource is
uneven, and on repos-300 one process finished its half of the roots 80-200 ms before the other.
This process does a slice too (one process fewer to start, and its results are never pickled).
Where ``fork`` does not exist, every chunk is done here, in order, which gives the same results.

Work that must stay in this process (reading CloudFormation templates, whose values are costly
to pickle) can be given to ``alongside``: it runs while the workers of the next call have
started, and the workers take this process's chunks meanwhile.
"""

from __future__ import annotations

import functools
import mmap
import struct
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

T = TypeVar("T")

CHUNKS_PER_JOB = 8
"""Chunks per slice: enough to even the processes out, few enough that each is worth taking."""
_PAIR = struct.Struct("ii")

_WORK: Callable[[int, int], Any] | None = None
"""The chunk function of the running call, inherited by the forked workers."""
_LEFT: _ChunksLeft | None = None
"""The running call's chunks, inherited by the forked workers."""
_ALONGSIDE: list[Callable[[], None]] = []
"""Tasks waiting for the next call that forks (``alongside``)."""


@contextmanager
def alongside(task: Callable[[], None]) -> Iterator[None]:
    """Run ``task`` here once a call inside the block has forked its workers, before this
    process takes its own chunks; if no call forks, at the end of the block. Not at all if the
    block raises."""
    _ALONGSIDE.append(task)
    try:
        yield
    finally:
        pending = task in _ALONGSIDE
        if pending:
            _ALONGSIDE.remove(task)
    if pending:
        task()


class _ChunksLeft:
    """Which chunks no process has taken yet, seen by every process forked after it was made:
    per slice, its next and its end chunk, in a temporary file mapped into memory. A process
    holds the file's record lock while it reads and takes: such a lock belongs to one process,
    so it excludes the forks from each other, and the system releases it if its holder dies
    (a worker killed mid-take cannot leave the others waiting forever)."""

    def __init__(self, bounds: list[tuple[int, int]], slices: list[tuple[int, int]]) -> None:
        import fcntl  # only where fork exists, as this class is used
        import tempfile

        self.fcntl = fcntl
        self.bounds = bounds
        self.slices = len(slices)
        self.file = tempfile.TemporaryFile()  # noqa: SIM115 - closed by close()
        self.file.truncate(_PAIR.size * len(slices))
        self.memory = mmap.mmap(self.file.fileno(), _PAIR.size * len(slices))
        for i, pair in enumerate(slices):
            _PAIR.pack_into(self.memory, _PAIR.size * i, *pair)

    def take(self, own: int) -> int | None:
        """The next chunk of slice ``own``, else the last of the slice with the most left."""
        self.fcntl.lockf(self.file, self.fcntl.LOCK_EX)
        try:
            left = [_PAIR.unpack_from(self.memory, _PAIR.size * i) for i in range(self.slices)]
            at = (
                own
                if left[own][0] < left[own][1]
                else max(range(self.slices), key=lambda i: left[i][1] - left[i][0])
            )
            start, end = left[at]
            if start >= end:
                return None
            taken = (start + 1, end) if at == own else (start, end - 1)
            _PAIR.pack_into(self.memory, _PAIR.size * at, *taken)
            return start if at == own else end - 1
        finally:
            self.fcntl.lockf(self.file, self.fcntl.LOCK_UN)

    def close(self) -> None:
        self.memory.close()
        self.file.close()


def in_forked_slices(count: int, jobs: int, work: Callable[[int, int], T]) -> list[T]:
    """``work(start, end)`` over contiguous chunks of ``range(count)``, results in order."""
    global _WORK, _LEFT
    import multiprocessing

    processes = max(1, min(jobs, count))
    step = max(1, -(-count // (processes * CHUNKS_PER_JOB)))
    bounds = [(start, min(start + step, count)) for start in range(0, count, step)]
    per_slice = max(1, -(-len(bounds) // processes))
    slices = [(i, min(i + per_slice, len(bounds))) for i in range(0, len(bounds), per_slice)]
    if len(slices) < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return [work(start, end) for start, end in bounds]
    import pickle  # here, with the pool: a scan that never forks need not load them
    from concurrent.futures import ProcessPoolExecutor

    _WORK, _LEFT = work, _ChunksLeft(bounds, slices)
    try:
        fork = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=len(slices) - 1, mp_context=fork) as pool:
            others = [pool.submit(_take_chunks_pickled, own) for own in range(1, len(slices))]
            while _ALONGSIDE:
                _ALONGSIDE.pop(0)()
            done = _take_chunks(0)
            for other in others:
                done.update((chunk, pickle.loads(data)) for chunk, data in other.result().items())
        return [done[i] for i in range(len(bounds))]
    finally:
        _LEFT.close()
        _WORK, _LEFT = None, None


def _take_chunks(own: int, finish: Callable[[Any], Any] = lambda result: result) -> dict[int, Any]:
    """Chunks until none is left, slice ``own``'s first; results by chunk number."""
    assert _WORK is not None and _LEFT is not None
    done = {}
    while (chunk := _LEFT.take(own)) is not None:
        done[chunk] = finish(_WORK(*_LEFT.bounds[chunk]))
    return done


def _take_chunks_pickled(own: int) -> dict[int, bytes]:
    """A worker's chunks, each result pickled as soon as it is made: pickling is then part of
    a chunk's cost, which the sharing evens out, rather than a tail after the last chunk while
    this process waits (repos-300's Terraform results: 1.2 MB, about 30 ms)."""
    import pickle

    return _take_chunks(own, functools.partial(pickle.dumps, protocol=pickle.HIGHEST_PROTOCOL))
