"""Wildcard action.

Why: `service:*` (or `*` on some resources) grants every action of a service, today's and
those AWS adds tomorrow, including the destructive and permission-changing ones (`s3:*` can
delete buckets and rewrite their policies), when the principal needed a handful.
Fix: List the actions the principal needs (`s3:GetObject`, `s3:PutObject`); prefixes such as
`s3:Get*` are narrower than `s3:*`. A Deny of the same wildcard in the policy cancels it.
Statements already reported as full administrative access (IAM020) are not reported again.
References: CIS AWS Foundations Benchmark v5.0.0: none (nearest 1.15); checkov CKV_AWS_49,
CKV_AWS_63; trivy: none (nearest AVD-AWS-0057, deprecated); cfn_nag F3
"""

from __future__ import annotations

from collections.abc import Iterator

from ..model.values import IDENTITY, Resource, Statement
from .registry import Context, Result, check
from .statements import (
    IDENTITY_KINDS,
    NOTHING,
    PolicySource,
    Verdict,
    describe,
    judge_statements,
    outranked_by_admin,
    shorten,
    wildcard_actions,
)


@check("IAM022", "HIGH", **IDENTITY_KINDS)
def wildcard_action(resource: Resource, ctx: Context) -> Iterator[Result]:
    yield from judge_statements(
        resource, IDENTITY, _judge, _message, "allows a wildcard action (* or service:*)"
    )


def _judge(source: PolicySource, statement: Statement) -> Verdict:
    if outranked_by_admin(source.document, statement):
        return NOTHING
    return wildcard_actions(source.document, statement)


def _message(source: PolicySource, verdict: Verdict) -> str:
    what = "the wildcard action" if len(verdict.hits) == 1 else "the wildcard actions"
    return (
        f"{describe(source)} allows {what} {shorten(list(verdict.hits))}; "
        "list the actions needed instead"
    )
