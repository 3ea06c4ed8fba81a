"""Long-lived access key for an IAM user.

Why: Access keys never expire on their own and leak through laptops, CI logs and repositories;
roles, SSO and workload identity give short-lived credentials instead. In Terraform, a key
created without `pgp_key` also stores its secret in plain text in the state (HIGH).
Fix: Replace the key with a role (instance profile, OIDC federation, IAM Identity Center). If a
key is unavoidable, set `pgp_key` so the secret is encrypted in state, and rotate it; keys with
status "Inactive" are not reported.
References: CIS AWS Foundations Benchmark v5.0.0 1.10 and 1.13; checkov: none (nearest
CKV_AWS_348); trivy: none (nearest AVD-AWS-0141)
"""

from __future__ import annotations

from collections.abc import Iterator

from ..model.entities import AccessKey
from ..model.entity_tables import entity_of
from ..model.values import Resource, Unknown
from .pages import Framework, Page, cis, guide
from .registry import Blocked, Context, Issue, Result, check


@check(
    "IAM011",
    "MEDIUM",
    terraform=["aws_iam_access_key"],
    cloudformation=["AWS::IAM::AccessKey"],
)
def access_key(resource: Resource, ctx: Context) -> Iterator[Result]:
    key = entity_of(resource)
    if not isinstance(key, AccessKey):
        return
    state = key.state
    if isinstance(state, Unknown):
        yield Blocked(resource, state, "cannot tell whether the key is active", key.loc("status"))
        return
    if state == "inactive":
        return
    if key.secret_in_state and key.pgp_key in (None, ""):
        yield Issue(
            resource,
            f"{resource.address} creates a long-lived IAM user access key without pgp_key, so "
            "its secret is stored in plain text in the Terraform state",
            severity="HIGH",
        )
    else:
        yield Issue(resource, f"{resource.address} creates a long-lived IAM user access key")


PAGE = Page(
    checks=(
        "Every active access key created for an IAM user: Terraform `aws_iam_access_key` (HIGH "
        "without `pgp_key`, whose secret then sits in the state in plain text) and "
        'CloudFormation `AWS::IAM::AccessKey`. Keys with status "Inactive" pass.'
    ),
    links=(
        cis("1.10", "No access keys created during initial setup of users with a console password"),
        cis("1.13", "Access keys are rotated every 90 days or less"),
        guide("id_credentials_access-keys.html", "Manage access keys for IAM users"),
        guide("id_credentials_temp.html", "Temporary security credentials in IAM"),
    ),
    terraform=Framework(
        fix=(
            "Prefer a role. When the key must stay, set `pgp_key` so that the state holds only "
            '`encrypted_secret`, and rotate the key; `status = "Inactive"` retires it.'
        ),
        bad=("bad_no_pgp",),
        good=("good_inactive",),
    ),
    cloudformation=Framework(
        fix=(
            "Prefer a role. When the key must stay, keep `!GetAtt Key.SecretAccessKey` out of "
            "outputs (store it in Secrets Manager) and rotate the key by changing `Serial`; "
            "`Status: Inactive` retires it."
        ),
        bad=("BadKey",),
        good=("GoodInactiveKey",),
    ),
)
