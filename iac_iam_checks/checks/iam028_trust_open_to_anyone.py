"""Role trust policy open to any principal.

Why: A trust policy that lets `*` (or `{"AWS": "*"}`, or everyone but a `NotPrincipal`) call
`sts:AssumeRole*` lets any AWS account in the world assume the role and use its permissions,
unless a condition narrows who may.
Fix: Name the trusted principals (account root or role ARNs, a service), or keep `*` only with
a restricting condition such as `aws:PrincipalOrgID`, `aws:PrincipalArn`, `aws:SourceAccount`
or `sts:ExternalId` (`...IfExists` operators and `aws:SecureTransport` do not restrict).
References: CIS AWS Foundations Benchmark v5.0.0: none; checkov CKV_AWS_60; trivy: none;
cfn_nag F2 (nearest)
"""

from __future__ import annotations

from collections.abc import Iterator

from ..iam.evaluation import all_of, has_restricting_condition, principal_is_anyone
from ..model.values import TRUST, Resource, Statement
from .registry import Context, Result, check
from .statements import (
    NOTHING,
    TRUST_KINDS,
    PolicySource,
    Verdict,
    assumes_role,
    describe,
    judge_statements,
    unknowns_of,
)


@check("IAM028", "CRITICAL", **TRUST_KINDS)
def trust_open_to_anyone(resource: Resource, ctx: Context) -> Iterator[Result]:
    yield from judge_statements(
        resource,
        TRUST,
        _judge,
        _message,
        "lets any principal assume the role without a restricting condition",
    )


def _judge(source: PolicySource, statement: Statement) -> Verdict:
    restricted = has_restricting_condition(statement)
    if restricted is True:
        return NOTHING
    opened = all_of(
        test()
        for test in (
            lambda: assumes_role(source.document, statement),
            lambda: principal_is_anyone(statement),
        )
    )
    if opened is False:
        return NOTHING
    pending = unknowns_of(opened, restricted)
    return Verdict((), pending) if pending else Verdict(("*",))


def _message(source: PolicySource, verdict: Verdict) -> str:
    return (
        f'{describe(source)} lets any principal ("*") assume the role without a restricting '
        "condition (aws:PrincipalOrgID, aws:PrincipalArn, sts:ExternalId...)"
    )
