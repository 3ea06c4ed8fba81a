"""Inline IAM policy.

Why: An inline policy lives inside one user, group or role: it cannot be reused, versioned or
reviewed on its own, and audits of who can do what easily miss it.
Fix: Move the statements into a customer managed policy (aws_iam_policy,
AWS::IAM::ManagedPolicy) and attach it; an empty `inline_policy {}` block removes a role's
inline policies. CDK-synthesized DefaultPolicy policies are not reported: the CDK offers no
managed alternative.
References: CIS AWS Foundations Benchmark v5.0.0: none (nearest 1.14); checkov: none (nearest
CKV_AWS_40); trivy: none (nearest AVD-AWS-0143); cfn_nag F10
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..graph import display_name, is_data_source
from ..model.values import CLOUDFORMATION, Location, Resource, Template, Unknown, location_of
from .registry import Blocked, Context, Issue, Result, check

POLICY_RESOURCES = {
    "aws_iam_user_policy": "user",
    "aws_iam_group_policy": "group",
    "aws_iam_role_policy": "role",
    "AWS::IAM::Policy": "users, groups or roles",
    "AWS::IAM::UserPolicy": "user",
    "AWS::IAM::GroupPolicy": "group",
    "AWS::IAM::RolePolicy": "role",
}
PRINCIPALS = {"AWS::IAM::User": "user", "AWS::IAM::Group": "group", "AWS::IAM::Role": "role"}


@check(
    "IAM001",
    "MEDIUM",
    terraform=[
        "aws_iam_user_policy",
        "aws_iam_group_policy",
        "aws_iam_role_policy",
        "aws_iam_role",
    ],
    cloudformation=[
        "AWS::IAM::Policy",
        "AWS::IAM::UserPolicy",
        "AWS::IAM::GroupPolicy",
        "AWS::IAM::RolePolicy",
        "AWS::IAM::User",
        "AWS::IAM::Group",
        "AWS::IAM::Role",
    ],
)
def inline_policy(resource: Resource, ctx: Context) -> Iterator[Result]:
    if is_data_source(resource):
        return
    if resource.kind in POLICY_RESOURCES:
        if not is_cdk_default_policy(resource):
            name = resource.attrs.get(
                "PolicyName" if resource.framework == CLOUDFORMATION else "name"
            )
            named = f" '{name}'" if isinstance(name, str) else ""
            yield Issue(
                resource,
                f"Inline policy{named} is embedded in its {POLICY_RESOURCES[resource.kind]}, "
                "where it cannot be reused or reviewed on its own; use a managed policy instead",
            )
        return
    variants = ctx.graph.node(resource).resources
    if resource.kind == "aws_iam_role":
        yield from _entries(resource, variants, "inline_policy", "role", "name")
    else:
        yield from _entries(resource, variants, "Policies", PRINCIPALS[resource.kind], "PolicyName")


def _entries(
    resource: Resource, variants: list[Resource], attribute: str, principal: str, name_key: str
) -> Iterator[Result]:
    """One finding per principal for its non-empty inline policy blocks / ``Policies``
    entries, over every ``Fn::If`` variant, so a principal is one finding however many
    inline policies it has."""
    value = resource.attrs.get(attribute)
    if isinstance(value, (Unknown, Template)):
        unknown = value if isinstance(value, Unknown) else value.unknowns[0]
        yield Blocked(resource, unknown, f"cannot tell whether {attribute} is empty")
        return
    entries: dict[Location | None, Any] = {}
    for variant in variants:
        listed = variant.attrs.get(attribute)
        for entry in listed if isinstance(listed, list) else []:
            if isinstance(entry, dict) and not any(v is not None for v in entry.values()):
                continue
            entries.setdefault(location_of(entry) or variant.loc(attribute), entry)
    if not entries:
        return
    first = min(entries, key=lambda where: where.line if where else 0)
    names = [e.get(name_key) for e in entries.values() if isinstance(e, dict)]
    named = ", ".join(f"'{n}'" for n in names if isinstance(n, str))
    count = "an inline policy" if len(entries) == 1 else f"{len(entries)} inline policies"
    yield Issue(
        resource,
        f"IAM {principal} {display_name(resource)} has {count}"
        f"{f' ({named})' if named else ''}; use managed policies instead",
        first or resource.loc(attribute),
    )


def is_cdk_default_policy(resource: Resource) -> bool:
    """A policy the CDK synthesizes for grants (``.../DefaultPolicy/Resource``)."""
    metadata = resource.metadata if isinstance(resource.metadata, dict) else {}
    cfn_metadata = metadata.get("Metadata")
    path = cfn_metadata.get("aws:cdk:path") if isinstance(cfn_metadata, dict) else None
    return isinstance(path, str) and "DefaultPolicy" in path.split("/")
