"""Permissions attached directly to a user.

Why: Permissions granted user by user drift apart and are hard to review or revoke; granting
them through groups (or roles) keeps one place that says who can do what.
Fix: Attach the policy to a group and add the user to the group (aws_iam_group_policy_attachment
+ aws_iam_user_group_membership; CloudFormation `Groups` on the user).
References: CIS AWS Foundations Benchmark v5.0.0 1.14; checkov CKV_AWS_40; trivy AVD-AWS-0143
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..model.values import Resource, Template, Unknown
from .registry import Blocked, Context, Issue, Result, check

ALWAYS_USER = {
    "aws_iam_user_policy_attachment": "attaches a managed policy directly to an IAM user",
    "aws_iam_user_policy": "is a policy of an IAM user",
    "AWS::IAM::UserPolicy": "is a policy of an IAM user",
}


@check(
    "IAM002",
    "MEDIUM",
    terraform=[
        "aws_iam_user_policy_attachment",
        "aws_iam_user_policy_attachments_exclusive",
        "aws_iam_policy_attachment",
        "aws_iam_user_policy",
    ],
    cloudformation=[
        "AWS::IAM::User",
        "AWS::IAM::ManagedPolicy",
        "AWS::IAM::Policy",
        "AWS::IAM::UserPolicy",
    ],
)
def user_attached_policy(resource: Resource, ctx: Context) -> Iterator[Result]:
    kind = resource.kind
    advice = "; grant permissions through a group instead"
    if kind in ALWAYS_USER:
        yield Issue(resource, f"{resource.address} {ALWAYS_USER[kind]}{advice}")
    elif kind == "aws_iam_user_policy_attachments_exclusive":
        yield from _when_listed(resource, "policy_arns", "attaches managed policies to an IAM user")
    elif kind == "aws_iam_policy_attachment":
        yield from _when_listed(resource, "users", "attaches a policy directly to IAM users")
    elif kind == "AWS::IAM::User":
        yield from _user_policies(resource, ctx.graph.node(resource).resources)
    else:
        yield from _when_listed(resource, "Users", "is attached directly to IAM users")


def _user_policies(resource: Resource, variants: list[Resource]) -> Iterator[Result]:
    """One finding per CloudFormation user, however many of its attributes hold policies in
    whichever ``Fn::If`` variant (every variant then reports the same finding)."""
    listed = []
    for attribute in ("ManagedPolicyArns", "Policies"):
        value: Any = resource.attrs.get(attribute)
        if isinstance(value, (Unknown, Template)):
            unknown = value if isinstance(value, Unknown) else value.unknowns[0]
            yield Blocked(resource, unknown, f"cannot tell whether {attribute} is empty")
        elif any(v.attrs.get(attribute) for v in variants):
            listed.append(attribute)
    if listed:
        where = next(v.loc(listed[0]) for v in variants if v.attrs.get(listed[0]))
        yield Issue(
            resource,
            f"{resource.address} has policies in {' and '.join(listed)}; grant permissions "
            "through a group instead",
            where,
        )


def _when_listed(resource: Resource, attribute: str, what: str) -> Iterator[Result]:
    value: Any = resource.attrs.get(attribute)
    if isinstance(value, (Unknown, Template)):
        unknown = value if isinstance(value, Unknown) else value.unknowns[0]
        yield Blocked(resource, unknown, f"cannot tell whether {attribute} is empty")
    elif value:
        yield Issue(
            resource,
            f"{resource.address} {what}; grant permissions through a group instead",
            resource.loc(attribute),
        )
