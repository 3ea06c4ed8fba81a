"""Password policy: reuse prevention below 24.

Why: Without reuse prevention users cycle back to old (possibly leaked) passwords right after
a forced change.
Fix: Set `password_reuse_prevention` to 24 on aws_iam_account_password_policy (the threshold
is configurable).
References: CIS AWS Foundations Benchmark v5.0.0 1.8; checkov CKV_AWS_13; trivy AVD-AWS-0056
"""

from __future__ import annotations

from collections.abc import Iterator

from ..model.settings import Settings
from ..model.values import Resource
from .iam004_password_min_length import below_threshold, password_policy
from .pages import (
    NO_PASSWORD_POLICY_IN_CLOUDFORMATION,
    PASSWORD_POLICY_GUIDE,
    Framework,
    Page,
    cis,
)
from .registry import Context, Result, check


@check("IAM006", "MEDIUM", terraform=["aws_iam_account_password_policy"])
def password_reuse(resource: Resource, ctx: Context) -> Iterator[Result]:
    settings: Settings = ctx.settings
    yield from below_threshold(
        password_policy(resource), "password_reuse_prevention", settings.password_reuse_prevention
    )


PAGE = Page(
    checks=(
        "`aws_iam_account_password_policy` whose `password_reuse_prevention` is below 24 (the "
        "configurable threshold) or unset, which lets users reuse any previous password."
    ),
    links=(
        cis("1.8", "IAM password policy prevents password reuse"),
        PASSWORD_POLICY_GUIDE,
    ),
    terraform=Framework(
        fix="Set `password_reuse_prevention = 24`, the largest value AWS accepts.",
        bad=("bad_reuse_5",),
        good=("good_reuse_24",),
    ),
    cloudformation=Framework(fix=NO_PASSWORD_POLICY_IN_CLOUDFORMATION),
)
