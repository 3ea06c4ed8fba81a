"""Cross-account trust without ExternalId or MFA.

Why: Trusting another account lets every principal that account allows assume the role. For a
third party (a SaaS vendor) without `sts:ExternalId`, anyone who can make that vendor act on
their behalf can reach your role (the confused deputy); for people, without MFA a leaked key in
the other account is enough.
Fix: Add a `StringEquals sts:ExternalId` condition for third parties or `Bool
aws:MultiFactorAuthPresent "true"` for people (other restricting conditions such as
`aws:PrincipalArn` also pass), or list your own accounts in `own_account_ids`.
`data.aws_caller_identity` and `AWS::AccountId` are the own account; a plan file shows the
caller's account as a literal id, so list it in `own_account_ids` when scanning plans.
References: CIS AWS Foundations Benchmark v5.0.0: none; checkov CKV_AWS_61 (nearest); trivy:
none
"""

from __future__ import annotations

from ..iam.evaluation import foreign_accounts, has_restricting_condition
from ..model.settings import Settings
from ..model.values import TRUST, PolicyDocument, Statement
from .pages import Framework, Page, guide
from .statements import NOTHING, PolicySource, Verdict, assumes_role, describe, unknowns_of
from .templates import FromSettings, Predicate, statement_check


def trusts_other_accounts(settings: Settings | None) -> Predicate:
    """The predicate for the scan's own accounts (``own_account_ids``)."""
    own = tuple(getattr(settings, "own_account_ids", ()) or ())

    def judge(document: PolicyDocument, statement: Statement) -> Verdict:
        restricted = has_restricting_condition(statement)
        if restricted is True:
            return NOTHING
        assumed = assumes_role(document, statement)
        if assumed is False:
            return NOTHING
        accounts = foreign_accounts(statement, own)
        if not accounts.items and not accounts.unknowns:
            return NOTHING
        pending = unknowns_of(assumed, restricted)
        if accounts.items and not pending:
            return Verdict(tuple(accounts.items))
        return Verdict((), (*pending, *accounts.unknowns))

    return judge


def message(source: PolicySource, verdict: Verdict) -> str:
    accounts = ", ".join(verdict.hits)
    plural = "accounts" if len(verdict.hits) > 1 else "account"
    return (
        f"{describe(source)} trusts {plural} {accounts} without sts:ExternalId, "
        "aws:MultiFactorAuthPresent or another restricting condition"
    )


statement_check(
    "IAM029",
    "HIGH",
    TRUST,
    FromSettings(trusts_other_accounts),
    "trusts another account without sts:ExternalId or MFA",
    message,
)


PAGE = Page(
    checks=(
        "Role trust policies that trust a literal 12-digit account (its root or any principal in"
        " it) that is not one of the configured `own_account_ids`, without a condition on "
        "`sts:ExternalId`, `aws:MultiFactorAuthPresent` or another restricting key. "
        "`data.aws_caller_identity` and `AWS::AccountId` are the own account."
    ),
    links=(
        guide(
            "id_roles_create_for-user_externalid.html",
            "Access to AWS accounts owned by third parties",
        ),
        guide("confused-deputy.html", "The confused deputy problem"),
        guide("id_credentials_mfa_configure-api-require.html", "Secure API access with MFA"),
    ),
    terraform=Framework(
        fix=(
            'Add a `condition` block (`test = "StringEquals"`, `variable = "sts:ExternalId"`) to'
            " the trust statement, or list your accounts in `own_account_ids` under "
            "`[tool.iac-iam-checks]`."
        ),
        bad=("bad_jsonencode",),
        good=("good_external_id",),
    ),
    cloudformation=Framework(
        fix=(
            "Add `Condition: {StringEquals: {sts:ExternalId: ...}}` to the trust statement of "
            "`AssumeRolePolicyDocument`, or list your accounts in `own_account_ids`."
        ),
        bad=("BadVendorRole",),
        good=("GoodExternalId",),
    ),
)
