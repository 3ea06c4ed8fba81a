"""User with both console password and access key.

Why: A human console user who also holds a long-lived access key doubles the credentials that
can leak, and keys created at setup are often never used (CIS asks not to create them).
Fix: Give people console access (ideally through IAM Identity Center) and workloads roles; do
not create access keys for users with a login profile. A user the scan only names (a literal
name, or `data "aws_iam_user"`) is reported on its first access key.
References: CIS AWS Foundations Benchmark v5.0.0 1.10; checkov: none; trivy: none
"""

from __future__ import annotations

from collections.abc import Iterator

from ..iam.graph import Graph, UserCredentials, active_keys
from ..model.values import Resource
from .registry import Blocked, Context, Issue, Result, check


@check(
    "IAM013",
    "MEDIUM",
    terraform=["aws_iam_user", "aws_iam_access_key"],
    cloudformation=["AWS::IAM::User", "AWS::IAM::AccessKey"],
    needs_graph=True,
)
def console_and_access_key(resource: Resource, ctx: Context) -> Iterator[Result]:
    if resource.is_data:
        return  # a looked-up user: findings land on its first key
    graph: Graph = ctx.graph
    for entry in graph.credentials_reported_on(resource):
        yield from _verdict(resource, entry, graph.node(resource))


def _verdict(resource: Resource, entry: UserCredentials, node: object) -> Iterator[Result]:
    if not entry.login_profiles:
        return
    keys, undecided = active_keys(entry)
    if entry.user is None and (keys or [None])[0] is not node:
        return
    name = entry.user.label if entry.user else str(entry.user_value)
    if keys:
        yield Issue(
            resource,
            f"IAM user '{name}' has a console login profile and an active access key "
            f"({keys[0].address})",
        )
    elif undecided and entry.user is not None:
        key, unknown = undecided[0]
        yield Blocked(resource, unknown, f"cannot tell whether access key {key.address} is active")
