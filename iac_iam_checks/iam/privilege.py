"""What makes a policy administrator-equivalent: one answer for IAM020, IAM021 and ``access``.

IAM020 asks it of one statement, IAM021 of one attached AWS-managed policy name, and the
``access`` command of everything reaching a principal; keeping the predicates here means the
checks and the command cannot drift apart (a test holds them together on the check examples).
Privilege escalation (IAM024) lives in :mod:`.evaluation` (``privilege_escalations``).
"""

from __future__ import annotations

from ..model.values import PolicyDocument, Statement, Unknown
from .evaluation import (
    Tri,
    Undecided,
    all_of,
    any_of,
    deny_applies,
    grants_all_actions,
    is_allow,
    is_star,
    negate,
)

ADMIN_POLICIES = {
    "AdministratorAccess": "full access to every service",
    "IAMFullAccess": "lets the holder grant itself any permission",
    "PowerUserAccess": "full access to every service except IAM user and group management",
    "AWSCloudShellFullAccess": "CloudShell with file upload and download",
}
"""AWS-managed policies that make their holder an administrator (IAM021), with why."""


def resource_is_star(statement: Statement) -> Tri:
    """Whether ``Resource`` holds the literal ``*`` (NotResource does not count here)."""
    resources = statement.resources
    if resources is None:
        return False
    if isinstance(resources, Unknown):
        return Undecided((resources,))
    return any_of(is_star(r) for r in (resources if isinstance(resources, list) else [resources]))


def denies_everything(deny: Statement) -> Tri:
    """An unconditional Deny of every action on every resource for every principal."""
    return all_of(
        test() for test in (lambda: deny_applies(deny, "*"), lambda: grants_all_actions(deny))
    )


def cancelled_entirely(document: PolicyDocument, statement: Statement) -> Tri:
    """Whether another statement of the document denies everything, unconditionally."""
    return any_of(denies_everything(d) for d in document.statements if d is not statement)


def allows_everything(document: PolicyDocument, statement: Statement) -> Tri:
    """IAM020: an Allow of ``*`` (or ``*:*``) on the literal resource ``*``, not cancelled by
    an unconditional Deny of everything elsewhere in ``document``."""
    result = all_of(
        test()
        for test in (
            lambda: is_allow(statement),
            lambda: grants_all_actions(statement),
            lambda: resource_is_star(statement),
        )
    )
    if result is not False:
        result = all_of([result, negate(cancelled_entirely(document, statement))])
    return result
