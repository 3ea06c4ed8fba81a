"""More than one active access key for a user.

Why: Two active keys usually mean an old key was never retired; every extra key is one more
long-lived secret that can leak. AWS allows two only to rotate without downtime.
Fix: Keep at most one active access key per user: deactivate (status "Inactive") or delete the
old key once the new one is in use. A user the scan only names (a literal name, or
`data "aws_iam_user"`) is reported on its first access key.
References: CIS AWS Foundations Benchmark v5.0.0 1.12; checkov: none; trivy AVD-AWS-0167
"""

from __future__ import annotations

from collections.abc import Iterator

from ..model.entity_tables import entity_of
from ..model.values import Resource, Unknown
from .pages import Framework, Page, cis, guide
from .registry import Blocked, Issue, Result
from .templates import UserKeys, credentials_check


@credentials_check("IAM014", "MEDIUM")
def multiple_access_keys(resource: Resource, user: UserKeys) -> Iterator[Result]:
    keys = user.keys
    counts = [(k, _count_unknown(k.resource)) for k in keys]
    counted = [k for k, unknown in counts if unknown is None]
    uncounted = [(k, unknown) for k, unknown in counts if unknown is not None]
    if len(keys) >= 2:
        listed = ", ".join(k.address for k in keys)
        yield Issue(
            resource, f"IAM user '{user.name}' has {len(keys)} active access keys ({listed})"
        )
    elif uncounted and not counted:
        key, unknown = uncounted[0]
        yield Blocked(resource, unknown, f"cannot tell how many keys {key.address} creates")
    elif keys and user.undecided:
        key, unknown = user.undecided[0]
        yield Blocked(resource, unknown, f"cannot tell whether access key {key.address} is active")


def _count_unknown(resource: Resource) -> Unknown | None:
    entity = entity_of(resource)
    return entity.count_unknown if entity is not None else None


PAGE = Page(
    checks=(
        "Users with two or more active access keys in the scan (a `count` or `for_each` above "
        "one counts). Reported on the user, or on its first key when the scan only names the "
        "user."
    ),
    links=(
        cis("1.12", "Only one active access key is available for any single IAM user"),
        guide("id_credentials_access-keys.html", "Manage access keys for IAM users"),
    ),
    terraform=Framework(
        fix=(
            'Once the new key is in use, set `status = "Inactive"` on the old '
            "`aws_iam_access_key`, then delete it."
        ),
        bad=("bad_two_keys", "support_alice_1", "support_alice_2"),
        good=("good_rotated", "support_ci_new", "support_ci_old"),
    ),
    cloudformation=Framework(
        fix="Set `Status: Inactive` on the old `AWS::IAM::AccessKey`, then delete it.",
        bad=("BadTwoKeys", "SupportKeyA", "SupportKeyB"),
        good=("GoodOneKey", "SupportKeyC", "SupportOldKey"),
    ),
)
