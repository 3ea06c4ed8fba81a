"""Independent work over a list, cut into contiguous slices: this process does the first, forked
workers the others, and the results come back in slice order.

Why one helper: evaluating Terraform roots and running the checks both split this way, and
both rely on ``fork`` (the workers inherit the data; only slice bounds go out and results come
back). This process takes the first slice itself: one process fewer to start, and its results
are never pickled. Where ``fork`` does not exist, every slice is done here, in order, which
gives the same results.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

_WORK: Callable[[int, int], Any] | None = None
"""The slice function of the running call, inherited by the forked workers."""


def in_forked_slices(count: int, jobs: int, work: Callable[[int, int], T]) -> list[T]:
    """``work(start, end)`` over ``jobs`` contiguous slices of ``range(count)``."""
    global _WORK
    import multiprocessing

    step = max(1, -(-count // max(1, jobs)))
    slices = [(start, min(start + step, count)) for start in range(0, count, step)]
    if len(slices) < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return [work(start, end) for start, end in slices]
    from concurrent.futures import ProcessPoolExecutor

    _WORK = work
    try:
        fork = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=len(slices) - 1, mp_context=fork) as pool:
            others = [pool.submit(_slice, bounds) for bounds in slices[1:]]
            first = work(*slices[0])
            return [first, *(other.result() for other in others)]
    finally:
        _WORK = None


def _slice(bounds: tuple[int, int]) -> Any:
    assert _WORK is not None
    return _WORK(*bounds)
