"""Running the checks over a scan's resources: in this process, or in forked workers.

Why workers: on a module-heavy repository the checks are a third of a cold scan and every
resource is judged on its own against one identity graph. With ``--jobs`` > 1 and enough
resources, the graph is built here, the process forks, and each process judges contiguous
chunks of the resources (``forked_slices``) against its inherited copy of the graph. Results
come back in chunk order, so they are the list one process would make (the determinism tests
hold ``--jobs`` to that). A result names its resource by position in the list, since the
worker's copies are not the objects this process holds.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..checks.registry import Blocked, Check, Context, Issue, Result
from ..model.values import Resource

PARALLEL_MIN_RESOURCES = 2_000
"""Below this, forking costs more than the checks (about 0.07 ms per resource)."""

Results = list[tuple[Check, Issue | Blocked]]
_Shipped = list[tuple[int, int | None, Issue | Blocked]]
"""(position of the check, position of the resource or None, result without its resource
when the position says it)."""


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
    if jobs < 2 or len(resources) < PARALLEL_MIN_RESOURCES:
        return list(judge(resources, checks, context))
    from ..forked_slices import in_forked_slices

    position = {id(resource): i for i, resource in enumerate(resources)}
    check_position = {id(check): i for i, check in enumerate(checks)}

    def shipped(start: int, end: int) -> _Shipped:
        return _ship(position, check_position, judge(resources[start:end], checks, context))

    parts = in_forked_slices(len(resources), jobs, shipped)
    return [result for part in parts for result in _received(part, resources, checks)]


def _ship(
    position: dict[int, int],
    check_position: dict[int, int],
    results: Iterator[tuple[Check, Result]],
) -> _Shipped:
    """Results with their check and resource named by position (a worker's resources are
    copies: the position names the caller's own object); the maps are by ``id``."""
    out: _Shipped = []
    for check, result in results:
        at = position.get(id(result.resource))
        if at is not None:
            result.resource = None  # type: ignore[assignment]  # a copy: not sent
        out.append((check_position[id(check)], at, result))
    return out


def _received(shipped: _Shipped, resources: list[Resource], checks: list[Check]) -> Results:
    out: Results = []
    for check_at, resource_at, result in shipped:
        if resource_at is not None:
            result.resource = resources[resource_at]
        out.append((checks[check_at], result))
    return out
