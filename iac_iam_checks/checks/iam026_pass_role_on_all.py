"""iam:PassRole on all resources.

Why: `iam:PassRole` decides which roles a principal may hand to a service (an EC2 instance, a
Lambda function, a CloudFormation stack). On `*` it may hand over any role of the account,
administrator roles included, and then act through the service with that role's permissions.
Fix: Limit `iam:PassRole` to the ARNs of the roles the principal must pass, and add an
`iam:PassedToService` condition. `iam:*`, `iam:Pass*` and `*` on `*` count as PassRole. A Deny
of it in the same policy cancels the grant. Statements reported as full administrative access
(IAM020) are not reported again.
References: CIS AWS Foundations Benchmark v5.0.0: none; checkov: none (nearest CKV_AWS_110);
trivy AVD-AWS-0342; cfn_nag F38, F39, F40
"""

from __future__ import annotations

from ..model.values import IDENTITY
from .pages import STATEMENT_FIX_CLOUDFORMATION, STATEMENT_FIX_TERRAFORM, Framework, Page, guide
from .statements import pass_role_on_all
from .templates import describing, statement_check

statement_check(
    "IAM026",
    "HIGH",
    IDENTITY,
    pass_role_on_all,
    'allows iam:PassRole on Resource "*"',
    describing(
        '{policy} allows iam:PassRole on all resources (Resource "*"): it can pass '
        "any role of the account to a service; name the roles instead"
    ),
    outranked_by=("IAM020",),
    about_grants=True,
)


PAGE = Page(
    checks=(
        "Identity policy statements that Allow `iam:PassRole` (also through `iam:*`, `iam:Pass*`"
        " or `*`) on resource `*`. Statements reported by IAM020 are not reported again."
    ),
    links=(
        guide(
            "id_roles_use_passrole.html",
            "Grant a user permissions to pass a role to an AWS service",
        ),
        guide(
            "reference_policies_iam-condition-keys.html", "IAM and AWS STS condition context keys"
        ),
    ),
    terraform=Framework(
        fix=STATEMENT_FIX_TERRAFORM,
        bad=("bad_jsonencode",),
        good=("good_named_roles",),
    ),
    cloudformation=Framework(
        fix=STATEMENT_FIX_CLOUDFORMATION,
        bad=("BadPolicy",),
        good=("GoodNamedRole",),
    ),
)
