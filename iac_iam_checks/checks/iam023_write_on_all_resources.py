"""Write or permissions-management action on all resources.

Why: An action that can be limited to named resources (a bucket, a queue, a role) but is
granted on `*` reaches every such resource in the account, present and future: a principal
that should write one bucket can overwrite all of them, or change their policies and tags.
Fix: Name the resources (ARNs, `arn:aws:s3:::bucket/*`) or add a restricting condition
(`aws:ResourceTag/...`, `aws:SourceVpce`, `aws:PrincipalOrgID`...). Actions that only accept
`*` (s3:ListAllMyBuckets, logs:CreateLogDelivery) are exempt, from the offline IAM action
database. Statements reported by IAM020, IAM022, IAM024 or IAM026 are not reported again.
References: CIS AWS Foundations Benchmark v5.0.0: none; checkov CKV_AWS_111, CKV_AWS_290,
CKV_AWS_355, CKV_AWS_356; trivy: none (nearest AVD-AWS-0057, deprecated); cfn_nag W11
"""

from __future__ import annotations

from collections.abc import Iterator

from ..iam.evaluation import Undecided, has_restricting_condition
from ..model.values import IDENTITY, Resource, Statement
from .registry import Context, Result, check
from .statements import (
    IDENTITY_KINDS,
    NOTHING,
    PolicySource,
    Verdict,
    describe,
    judge_statements,
    outranked_for_write,
    shorten,
    write_on_all,
)


@check("IAM023", "MEDIUM", **IDENTITY_KINDS)
def write_on_all_resources(resource: Resource, ctx: Context) -> Iterator[Result]:
    yield from judge_statements(
        resource,
        IDENTITY,
        _judge,
        _message,
        'allows write actions on Resource "*" without a restricting condition',
    )


def _judge(source: PolicySource, statement: Statement) -> Verdict:
    restricted = has_restricting_condition(statement)
    if restricted is True:
        return NOTHING
    verdict = write_on_all(source.document, statement)
    if not verdict.found or outranked_for_write(source.document, statement):
        return verdict if not verdict.found else NOTHING
    if isinstance(restricted, Undecided):
        return Verdict((), restricted.unknowns)
    return verdict


def _message(source: PolicySource, verdict: Verdict) -> str:
    count = len(verdict.hits)
    what = "a write action" if count == 1 else f"{count} write actions"
    return (
        f'{describe(source)} allows {what} on all resources (Resource "*") without a '
        f"restricting condition: {shorten(list(verdict.hits))}"
    )
