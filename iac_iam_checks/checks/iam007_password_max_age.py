"""Password policy: maximum age above 90 days.

Why: Passwords that never expire stay valid for as long as they are leaked; a bounded lifetime
limits how long a stolen password works.
Fix: Set `max_password_age` between 1 and 90 on aws_iam_account_password_policy (the
threshold is configurable; 0 or unset means passwords never expire).
References: CIS AWS Foundations Benchmark v5.0.0: none (CIS 1.2 item 1.11); checkov CKV_AWS_9;
trivy AVD-AWS-0062
"""

from __future__ import annotations

from collections.abc import Iterator

from ..model.settings import Settings
from ..model.values import Resource
from .iam004_password_min_length import known_number, password_policy
from .pages import (
    NO_PASSWORD_POLICY_IN_CLOUDFORMATION,
    PASSWORD_POLICY_GUIDE,
    Framework,
    Page,
    guide,
)
from .registry import Context, Issue, Result, check


@check("IAM007", "LOW", terraform=["aws_iam_account_password_policy"])
def password_max_age(resource: Resource, ctx: Context) -> Iterator[Result]:
    settings: Settings = ctx.settings
    limit = settings.max_password_age
    policy = password_policy(resource)
    number = yield from known_number(policy, "max_password_age")
    if number is False:  # unknown (and False == 0 in Python): unresolved only
        return
    if number is None or number == 0:
        yield Issue(
            resource,
            f"Password policy lets passwords never expire (max_password_age unset or 0; "
            f"at most {limit} days)",
            policy.loc("max_password_age"),
        )
    elif number > limit:
        yield Issue(
            resource,
            f"Password policy max_password_age is {number} days, above {limit}",
            policy.loc("max_password_age"),
        )


PAGE = Page(
    checks=(
        "`aws_iam_account_password_policy` whose `max_password_age` is unset, 0 (never expire) "
        "or above 90 days (the configurable threshold)."
    ),
    links=(
        PASSWORD_POLICY_GUIDE,
        guide("best-practices.html", "Security best practices in IAM"),
    ),
    terraform=Framework(
        fix="Set `max_password_age` between 1 and 90.",
        bad=("bad_never_expires",),
        good=("good_90_days",),
    ),
    cloudformation=Framework(fix=NO_PASSWORD_POLICY_IN_CLOUDFORMATION),
)
