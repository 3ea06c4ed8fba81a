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

from ..graph import display_name
from ..model import CLOUDFORMATION, Resource, Template, Unknown, location_of
from ..registry import Blocked, Context, Issue, Result, check

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
    if resource.kind == "aws_iam_role":
        yield from _entries(resource, "inline_policy", "role", "name")
    else:
        yield from _entries(resource, "Policies", PRINCIPALS[resource.kind], "PolicyName")


def _entries(resource: Resource, attribute: str, principal: str, name_key: str) -> Iterator[Result]:
    """Each non-empty inline policy block / ``Policies`` entry of a principal."""
    value = resource.attrs.get(attribute)
    if isinstance(value, (Unknown, Template)):
        unknown = value if isinstance(value, Unknown) else value.unknowns[0]
        yield Blocked(resource, unknown, f"cannot tell whether {attribute} is empty")
        return
    for entry in value if isinstance(value, list) else []:
        if isinstance(entry, dict) and not any(v is not None for v in entry.values()):
            continue
        name = entry.get(name_key) if isinstance(entry, dict) else None
        named = f" '{name}'" if isinstance(name, str) else ""
        yield Issue(
            resource,
            f"IAM {principal} {display_name(resource)} has an inline policy{named}; "
            "use a managed policy instead",
            location_of(entry) or resource.loc(attribute),
        )


def is_cdk_default_policy(resource: Resource) -> bool:
    """A policy the CDK synthesizes for grants (``.../DefaultPolicy/Resource``)."""
    metadata = resource.metadata if isinstance(resource.metadata, dict) else {}
    cfn_metadata = metadata.get("Metadata")
    path = cfn_metadata.get("aws:cdk:path") if isinstance(cfn_metadata, dict) else None
    return isinstance(path, str) and "DefaultPolicy" in path.split("/")
