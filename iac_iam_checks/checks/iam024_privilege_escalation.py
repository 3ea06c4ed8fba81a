"""Privilege escalation.

Why: Some actions let a principal give itself more than it was granted: write a new version of
its own policy, attach AdministratorAccess to itself, create keys or passwords for other users,
rewrite a role's trust, or pass a powerful role to new compute (`iam:PassRole` with
`ec2:RunInstances`, `lambda:CreateFunction`...) and act as that role. Granted on `*`, each one
is a path to administrator.
Fix: Remove the action, or limit it to the resources it must touch (the policy ARNs it may
version, the roles it may pass: `iam:PassRole` on named role ARNs). The PassRole combination is
reported on the statement that allows `iam:PassRole`. Statements reported as full
administrative access (IAM020) are not reported again.
References: CIS AWS Foundations Benchmark v5.0.0: none; checkov CKV_AWS_110, CKV_AWS_286;
trivy: none (nearest AVD-AWS-0342)
"""

from __future__ import annotations

from ..iam.evaluation import ESCALATION_ACTIONS, PASS_ROLE, PASS_ROLE_TARGETS
from ..model.values import IDENTITY
from .pages import STATEMENT_FIX_CLOUDFORMATION, STATEMENT_FIX_TERRAFORM, Framework, Page, guide
from .statements import PolicySource, Verdict, describe, escalation, shorten
from .templates import statement_check


def message(source: PolicySource, verdict: Verdict) -> str:
    actions = list(verdict.hits)
    alone = [a for a in actions if a in ESCALATION_ACTIONS]
    companions = [a for a in actions if a in PASS_ROLE_TARGETS]
    what = shorten(alone)
    if PASS_ROLE in actions:
        what = f"iam:PassRole together with {shorten(companions)}"
        if alone:
            what = f"{shorten(alone)}, and {what}"
    return f'{describe(source)} allows privilege escalation on all resources (Resource "*"): {what}'


statement_check(
    "IAM024",
    "HIGH",
    IDENTITY,
    escalation,
    'allows a privilege-escalation action on Resource "*"',
    message,
    outranked_by=("IAM020",),
    about_grants=True,
)


PAGE = Page(
    checks=(
        "Identity policy documents that Allow on `*` an action that lets a principal raise its "
        "own permissions (`iam:CreatePolicyVersion`, `iam:SetDefaultPolicyVersion`, "
        "`iam:CreateAccessKey`, `iam:CreateLoginProfile`, `iam:UpdateLoginProfile`, "
        "`iam:Attach*Policy`, `iam:Put*Policy`, `iam:AddUserToGroup`, "
        "`iam:UpdateAssumeRolePolicy`, `lambda:UpdateFunctionCode`, `glue:UpdateDevEndpoint`), "
        "or `iam:PassRole` together with an action that starts compute under the passed role "
        "(`ec2:RunInstances`, `lambda:CreateFunction`, `cloudformation:CreateStack`, "
        "`glue:CreateDevEndpoint`, `datapipeline:CreatePipeline`, "
        "`sagemaker:CreateNotebookInstance`, `ecs:RunTask`)."
    ),
    links=(
        guide(
            "id_roles_use_passrole.html",
            "Grant a user permissions to pass a role to an AWS service",
        ),
        guide("access_policies_managed-versioning.html", "Versioning IAM policies"),
        guide("best-practices.html", "Security best practices in IAM"),
    ),
    terraform=Framework(
        fix=STATEMENT_FIX_TERRAFORM,
        bad=("bad_jsonencode",),
        good=("good_pass_named_role",),
    ),
    cloudformation=Framework(
        fix=STATEMENT_FIX_CLOUDFORMATION,
        bad=("BadPassRoleToLambda",),
        good=("GoodScoped",),
    ),
)
