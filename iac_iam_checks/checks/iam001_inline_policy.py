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

from ..model.entities import NAMED_ROLES, InlinePolicy, Principal, unknown_of
from ..model.entity_tables import entity_of
from ..model.values import Location, Resource
from .pages import Framework, Page, cis, guide
from .registry import Blocked, Context, Issue, Result, check


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
    entity = entity_of(resource)
    if entity is None or entity.is_data:
        return
    if isinstance(entity, InlinePolicy):
        if not entity.cdk_default:
            named = f" '{entity.name}'" if isinstance(entity.name, str) else ""
            yield Issue(
                resource,
                f"Inline policy{named} is embedded in its {entity.principal_label}, "
                "where it cannot be reused or reviewed on its own; use a managed policy instead",
            )
        return
    if isinstance(entity, Principal):
        variants = [entity_of(r) for r in ctx.graph.node(resource).resources]
        yield from _entries(entity, [v for v in variants if isinstance(v, Principal)])


def _entries(entity: Principal, variants: list[Principal]) -> Iterator[Result]:
    """One finding per principal for its non-empty inline policy blocks / ``Policies``
    entries, over every ``Fn::If`` variant, so a principal is one finding however many
    inline policies it has."""
    attribute = entity.attribute("inline_policies")
    unknown = unknown_of(entity.inline_policies)
    if unknown is not None:
        yield Blocked(entity.resource, unknown, f"cannot tell whether {attribute} is empty")
        return
    entries: dict[Location | None, Any] = {}
    for variant in variants:
        listed = variant.inline_policies
        for entry in listed if isinstance(listed, list) else []:
            if not entry.blank:
                entries.setdefault(entry.location, entry)
    if not entries:
        return
    first = min(entries, key=lambda where: where.line if where else 0)
    named = ", ".join(f"'{e.name}'" for e in entries.values() if isinstance(e.name, str))
    count = "an inline policy" if len(entries) == 1 else f"{len(entries)} inline policies"
    yield Issue(
        entity.resource,
        f"IAM {NAMED_ROLES[type(entity)]} {entity.display_name} has {count}"
        f"{f' ({named})' if named else ''}; use managed policies instead",
        first or entity.loc("inline_policies"),
    )


PAGE = Page(
    checks=(
        "Policies written inside one principal instead of standing on their own: Terraform "
        "`aws_iam_user_policy`, `aws_iam_group_policy`, `aws_iam_role_policy` and non-empty "
        "`inline_policy` blocks of `aws_iam_role`; CloudFormation `AWS::IAM::Policy` and the "
        "`Policies` list of users, groups and roles. The finding is on the policy resource, or "
        "on the principal for a block or a `Policies` list."
    ),
    links=(
        cis("1.14", "IAM users receive permissions only through groups (nearest)"),
        guide("access_policies_managed-vs-inline.html", "Managed policies and inline policies"),
        guide("best-practices.html", "Security best practices in IAM"),
    ),
    terraform=Framework(
        fix=(
            "Write the statements into `aws_iam_policy` and attach it with "
            "`aws_iam_role_policy_attachment` (or the user and group variants). To delete the "
            "inline policies a role already has, leave one empty `inline_policy {}` block on it."
        ),
        bad=("bad_role_inline", "aws_iam_role.bad_role_with_block"),
        good=("good_managed", "good_role_without_inline"),
    ),
    cloudformation=Framework(
        fix=(
            "Use `AWS::IAM::ManagedPolicy` and attach it through its `Roles`, `Groups` or "
            "`Users`, or the principal's `ManagedPolicyArns`, instead of `AWS::IAM::Policy` and "
            "`Policies` entries."
        ),
        bad=("BadPolicy",),
        good=("GoodManagedPolicy", "GoodRole"),
    ),
)
