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

from ..model.values import IDENTITY
from .pages import STATEMENT_FIX_CLOUDFORMATION, STATEMENT_FIX_TERRAFORM, Framework, Page, guide
from .statements import PolicySource, Verdict, describe, not_elements
from .templates import statement_check


def message(source: PolicySource, verdict: Verdict) -> str:
    used = " and ".join(verdict.hits)
    return (
        f"{describe(source)} has an Allow with {used}: it grants everything not listed; "
        "allow the actions and resources needed instead"
    )


statement_check(
    "IAM025",
    "MEDIUM",
    IDENTITY,
    not_elements,
    "is an Allow with NotAction or NotResource",
    message,
    outranked_by=("IAM020",),
    about_grants=True,
)


PAGE = Page(
    checks=(
        "Identity policy statements that Allow with `NotAction` or `NotResource`. Deny "
        "statements with them pass; a Deny of everything in the same policy cancels the "
        "statement."
    ),
    links=(
        guide("reference_policies_elements_notaction.html", "IAM JSON policy elements: NotAction"),
        guide(
            "reference_policies_elements_notresource.html", "IAM JSON policy elements: NotResource"
        ),
    ),
    terraform=Framework(
        fix=STATEMENT_FIX_TERRAFORM,
        bad=("bad_jsonencode",),
        good=("good_mfa_guard",),
    ),
    cloudformation=Framework(
        fix=STATEMENT_FIX_CLOUDFORMATION,
        bad=("BadNotAction",),
        good=("GoodMfaGuard",),
    ),
)
