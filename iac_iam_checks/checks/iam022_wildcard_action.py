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

from ..model.values import IDENTITY
from .pages import STATEMENT_FIX_CLOUDFORMATION, STATEMENT_FIX_TERRAFORM, Framework, Page, guide
from .statements import PolicySource, Verdict, describe, shorten, wildcard_actions
from .templates import statement_check


def message(source: PolicySource, verdict: Verdict) -> str:
    what = "the wildcard action" if len(verdict.hits) == 1 else "the wildcard actions"
    return (
        f"{describe(source)} allows {what} {shorten(list(verdict.hits))}; "
        "list the actions needed instead"
    )


statement_check(
    "IAM022",
    "HIGH",
    IDENTITY,
    wildcard_actions,
    "allows a wildcard action (* or service:*)",
    message,
    outranked_by=("IAM020",),
    about_grants=True,
)


PAGE = Page(
    checks=(
        "Identity policy statements that Allow `service:*` (such as `s3:*` or `iam:*`), or `*` "
        "on resources other than `*`. Statements reported by IAM020 are not reported again, and "
        "a Deny of the same wildcard in the policy cancels the statement."
    ),
    links=(
        guide("reference_policies_elements_action.html", "IAM JSON policy elements: Action"),
        guide("best-practices.html", "Security best practices in IAM"),
    ),
    terraform=Framework(
        fix=STATEMENT_FIX_TERRAFORM,
        bad=("bad_jsonencode",),
        good=("good_prefixes",),
    ),
    cloudformation=Framework(
        fix=STATEMENT_FIX_CLOUDFORMATION,
        bad=("BadPolicy",),
        good=("GoodPrefixes",),
    ),
)
