"""More than one active access key for a user.

Why: Two active keys usually mean an old key was never retired; every extra key is one more
long-lived secret that can leak. AWS allows two only to rotate without downtime.
Fix: Keep at most one active access key per user: deactivate (status "Inactive") or delete the
old key once the new one is in use. A user the scan only names (a literal name, or
`data "aws_iam_user"`) is reported on its first access key.
References: CIS AWS Foundations Benchmark v5.0.0 1.12; checkov: none; trivy AVD-AWS-0167
"""

from __future__ import annotations

from collections.abc import Iterator

from ..iam.graph import Graph, UserCredentials, active_keys
from ..model.entity_tables import entity_of
from ..model.values import Resource, Unknown
from .registry import Blocked, Context, Issue, Result, check


@check(
    "IAM014",
    "MEDIUM",
    terraform=["aws_iam_user", "aws_iam_access_key"],
    cloudformation=["AWS::IAM::User", "AWS::IAM::AccessKey"],
    needs_graph=True,
)
def multiple_access_keys(resource: Resource, ctx: Context) -> Iterator[Result]:
    if resource.is_data:
        return  # a looked-up user: findings land on its first key
    graph: Graph = ctx.graph
    for entry in graph.credentials_reported_on(resource):
        yield from _verdict(resource, entry, graph.node(resource))


def _verdict(resource: Resource, entry: UserCredentials, node: object) -> Iterator[Result]:
    keys, undecided = active_keys(entry)
    if entry.user is None and (keys or [None])[0] is not node:
        return
    counted = [k for k in keys if not _count_unknown(k.resource)]
    uncounted = [k for k in keys if _count_unknown(k.resource)]
    name = entry.user.label if entry.user else str(entry.user_value)
    if len(keys) >= 2:
        listed = ", ".join(k.address for k in keys)
        yield Issue(resource, f"IAM user '{name}' has {len(keys)} active access keys ({listed})")
    elif uncounted and not counted:
        unknown = _count_unknown(uncounted[0].resource)
        yield Blocked(
            resource, unknown, f"cannot tell how many keys {uncounted[0].address} creates"
        )
    elif keys and undecided:
        key, unknown = undecided[0]
        yield Blocked(resource, unknown, f"cannot tell whether access key {key.address} is active")


def _count_unknown(resource: Resource) -> Unknown | None:
    entity = entity_of(resource)
    return entity.count_unknown if entity is not None else None
