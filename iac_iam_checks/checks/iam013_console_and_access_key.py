"""User with both console password and access key.

Why: A human console user who also holds a long-lived access key doubles the credentials that
can leak, and keys created at setup are often never used (CIS asks not to create them).
Fix: Give people console access (ideally through IAM Identity Center) and workloads roles; do
not create access keys for users with a login profile. A user the scan only names (a literal
name, or `data "aws_iam_user"`) is reported on its first access key.
References: CIS AWS Foundations Benchmark v5.0.0 1.10; checkov: none; trivy: none
"""

from __future__ import annotations

from collections.abc import Iterator

from ..model.values import Resource
from .registry import Blocked, Issue, Result
from .templates import UserKeys, credentials_check


@credentials_check("IAM013", "MEDIUM")
def console_and_access_key(resource: Resource, user: UserKeys) -> Iterator[Result]:
    if not user.entry.login_profiles:
        return
    if user.keys:
        yield Issue(
            resource,
            f"IAM user '{user.name}' has a console login profile and an active access key "
            f"({user.keys[0].address})",
        )
    elif user.undecided and user.entry.user is not None:
        key, unknown = user.undecided[0]
        yield Blocked(resource, unknown, f"cannot tell whether access key {key.address} is active")
