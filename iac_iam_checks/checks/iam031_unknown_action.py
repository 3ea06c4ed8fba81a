"""Action unknown to the action database.

Why: AWS accepts a policy naming an action that does not exist (IAM checks only the
`service:Action` syntax; IAM Access Analyzer's validation warns), so a misspelt action
(`s3:GetObjects`) or a wildcard that matches nothing (`iam:View*`) grants nothing and the
mistake goes unnoticed until something fails, or, in a `Deny` or `NotAction`, protects nothing.
It can also be an action newer than the offline database: hence LOW.
Fix: Use the action the message suggests, or the exact name from the AWS Service Authorization
Reference; drop wildcards that match nothing. A service prefix unknown to the database is
reported here too, not as an invalid policy (IAM027), because IAM accepts any well-formed
`service:Action` name: new services appear before any database knows them. Malformed names
(no `service:` prefix, spaces) are IAM027's. An action with unknown parts
(`s3:${var.action}`) is unresolved unless its known parts already match no action.
References: CIS AWS Foundations Benchmark v5.0.0: none; checkov: none; trivy: none (nearest:
IAM Access Analyzer policy validation warnings for undefined actions)
"""

from __future__ import annotations

from typing import Any

from ..iam import actions as action_db
from ..iam.evaluation import possible_actions
from ..model.values import (
    IDENTITY,
    TRUST,
    PolicyDocument,
    Statement,
    Template,
    Unknown,
    unknowns_in,
)
from .pages import (
    SERVICE_AUTHORIZATION_REFERENCE,
    STATEMENT_FIX_CLOUDFORMATION,
    STATEMENT_FIX_TERRAFORM,
    Framework,
    Page,
    guide,
)
from .statements import PolicySource, Verdict, describe
from .templates import statement_check


def _judge(document: PolicyDocument, statement: Statement) -> Verdict:
    problems: list[str] = []
    unknowns: list[Unknown] = []
    for field in (statement.actions, statement.not_actions):
        if isinstance(field, Unknown):
            unknowns.append(field)
            continue
        for entry in field if isinstance(field, list) else [] if field is None else [field]:
            problem = _entry_problem(entry)
            if isinstance(problem, str):
                problems.append(problem)
            elif problem:
                unknowns.extend(problem)
    return Verdict(tuple(dict.fromkeys(problems)), () if problems else tuple(unknowns))


def _entry_problem(entry: Any) -> str | list[Unknown] | None:
    """A problem, the unknowns that hide whether there is one, or None."""
    if isinstance(entry, str):
        return action_db.unknown_action_problem(entry)
    if not isinstance(entry, (Template, Unknown)):
        return None  # not a string: IAM027 reports it
    first = entry.parts[0] if isinstance(entry, Template) else None
    service, colon, _ = first.partition(":") if isinstance(first, str) else ("", "", "")
    literal_service = colon and service and not action_db.WILDCARD.search(service)
    if literal_service and not action_db.service_known(service):
        return f"unknown service prefix {service!r} in {str(entry)!r}"
    if not possible_actions(entry):
        return f"{str(entry)!r} matches no known action, whatever its unknown parts hold"
    return list(unknowns_in(entry))


def _message(source: PolicySource, verdict: Verdict) -> str:
    return (
        f"{describe(source)} names actions unknown to the action database: "
        f"{'; '.join(verdict.hits)}"
    )


statement_check(
    "IAM031",
    "LOW",
    (IDENTITY, TRUST),
    _judge,
    "names only actions the database knows",
    _message,
)


PAGE = Page(
    checks=(
        "Actions, and action wildcards, in any policy statement that match no action of the "
        "offline IAM action database (a typo, a wildcard that matches nothing, an unknown "
        "service prefix, or an action newer than the database). The message suggests the nearest"
        " known action."
    ),
    links=(
        guide("reference_policies_elements_action.html", "IAM JSON policy elements: Action"),
        SERVICE_AUTHORIZATION_REFERENCE,
        guide(
            "access-analyzer-reference-policy-checks.html",
            "IAM Access Analyzer policy check reference",
        ),
    ),
    terraform=Framework(
        fix=STATEMENT_FIX_TERRAFORM,
        bad=("bad_typo",),
        good=("good_known_actions",),
    ),
    cloudformation=Framework(
        fix=STATEMENT_FIX_CLOUDFORMATION,
        bad=("BadTypo",),
        good=("GoodPolicy",),
    ),
)
