"""Password policy: character classes not all required.

Why: Without required upper-case letters, lower-case letters, numbers and symbols, users pick
passwords from a much smaller space that dictionary attacks cover quickly.
Fix: Set `require_uppercase_characters`, `require_lowercase_characters`, `require_numbers` and
`require_symbols` to true on aws_iam_account_password_policy.
References: CIS AWS Foundations Benchmark v5.0.0: none (CIS 1.2 items 1.5-1.8); checkov
CKV_AWS_11, CKV_AWS_12, CKV_AWS_14, CKV_AWS_15; trivy AVD-AWS-0058, AVD-AWS-0059, AVD-AWS-0060,
AVD-AWS-0061
"""

from __future__ import annotations

from collections.abc import Iterator

from ..model.entities import unknown_of
from ..model.values import Resource
from .iam004_password_min_length import password_policy
from .pages import (
    NO_PASSWORD_POLICY_IN_CLOUDFORMATION,
    PASSWORD_POLICY_GUIDE,
    Framework,
    Page,
    guide,
)
from .registry import Blocked, Context, Issue, Result, check

CLASSES = (
    "require_uppercase_characters",
    "require_lowercase_characters",
    "require_numbers",
    "require_symbols",
)


@check("IAM005", "MEDIUM", terraform=["aws_iam_account_password_policy"])
def password_character_classes(resource: Resource, ctx: Context) -> Iterator[Result]:
    policy = password_policy(resource)
    missing = []
    for name in CLASSES:
        value = getattr(policy, name)
        unknown = unknown_of(value)
        attribute = policy.attribute(name)
        if unknown is not None:
            yield Blocked(resource, unknown, f"{attribute} is not known", policy.loc(name))
        elif value is not True and str(value).lower() != "true":
            missing.append(attribute)
    if missing:
        yield Issue(resource, f"Password policy does not require: {', '.join(missing)}")


PAGE = Page(
    checks=(
        "`aws_iam_account_password_policy` that does not require all four character classes: "
        "`require_uppercase_characters`, `require_lowercase_characters`, `require_numbers` and "
        "`require_symbols` must each be true; the message names those that are not."
    ),
    links=(
        PASSWORD_POLICY_GUIDE,
        guide("best-practices.html", "Security best practices in IAM"),
    ),
    terraform=Framework(
        fix="Set the four `require_*` arguments to `true`.",
        bad=("bad_no_symbols",),
        good=("good_all_classes",),
    ),
    cloudformation=Framework(fix=NO_PASSWORD_POLICY_IN_CLOUDFORMATION),
)
