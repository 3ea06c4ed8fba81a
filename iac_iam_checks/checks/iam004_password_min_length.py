"""Password policy: minimum length below 14.

Why: Short passwords fall to guessing and offline cracking; length is the strongest single
factor in password strength.
Fix: Set `minimum_password_length` to 14 or more on aws_iam_account_password_policy (the
threshold is configurable).
References: CIS AWS Foundations Benchmark v5.0.0 1.7; checkov CKV_AWS_10; trivy AVD-AWS-0063
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from typing import Literal

from ..model.entities import PasswordPolicy, unknown_of
from ..model.entity_tables import entity_of
from ..model.settings import Settings
from ..model.values import Resource
from .pages import (
    NO_PASSWORD_POLICY_IN_CLOUDFORMATION,
    PASSWORD_POLICY_GUIDE,
    Framework,
    Page,
    cis,
)
from .registry import Blocked, Context, Issue, Result, check


@check("IAM004", "MEDIUM", terraform=["aws_iam_account_password_policy"])
def password_min_length(resource: Resource, ctx: Context) -> Iterator[Result]:
    settings: Settings = ctx.settings
    yield from below_threshold(
        password_policy(resource), "minimum_password_length", settings.min_password_length
    )


def password_policy(resource: Resource) -> PasswordPolicy:
    entity = entity_of(resource)
    assert isinstance(entity, PasswordPolicy), resource.kind
    return entity


def below_threshold(policy: PasswordPolicy, name: str, threshold: int) -> Iterator[Result]:
    """An issue when a numeric password-policy field is unset or below ``threshold``."""
    number = yield from known_number(policy, name)
    attribute = policy.attribute(name)
    if number is None:
        yield Issue(
            policy.resource, f"Password policy does not set {attribute} (at least {threshold})"
        )
    elif number is not False and number < threshold:
        yield Issue(
            policy.resource,
            f"Password policy {attribute} is {number}, below {threshold}",
            policy.loc(name),
        )


def known_number(
    policy: PasswordPolicy, name: str
) -> Generator[Result, None, int | Literal[False] | None]:
    """Yields Blocked when the field is unknown; returns its number, None when unset, or
    False when unknown."""
    value = getattr(policy, name)
    unknown = unknown_of(value)
    if unknown is not None:
        attribute = policy.attribute(name)
        yield Blocked(policy.resource, unknown, f"{attribute} is not known", policy.loc(name))
        return False
    if value is None or isinstance(value, bool):
        return None
    try:
        return int(str(value))
    except ValueError:
        return None


PAGE = Page(
    checks=(
        "`aws_iam_account_password_policy` whose `minimum_password_length` is below 14 (the "
        "configurable threshold) or unset, which leaves AWS's minimum of 8."
    ),
    links=(
        cis("1.7", "IAM password policy requires a minimum length of 14 or greater"),
        PASSWORD_POLICY_GUIDE,
    ),
    terraform=Framework(
        fix="Set `minimum_password_length = 14` (or more).",
        bad=("bad_short",),
        good=("good_long",),
    ),
    cloudformation=Framework(fix=NO_PASSWORD_POLICY_IN_CLOUDFORMATION),
)
