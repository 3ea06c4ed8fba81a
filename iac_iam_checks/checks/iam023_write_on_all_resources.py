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

from ..iam.evaluation import Undecided, has_restricting_condition
from ..model.values import IDENTITY, PolicyDocument, Statement
from .pages import (
    SERVICE_AUTHORIZATION_REFERENCE,
    STATEMENT_FIX_CLOUDFORMATION,
    STATEMENT_FIX_TERRAFORM,
    Framework,
    Page,
    guide,
)
from .statements import NOTHING, PolicySource, Verdict, describe, shorten, write_on_all
from .templates import statement_check


def unrestricted_writes(document: PolicyDocument, statement: Statement) -> Verdict:
    """Resource-level write actions allowed on ``*`` where no condition restricts them."""
    restricted = has_restricting_condition(statement)
    if restricted is True:
        return NOTHING
    verdict = write_on_all(document, statement)
    if verdict.found and isinstance(restricted, Undecided):
        return Verdict((), restricted.unknowns)
    return verdict


def message(source: PolicySource, verdict: Verdict) -> str:
    count = len(verdict.hits)
    what = "a write action" if count == 1 else f"{count} write actions"
    return (
        f'{describe(source)} allows {what} on all resources (Resource "*") without a '
        f"restricting condition: {shorten(list(verdict.hits))}"
    )


statement_check(
    "IAM023",
    "MEDIUM",
    IDENTITY,
    unrestricted_writes,
    'allows write actions on Resource "*" without a restricting condition',
    message,
    outranked_by=("IAM020", "IAM022", "IAM024", "IAM026"),
    about_grants=True,
)


PAGE = Page(
    checks=(
        "Identity policy statements that Allow, on resource `*` and without a restricting "
        "condition, an action whose access level is Write, Permissions management or Tagging and"
        " which accepts resource ARNs, according to the offline IAM action database. Actions "
        "that only accept `*` pass; statements already reported by IAM020, IAM022, IAM024 or "
        "IAM026 are not reported again."
    ),
    links=(
        guide(
            "access_policies_understand-policy-summary-access-level-summaries.html",
            "Access level summaries within policy summaries",
        ),
        guide("reference_policies_elements_resource.html", "IAM JSON policy elements: Resource"),
        guide("reference_policies_condition-keys.html", "AWS global condition context keys"),
        SERVICE_AUTHORIZATION_REFERENCE,
    ),
    terraform=Framework(
        fix=STATEMENT_FIX_TERRAFORM,
        bad=("bad_jsonencode",),
        good=("good_bucket_objects",),
    ),
    cloudformation=Framework(
        fix=STATEMENT_FIX_CLOUDFORMATION,
        bad=("BadPolicy",),
        good=("GoodBucketObjects",),
    ),
)
