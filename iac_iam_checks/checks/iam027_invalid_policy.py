"""Invalid policy document.

Why: AWS rejects an invalid policy at apply time at best; at worst it accepts it and the
statement means something else than intended (a `Principal` in an identity policy is an
error, a duplicate `Sid` hides which statement an override replaces). Scanners that skip what
they cannot read pass such policies silently.
Fix: Correct the reported element: valid JSON, Version "2012-10-17", Effect "Allow" or "Deny",
`service:Action` syntax (whether the action exists is IAM031's question: AWS accepts unknown
actions), Action and Resource in every identity statement, Principal only in trust (and resource)
policies, unique Sids, known condition operators. An `aws_iam_policy_document` data source
checked on its own that names principals without being a trust policy is a resource policy
(bucket, key, queue) and is not checked.
References: CIS AWS Foundations Benchmark v5.0.0: none; checkov: none; trivy: none (nearest:
IAM Access Analyzer policy validation, cfn-lint E3xxx policy rules)
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..iam import actions as action_db
from ..model.values import (
    IDENTITY,
    TRUST,
    Location,
    Resource,
    Statement,
    Template,
    Unknown,
    unknowns_in,
)
from .pages import STATEMENT_FIX_CLOUDFORMATION, STATEMENT_FIX_TERRAFORM, Framework, Page, guide
from .registry import Blocked, Context, Issue, Result, check
from .statements import ALL_POLICY_KINDS, PolicySource, describe, policies, where

VERSIONS = ("2012-10-17", "2008-10-17")
EFFECTS = ("Allow", "Deny")
_BASE_OPERATORS = frozenset(
    name.lower()
    for name in [
        "StringEquals",
        "StringNotEquals",
        "StringEqualsIgnoreCase",
        "StringNotEqualsIgnoreCase",
        "StringLike",
        "StringNotLike",
        "NumericEquals",
        "NumericNotEquals",
        "NumericLessThan",
        "NumericLessThanEquals",
        "NumericGreaterThan",
        "NumericGreaterThanEquals",
        "DateEquals",
        "DateNotEquals",
        "DateLessThan",
        "DateLessThanEquals",
        "DateGreaterThan",
        "DateGreaterThanEquals",
        "Bool",
        "BinaryEquals",
        "IpAddress",
        "NotIpAddress",
        "ArnEquals",
        "ArnLike",
        "ArnNotEquals",
        "ArnNotLike",
    ]
)
_SET_PREFIXES = ("forallvalues:", "foranyvalue:")


def is_condition_operator(name: str) -> bool:
    """IAM's operator names, any case: a base operator with an optional set prefix and
    ``IfExists`` suffix, or ``Null`` alone. (A set, not one case-blind regex of all of them,
    whose compiling was 1.7 ms of every process's start-up.)"""
    lowered = name.lower()
    if lowered == "null":
        return True
    for prefix in _SET_PREFIXES:
        if lowered.startswith(prefix):
            lowered = lowered[len(prefix) :]
            break
    return lowered.removesuffix("ifexists") in _BASE_OPERATORS


@check("IAM027", "HIGH", **ALL_POLICY_KINDS)
def invalid_policy(resource: Resource, ctx: Context) -> Iterator[Result]:
    for kind in (IDENTITY, TRUST):
        for source in policies(resource, kind):
            yield from _document_problems(source)


def _document_problems(source: PolicySource) -> Iterator[Result]:
    """One finding per statement (or document-level span) listing all its problems: several
    misspelt actions in one statement are one thing to fix there."""
    resource, document = source.resource, source.document
    if document.unknown is not None:
        yield Blocked(
            resource,
            document.unknown,
            f"cannot tell whether {describe(source)} is valid",
            source.location,
        )
        return
    found: dict[Location | None, tuple[Statement | None, list[str]]] = {}

    def note(problem: str, location: Location | None, statement: Statement | None) -> None:
        _, problems = found.setdefault(location, (statement, []))
        if problem not in problems:
            problems.append(problem)

    for message, location in document.errors:
        note(message, location or source.location, None)
    version = document.version
    if isinstance(version, (Unknown, Template)):
        yield from _blocked(source, version, "has a valid Version", None)
    elif version is not None and version not in VERSIONS:
        note(
            f'unknown Version {version!r} (use "2012-10-17")',
            document.location or source.location,
            None,
        )
    seen_sids: dict[str, Statement] = {}
    for statement in document.statements:
        for problem in _statement_problems(source, statement):
            if isinstance(problem, str):
                note(problem, where(source, statement), statement)
            else:
                yield problem
        sid = statement.sid
        if isinstance(sid, str) and sid:
            if sid in seen_sids:
                first = seen_sids[sid].location
                also = f" (first at line {first.line})" if first else ""
                note(f"duplicate Sid {sid!r}{also}", where(source, statement), statement)
            else:
                seen_sids[sid] = statement
    for location, (offending, problems) in found.items():
        message = f"{describe(source)}: {'; '.join(problems)}"
        yield Issue(resource, message, location, statement=offending)


def _statement_problems(source: PolicySource, statement: Statement) -> Iterator[str | Blocked]:
    if statement.unknown is not None:
        yield from _blocked(source, statement.unknown, "is valid", statement)
        return
    effect = statement.effect
    if isinstance(effect, (Unknown, Template)):
        yield from _blocked(source, effect, "has a valid Effect", statement)
    elif effect is None:
        yield "statement has no Effect (Allow or Deny)"
    elif effect not in EFFECTS:
        yield f'Effect {effect!r} is neither "Allow" nor "Deny"'
    for field in (statement.actions, statement.not_actions):
        yield from _action_problems(source, statement, field)
    has_principal = statement.principals is not None or statement.not_principals is not None
    if statement.actions is None and statement.not_actions is None:
        yield "statement has no Action or NotAction"
    if source.kind == IDENTITY:
        if has_principal:
            yield (
                "Principal in an identity policy statement "
                "(only trust and resource policies name principals)"
            )
        if statement.resources is None and statement.not_resources is None:
            yield "statement has no Resource or NotResource"
    elif not has_principal:
        yield "trust policy statement has no Principal"
    yield from _operator_problems(source, statement)


def _action_problems(
    source: PolicySource, statement: Statement, field: Any
) -> Iterator[str | Blocked]:
    if field is None:
        return
    if isinstance(field, Unknown):
        yield from _blocked(source, field, "names valid actions", statement)
        return
    for pattern in field if isinstance(field, list) else [field]:
        if isinstance(pattern, str):
            problem = action_db.syntax_problem(pattern)
            if problem:
                yield problem
        elif isinstance(pattern, (Template, Unknown)):
            yield from _blocked(source, pattern, "names valid actions", statement)
        else:
            yield f"action {pattern!r} is not a string"


def _operator_problems(source: PolicySource, statement: Statement) -> Iterator[str | Blocked]:
    conditions = statement.conditions
    if isinstance(conditions, (Unknown, Template)):
        yield from _blocked(source, conditions, "uses valid condition operators", statement)
        return
    if not isinstance(conditions, dict):
        return
    for operator in conditions:
        if isinstance(operator, (Unknown, Template)):
            yield from _blocked(source, operator, "uses valid condition operators", statement)
        elif isinstance(operator, str) and not is_condition_operator(operator):
            yield f"unknown condition operator {operator!r}"


def _blocked(
    source: PolicySource, value: Any, question: str, statement: Statement | None
) -> Iterator[Blocked]:
    location = where(source, statement) if statement is not None else source.location
    for unknown in dict.fromkeys(unknowns_in(value)):
        yield Blocked(
            source.resource, unknown, f"cannot tell whether {describe(source)} {question}", location
        )


PAGE = Page(
    checks=(
        "Policy documents that AWS rejects or that are certainly broken: text that is not JSON, "
        "an unknown `Version`, an `Effect` other than Allow or Deny, an action not in "
        "`service:Action` syntax, a `Principal` in an identity policy, an identity statement "
        "without action or resource, a trust statement without principal, a `Sid` used twice, an"
        " unknown condition operator."
    ),
    links=(
        guide("reference_policies_grammar.html", "Grammar of the IAM JSON policy language"),
        guide("reference_policies_elements.html", "IAM JSON policy element reference"),
        guide(
            "reference_policies_elements_condition_operators.html",
            "IAM JSON policy elements: Condition operators",
        ),
        guide(
            "access-analyzer-reference-policy-checks.html",
            "IAM Access Analyzer policy check reference",
        ),
    ),
    terraform=Framework(
        fix=STATEMENT_FIX_TERRAFORM,
        bad=("bad_effect",),
        good=("good_valid",),
    ),
    cloudformation=Framework(
        fix=STATEMENT_FIX_CLOUDFORMATION,
        bad=("BadEffect",),
        good=("GoodPolicy",),
    ),
)
