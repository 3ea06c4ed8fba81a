"""Console users but no account password policy.

Why: Users with a console password get AWS's default password rules (8 characters, no reuse
prevention, no expiry) unless the account defines a password policy.
Fix: Define aws_iam_account_password_policy with the CIS thresholds. CloudFormation cannot
define it: set it with Terraform, the AWS CLI (`aws iam update-account-password-policy`) or the
console.
References: CIS AWS Foundations Benchmark v5.0.0 1.7 and 1.8; checkov: none (its password
checks only run when the policy exists); trivy: none
"""

from __future__ import annotations

from collections.abc import Iterator

from ..iam.graph import Graph
from ..model.entities import PasswordPolicy, User
from ..model.entity_tables import entity_of
from ..model.values import Resource
from .pages import PASSWORD_POLICY_GUIDE, Framework, Page, cis
from .registry import Context, Issue, Result, check


@check(
    "IAM008",
    "MEDIUM",
    terraform=["aws_iam_user_login_profile"],
    cloudformation=["AWS::IAM::User"],
    needs_graph=True,
)
def no_password_policy(resource: Resource, ctx: Context) -> Iterator[Result]:
    graph: Graph = ctx.graph
    holders = graph.login_profile_holders(resource.scope)
    if not holders or holders[0] is not graph.node(resource):
        return
    if graph.entities_anywhere(PasswordPolicy):
        return
    entity = entity_of(resource)
    if isinstance(entity, User) and entity.embeds_login_profile:
        if entity.login_profile is None:
            return  # an Fn::If variant without the profile: the variant with it reports
        yield Issue(
            resource,
            f"{resource.address} has a login profile and the scan defines no account password "
            "policy; CloudFormation cannot define one, set it elsewhere (Terraform, AWS CLI)",
            entity.loc("login_profile"),
        )
    else:
        yield Issue(
            resource,
            f"{resource.address} creates a console login but the scan defines no "
            "aws_iam_account_password_policy",
        )


PAGE = Page(
    checks=(
        "A Terraform root or CloudFormation template that gives users a console password "
        "(`aws_iam_user_login_profile`, a user's `LoginProfile`) while the scan defines no "
        "`aws_iam_account_password_policy`. Reported once per root or template, on its first "
        "login profile; the other profiles pass, so the examples have no passing case of their "
        "own."
    ),
    links=(
        cis("1.7", "IAM password policy requires a minimum length of 14 or greater"),
        cis("1.8", "IAM password policy prevents password reuse"),
        PASSWORD_POLICY_GUIDE,
    ),
    terraform=Framework(
        fix=(
            "Add one `aws_iam_account_password_policy` (an account has exactly one) to the root "
            "that manages the account's IAM, with the thresholds of IAM004 to IAM007."
        ),
        bad=("bad_first_profile", "support_alice"),
    ),
    cloudformation=Framework(
        fix=(
            "A template cannot define the policy: set it once per account with Terraform or `aws"
            " iam update-account-password-policy`, then suppress this finding for the template "
            "with a reason."
        ),
        bad=("BadConsoleUser",),
    ),
)
