"""Full administrative access.

Why: An Allow of every action (`*` or `*:*`) on every resource (`*`) makes whoever holds the
policy an administrator of the account: one leaked credential or compromised workload is a
compromised account.
Fix: Grant the actions and resources the principal needs; keep administrative access for
break-glass roles guarded by MFA, and attach AWS's job-function policies if a broad grant is
truly needed. An unconditional Deny of everything in the same policy cancels the statement.
References: CIS AWS Foundations Benchmark v5.0.0 1.15; checkov CKV_AWS_1, CKV_AWS_62; trivy:
none (nearest AVD-AWS-0057, deprecated)
"""

from __future__ import annotations

from ..model.values import IDENTITY
from .pages import (
    STATEMENT_FIX_CLOUDFORMATION,
    STATEMENT_FIX_TERRAFORM,
    Framework,
    Page,
    cis,
    guide,
)
from .statements import full_admin
from .templates import describing, statement_check

statement_check(
    "IAM020",
    "CRITICAL",
    IDENTITY,
    full_admin,
    "allows all actions on all resources",
    describing(
        '{policy} allows all actions on all resources (Action "*", Resource "*"): '
        "full administrative access"
    ),
    about_grants=True,
)


PAGE = Page(
    checks=(
        "Identity policy statements, in any form and framework, that Allow every action (`*` or "
        "`*:*`) on every resource (`*`). A Deny of everything in the same policy cancels the "
        "statement. A policy used only as a permissions boundary (attached to no principal) is "
        "not judged: a boundary grants nothing, it caps what the principal's own policies grant "
        "(the same holds for IAM022-IAM026)."
    ),
    links=(
        cis(
            "1.15", 'IAM policies that allow full "*:*" administrative privileges are not attached'
        ),
        guide("best-practices.html", "Security best practices in IAM"),
        guide("access_policies_job-functions.html", "AWS managed policies for job functions"),
    ),
    terraform=Framework(
        fix=STATEMENT_FIX_TERRAFORM,
        bad=("bad_jsonencode",),
        good=("good_one_bucket",),
    ),
    cloudformation=Framework(
        fix=STATEMENT_FIX_CLOUDFORMATION,
        bad=("BadManagedPolicy",),
        good=("GoodBucketObjects",),
    ),
)
