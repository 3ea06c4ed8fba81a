"""Running the checks over a scan's resources: in this process, or in forked workers.

Why workers: on a module-heavy repository the checks are a third of a cold scan and every
resource is judged on its own against one identity graph. With ``--jobs`` > 1 and enough
resources, the graph is built here, the process forks, and each worker judges a contiguous
slice of the resources against its inherited copy of the graph. Results come back in slice
order, so they are the list one process would make (the determinism tests hold ``--jobs`` to
that). A result names its resource by position in the list, since the worker's copies are not
the objects this process holds.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..checks.registry import Blocked, Check, Context, Issue
from ..model.values import Resource

PARALLEL_MIN_RESOURCES = 2_000
"""Below this, forking costs more than the checks (about 0.07 ms per resource)."""

Results = list[tuple[Check, Issue | Blocked]]
_Shipped = list[tuple[int, int | None, Issue | Blocked]]
"""(position of the check, position of the resource or None, result without its resource
when the position says it)."""

_FORKED: tuple[list[Resource], list[Check], Context] | None = None


def judge(
    resources: list[Resource], checks: list[Check], context: Context
) -> Iterator[tuple[Check, Issue | Blocked]]:
    """Every applicable check over each resource, in resource order then check order."""
    by_kind: dict[tuple[str, str], list[Check]] = {}
    for resource in resources:
        key = (resource.framework, resource.kind)
        if key not in by_kind:
            by_kind[key] = [check for check in checks if check.applies_to(resource)]
        for check in by_kind[key]:
            for result in check.func(resource, context):
                yield check, result


def run_checks(
    resources: list[Resource], checks: list[Check], context: Context, jobs: int = 1
) -> Results:
    """The checks' results over all resources, in one process or ``jobs`` forked ones."""
    if jobs < 2 or len(resources) < PARALLEL_MIN_RESOURCES or not _can_fork():
        return list(judge(resources, checks, context))
    return _in_workers(resources, checks, context, jobs)


def _can_fork() -> bool:
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods()


def _in_workers(
    resources: list[Resource], checks: list[Check], context: Context, jobs: int
) -> Results:
    global _FORKED
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    step = -(-len(resources) // jobs)
    slices = [(start, start + step) for start in range(0, len(resources), step)]
    _FORKED = (resources, checks, context)
    try:
        fork = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=len(slices) - 1, mp_context=fork) as pool:
            others = [pool.submit(_judge_slice, bounds) for bounds in slices[1:]]
            start, end = slices[0]
            out = list(judge(resources[start:end], checks, context))  # ours: no round trip
            for other in others:
                out.extend(_received(other.result(), resources, checks))
            return out
    finally:
        _FORKED = None


def _judge_slice(bounds: tuple[int, int]) -> _Shipped:
    assert _FORKED is not None
    resources, checks, context = _FORKED
    position = {id(resource): i for i, resource in enumerate(resources)}
    check_position = {id(check): i for i, check in enumerate(checks)}
    out: _Shipped = []
    for check, result in judge(resources[bounds[0] : bounds[1]], checks, context):
        at = position.get(id(result.resource))
        if at is not None:
            result.resource = None  # type: ignore[assignment]  # this process's copy: not sent
        out.append((check_position[id(check)], at, result))
    return out


def _received(shipped: _Shipped, resources: list[Resource], checks: list[Check]) -> Results:
    out: Results = []
    for check_at, resource_at, result in shipped:
        if resource_at is not None:
            result.resource = resources[resource_at]
        out.append((checks[check_at], result))
    return out
