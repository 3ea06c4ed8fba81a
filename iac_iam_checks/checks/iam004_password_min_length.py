"""Password policy: minimum length below 14.

Why: Short passwords fall to guessing and offline cracking; length is the strongest single
factor in password strength.
Fix: Set `minimum_password_length` to 14 or more on aws_iam_account_password_policy (the
threshold is configurable).
References: CIS AWS Foundations Benchmark v5.0.0 1.7; checkov CKV_AWS_10; trivy AVD-AWS-0063
"""

from __future__ import annotations

from collections.abc import Iterator

from ..model.settings import Settings
from ..model.values import Resource, Template, Unknown
from .registry import Blocked, Context, Issue, Result, check


@check("IAM004", "MEDIUM", terraform=["aws_iam_account_password_policy"])
def password_min_length(resource: Resource, ctx: Context) -> Iterator[Result]:
    settings: Settings = ctx.settings
    yield from below_threshold(resource, "minimum_password_length", settings.min_password_length)


def below_threshold(resource: Resource, attribute: str, threshold: int) -> Iterator[Result]:
    """An issue when a numeric password-policy attribute is unset or below ``threshold``."""
    number = yield from known_number(resource, attribute)
    if number is None:
        yield Issue(resource, f"Password policy does not set {attribute} (at least {threshold})")
    elif number is not False and number < threshold:
        yield Issue(
            resource,
            f"Password policy {attribute} is {number}, below {threshold}",
            resource.loc(attribute),
        )


def known_number(resource: Resource, attribute: str) -> Iterator[Result]:
    """Yields Blocked when the attribute is unknown; returns its number, None when unset, or
    False when unknown."""
    value = resource.attrs.get(attribute)
    if isinstance(value, (Unknown, Template)):
        unknown = value if isinstance(value, Unknown) else value.unknowns[0]
        yield Blocked(resource, unknown, f"{attribute} is not known", resource.loc(attribute))
        return False
    if value is None or isinstance(value, bool):
        return None
    try:
        return int(str(value))
    except ValueError:
        return None
