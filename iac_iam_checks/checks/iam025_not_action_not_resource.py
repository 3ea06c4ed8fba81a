"""Allow with NotAction or NotResource.

Why: An Allow with `NotAction` grants every action except the listed ones, and one with
`NotResource` every resource except the listed ones: the grant grows silently each time AWS adds
a service or you add a resource, which is the opposite of least privilege.
Fix: Rewrite the statement as an Allow of the actions and resources needed; keep `NotAction`
and `NotResource` for Deny statements (such as an MFA guard), where they narrow instead of
widen. An unconditional Deny of everything in the same policy cancels the statement.
References: CIS AWS Foundations Benchmark v5.0.0: none; checkov: none; trivy: none; cfn_nag
W15, W21, W14
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
    not_elements,
    outranked_by_admin,
)


@check("IAM025", "MEDIUM", **IDENTITY_KINDS)
def not_action_not_resource(resource: Resource, ctx: Context) -> Iterator[Result]:
    yield from judge_statements(
        resource, IDENTITY, _judge, _message, "is an Allow with NotAction or NotResource"
    )


def _judge(source: PolicySource, statement: Statement) -> Verdict:
    if outranked_by_admin(source.document, statement):
        return NOTHING
    return not_elements(source.document, statement)


def _message(source: PolicySource, verdict: Verdict) -> str:
    used = " and ".join(verdict.hits)
    return (
        f"{describe(source)} has an Allow with {used}: it grants everything not listed; "
        "allow the actions and resources needed instead"
    )
