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
from .pages import Framework, Page, cis, guide
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


PAGE = Page(
    checks=(
        "Users that have both a login profile (Terraform `aws_iam_user_login_profile`, "
        "CloudFormation `LoginProfile`) and an active access key in the same scan. Reported on "
        "the user, or on its first key when the scan only names the user."
    ),
    links=(
        cis("1.10", "No access keys created during initial setup of users with a console password"),
        guide("id_credentials_access-keys.html", "Manage access keys for IAM users"),
        guide("best-practices.html", "Security best practices in IAM"),
    ),
    terraform=Framework(
        fix=(
            "Remove the `aws_iam_access_key` of users with `aws_iam_user_login_profile`, or set "
            'its `status = "Inactive"`; give the workload a role.'
        ),
        bad=(
            "bad_console_with_key",
            "aws_iam_user_login_profile.support_alice",
            "aws_iam_access_key.support_alice",
        ),
        good=("good_console_only", "support_bob", "support_bob_old"),
    ),
    cloudformation=Framework(
        fix=(
            "Remove the `AWS::IAM::AccessKey` whose `UserName` is a user with `LoginProfile`, or"
            " set its `Status: Inactive`."
        ),
        bad=("BadConsoleWithKey", "SupportKey"),
        good=("GoodConsoleOnly",),
    ),
)
