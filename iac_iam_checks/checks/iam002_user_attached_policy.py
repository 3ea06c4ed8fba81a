"""Permissions attached directly to a user.

Why: Permissions granted user by user drift apart and are hard to review or revoke; granting
them through groups (or roles) keeps one place that says who can do what.
Fix: Attach the policy to a group and add the user to the group (aws_iam_group_policy_attachment
+ aws_iam_user_group_membership; CloudFormation `Groups` on the user).
References: CIS AWS Foundations Benchmark v5.0.0 1.14; checkov CKV_AWS_40; trivy AVD-AWS-0143
"""

from __future__ import annotations

from collections.abc import Iterator

from ..model.entities import USER, Attached, Entity, PolicyAttachment, User, unknown_of
from ..model.entity_tables import entity_of
from ..model.values import Resource
from .pages import Framework, Page, cis, guide
from .registry import Blocked, Context, Issue, Result, check

ADVICE = "; grant permissions through a group instead"


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
    entity = entity_of(resource)
    if isinstance(entity, User):
        variants = [entity_of(r) for r in ctx.graph.node(resource).resources]
        yield from _user_policies(entity, [v for v in variants if isinstance(v, User)])
    elif isinstance(entity, Attached) and entity.principal_type == USER:
        yield from _one_user(entity)
    elif isinstance(entity, Attached):
        what = "is attached directly to IAM users"
        if isinstance(entity, PolicyAttachment):
            what = "attaches a policy directly to IAM users"
        yield from _when_listed(entity, "users", what)


def _one_user(entity: Attached) -> Iterator[Result]:
    """An inline policy or attachment of one user: always a finding, except an exclusive
    attachment set, which is one only when it lists policies."""
    if isinstance(entity, PolicyAttachment) and entity.exclusive:
        yield from _when_listed(entity, "policy_arns", "attaches managed policies to an IAM user")
        return
    what = "is a policy of an IAM user"
    if isinstance(entity, PolicyAttachment):
        what = "attaches a managed policy directly to an IAM user"
    yield Issue(entity.resource, f"{entity.address} {what}{ADVICE}")


def _user_policies(entity: User, variants: list[User]) -> Iterator[Result]:
    """One finding per user that declares policies itself (CloudFormation), however many of
    its fields hold policies in whichever ``Fn::If`` variant (every variant then reports the
    same finding)."""
    listed = []
    for name in ("managed_policy_arns", "inline_policies"):
        attribute = entity.attribute(name)
        unknown = unknown_of(getattr(entity, name))
        if unknown is not None:
            yield Blocked(entity.resource, unknown, f"cannot tell whether {attribute} is empty")
        elif any(getattr(v, name) for v in variants):
            listed.append(name)
    if listed:
        where = next(v.loc(listed[0]) for v in variants if getattr(v, listed[0]))
        attributes = " and ".join(entity.attribute(name) for name in listed)
        yield Issue(
            entity.resource,
            f"{entity.address} has policies in {attributes}; grant permissions "
            "through a group instead",
            where,
        )


def _when_listed(entity: Entity, name: str, what: str) -> Iterator[Result]:
    value = getattr(entity, name)
    attribute = entity.attribute(name)
    unknown = unknown_of(value)
    if unknown is not None:
        yield Blocked(entity.resource, unknown, f"cannot tell whether {attribute} is empty")
    elif value:
        yield Issue(entity.resource, f"{entity.address} {what}{ADVICE}", entity.loc(name))


PAGE = Page(
    checks=(
        "Permissions given to a user rather than to a group: Terraform "
        "`aws_iam_user_policy_attachment`, `aws_iam_user_policy_attachments_exclusive`, "
        "`aws_iam_policy_attachment` with `users`, and `aws_iam_user_policy`; CloudFormation "
        "`ManagedPolicyArns` or `Policies` on `AWS::IAM::User`, and `Users` on "
        "`AWS::IAM::ManagedPolicy` or `AWS::IAM::Policy`. One finding per attachment, however "
        "many users it names."
    ),
    links=(
        cis("1.14", "IAM users receive permissions only through groups"),
        guide("id_groups.html", "IAM user groups"),
        guide("best-practices.html", "Security best practices in IAM"),
    ),
    terraform=Framework(
        fix=(
            "Attach with `aws_iam_group_policy_attachment` and put users in the group with "
            "`aws_iam_user_group_membership` (or `aws_iam_group_membership`); an "
            "`aws_iam_policy_attachment` lists `groups` or `roles`, not `users`."
        ),
        bad=("bad_user_attachment",),
        good=("good_group_attachment",),
    ),
    cloudformation=Framework(
        fix=(
            "Attach the policy to an `AWS::IAM::Group` and list the group in the user's `Groups`"
            " (or use `AWS::IAM::UserToGroupAddition`); drop `ManagedPolicyArns` and `Policies` "
            "from the user and `Users` from the policy."
        ),
        bad=("BadUser",),
        good=("GoodUser",),
    ),
)
