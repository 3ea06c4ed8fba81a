"""Role trust policy open to any principal.

Why: A trust policy that lets `*` (or `{"AWS": "*"}`, or everyone but a `NotPrincipal`) call
`sts:AssumeRole*` lets any AWS account in the world assume the role and use its permissions,
unless a condition narrows who may.
Fix: Name the trusted principals (account root or role ARNs, a service), or keep `*` only with
a restricting condition such as `aws:PrincipalOrgID`, `aws:PrincipalArn`, `aws:SourceAccount`
or `sts:ExternalId` (`...IfExists` operators and `aws:SecureTransport` do not restrict).
References: CIS AWS Foundations Benchmark v5.0.0: none; checkov CKV_AWS_60; trivy: none;
cfn_nag F2 (nearest)
"""

from __future__ import annotations

from ..iam.evaluation import all_of, has_restricting_condition, principal_is_anyone
from ..model.values import TRUST, PolicyDocument, Statement
from .pages import Framework, Page, guide
from .statements import NOTHING, Verdict, assumes_role, unknowns_of
from .templates import describing, statement_check


def open_to_anyone(document: PolicyDocument, statement: Statement) -> Verdict:
    """``sts:AssumeRole*`` allowed to ``*`` with no restricting condition."""
    restricted = has_restricting_condition(statement)
    if restricted is True:
        return NOTHING
    opened = all_of(
        test()
        for test in (
            lambda: assumes_role(document, statement),
            lambda: principal_is_anyone(statement),
        )
    )
    if opened is False:
        return NOTHING
    pending = unknowns_of(opened, restricted)
    return Verdict((), pending) if pending else Verdict(("*",))


statement_check(
    "IAM028",
    "CRITICAL",
    TRUST,
    open_to_anyone,
    "lets any principal assume the role without a restricting condition",
    describing(
        '{policy} lets any principal ("*") assume the role without a restricting '
        "condition (aws:PrincipalOrgID, aws:PrincipalArn, sts:ExternalId...)"
    ),
)


PAGE = Page(
    checks=(
        'Role trust policies that allow `sts:AssumeRole*` to `*`, `{"AWS": "*"}` or everyone but'
        " a `NotPrincipal`, without a restricting condition (a positive operator on "
        "`aws:PrincipalOrgID`, `aws:PrincipalArn`, `aws:SourceAccount`, `sts:ExternalId` and the"
        " like)."
    ),
    links=(
        guide("reference_policies_elements_principal.html", "IAM JSON policy elements: Principal"),
        guide("id_roles_terms-and-concepts.html", "Roles terms and concepts"),
        guide("reference_policies_condition-keys.html", "AWS global condition context keys"),
    ),
    terraform=Framework(
        fix=(
            "In `assume_role_policy` (or the `aws_iam_policy_document` it uses), name the "
            "principals, or add a `condition` block on `aws:PrincipalOrgID`."
        ),
        bad=("bad_jsonencode",),
        good=("good_org_only",),
    ),
    cloudformation=Framework(
        fix=(
            "In `AssumeRolePolicyDocument`, name the principals, or add a `Condition` on "
            "`aws:PrincipalOrgID`."
        ),
        bad=("BadRole",),
        good=("GoodOrgOnly",),
    ),
)
