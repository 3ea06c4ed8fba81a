"""Web-identity trust without audience and subject limits.

Why: `sts:AssumeRoleWithWebIdentity` trusts tokens that an identity provider issues to many
parties. Without a condition on the token's audience (`:aud`) and a specific subject (`:sub`),
any workload that provider serves can assume the role: with GitHub Actions, any repository of
any owner (or, with `repo:org/*`, every repository of the organisation, forks' pull requests
and every branch included).
Fix: Add `StringEquals <provider>:aud` (`sts.amazonaws.com` for GitHub) and a `:sub` naming the
repository and branch or environment (`repo:org/app:ref:refs/heads/main`,
`repo:org/app:environment:prod`). Cognito identity pools, Login with Amazon and Facebook
identify the application by audience (`:aud`, `:app_id`) and need no subject. When the
provider is only a reference, the provider named in the condition keys is checked.
References: CIS AWS Foundations Benchmark v5.0.0: none; checkov CKV_AWS_358; trivy: none
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..iam.evaluation import (
    Tri,
    Undecided,
    all_of,
    any_of,
    condition_key_matches,
    condition_values,
    is_positive_operator,
    negate,
    subject_is_wildcard_only,
    undecided,
    web_identity_providers,
)
from ..model.values import TRUST, PolicyDocument, Statement, Template, Unknown
from .pages import Framework, Page, guide
from .statements import NOTHING, PolicySource, Verdict, assumes_role, describe, unknowns_of
from .templates import statement_check

WEB_IDENTITY = "sts:AssumeRoleWithWebIdentity"
AUDIENCE_ONLY = {
    "cognito-identity.amazonaws.com": "aud",
    "graph.facebook.com": "app_id",
    "www.amazon.com": "app_id",
}
"""Providers whose audience (the identity pool or app) is the limit; any other provider needs
``:aud`` and a specific ``:sub``."""
LIMIT_KEYS = ("aud", "sub", "app_id")


def _judge(document: PolicyDocument, statement: Statement) -> Verdict:
    assumed = assumes_role(document, statement, (WEB_IDENTITY,))
    if assumed is False:
        return NOTHING
    providers = web_identity_providers(statement)
    hosts = list(providers.items)
    if providers.unknowns and not hosts:
        hosts = _hosts_in_conditions(statement)
        if not hosts:
            hidden = _hidden_limits(statement)
            if hidden:
                return Verdict((), unknowns_of(assumed) + hidden)
            return _certain(assumed, ("no condition on the token's audience or subject",))
    problems: list[str] = []
    pending: list[Unknown] = []
    for host in hosts:
        verdict = _host_problems(statement, host)
        if isinstance(verdict, Undecided):
            pending.extend(verdict.unknowns)
        elif verdict:
            problems.extend(verdict)
        elif providers.unknowns and not providers.items:
            return NOTHING
    if providers.items and providers.unknowns:
        pending.extend(providers.unknowns)
    if pending and not problems:
        return Verdict((), unknowns_of(assumed) + tuple(pending))
    return _certain(assumed, tuple(problems))


def _certain(assumed: Tri, problems: tuple[str, ...]) -> Verdict:
    if not problems:
        return NOTHING
    if isinstance(assumed, Undecided):
        return Verdict((), assumed.unknowns)
    return Verdict(problems)


def _hosts_in_conditions(statement: Statement) -> list[str]:
    """Providers named by ``<host>:aud``-style condition keys (the provider ARN is unknown)."""
    hosts: list[str] = []
    conditions = statement.conditions if isinstance(statement.conditions, dict) else {}
    for keys in conditions.values():
        for name in keys if isinstance(keys, dict) else {}:
            if not isinstance(name, str):
                continue
            host, _, key = name.rpartition(":")
            if host and key.lower() in LIMIT_KEYS and host not in hosts:
                hosts.append(host)
    return hosts


def _hidden_limits(statement: Statement) -> tuple[Unknown, ...]:
    """The unknowns of conditions that may be the audience or subject limit of a provider
    nobody can name: a whole Condition, an operator's keys, or a key such as
    ``"${replace(var.oidc_provider_arn, ...)}:sub"``. The condition is there; only its
    name is unknown, so the verdict is too."""
    conditions = statement.conditions
    if isinstance(conditions, (Unknown, Template)):
        return undecided(conditions).unknowns
    found: list[Unknown] = []
    for operator, keys in conditions.items() if isinstance(conditions, dict) else ():
        if isinstance(keys, (Unknown, Template)):
            found.extend(undecided(keys).unknowns)
            continue
        for name in keys if isinstance(keys, dict) and _limits(operator) is not False else {}:
            if isinstance(name, str):
                continue
            could = any_of(condition_key_matches(f"*:{key}", name) for key in LIMIT_KEYS)
            if could is not False:
                found.extend(undecided(operator, name).unknowns)
    return tuple(dict.fromkeys(found))


def _host_problems(statement: Statement, host: str) -> list[str] | Undecided:
    """What is missing for one provider: an audience limit and (for most) a subject limit."""
    audience_key = f"{host}:{AUDIENCE_ONLY.get(host, 'aud')}"
    checks: list[tuple[str, Tri]] = [
        (f"no condition limiting {audience_key}", _limited(statement, audience_key, _only_stars))
    ]
    if host not in AUDIENCE_ONLY:
        subject_key = f"{host}:sub"
        subject = _limited(statement, subject_key, subject_is_wildcard_only)
        written = [str(v.value) for v in condition_values(statement, subject_key).items]
        missing = (
            f"{subject_key} allowing any subject ({', '.join(written)})"
            if written
            else f"no condition limiting {subject_key}"
        )
        checks.append((missing, subject))
    problems = [problem for problem, ok in checks if ok is False]
    pending = unknowns_of(*(ok for _, ok in checks))
    if pending and not problems:
        return Undecided(pending)
    return problems


def _limited(statement: Statement, key: str, too_broad: Callable[[Any], Tri]) -> Tri:
    """Whether a positive condition on ``key`` holds only for values none of which is too
    broad. Conditions under different operators must all hold, so one limiting is enough."""
    conditions = statement.conditions
    if conditions is None:
        return False
    if isinstance(conditions, (Unknown, Template)):
        return undecided(conditions)
    results: list[Tri] = []
    for operator, keys in conditions.items() if isinstance(conditions, dict) else ():
        if isinstance(keys, (Unknown, Template)):
            results.append(undecided(keys))
            continue
        positive = _limits(operator)
        if not isinstance(keys, dict) or positive is False:
            continue
        for name, values in keys.items():
            same = condition_key_matches(key, name)
            if same is False:
                continue
            if isinstance(values, Unknown):
                limited: Tri = undecided(values)
            else:
                entries = values if isinstance(values, list) else [values]
                limited = all_of([bool(entries), *(negate(too_broad(v)) for v in entries)])
            results.append(all_of([positive, same, limited]))
    return any_of(results)


def _limits(operator: Any) -> Tri:
    """A positive operator; ``ForAllValues:`` too, because the claims checked here (``aud``,
    ``sub``, ``app_id``) are always in the token, so "every value matches" cannot pass on an
    absent key (the trap ``ForAllValues`` sets for optional, multi-valued keys). An operator
    that is not known (``test = var.test``) may be one."""
    if not isinstance(operator, str):
        blocked = undecided(operator)
        return blocked if blocked.unknowns else False
    lowered = operator.lower()
    if lowered.startswith("forallvalues:"):
        return is_positive_operator(operator[len("forallvalues:") :])
    return is_positive_operator(operator)


def _only_stars(value: Any) -> Tri:
    if isinstance(value, Unknown):
        return False if value.never_wildcard else undecided(value)
    if isinstance(value, Template):
        if any(isinstance(p, Unknown) and p.never_wildcard for p in value.parts):
            return False
        filled = "".join("*" if isinstance(p, Unknown) else p for p in value.parts)
        return undecided(value) if set(filled) <= {"*"} else False
    return set(str(value)) <= {"*"}


def _message(source: PolicySource, verdict: Verdict) -> str:
    return (
        f"{describe(source)} trusts web identities (sts:AssumeRoleWithWebIdentity) with "
        f"{'; '.join(verdict.hits)}"
    )


statement_check(
    "IAM030",
    "HIGH",
    TRUST,
    _judge,
    "limits the audience and subject of the web identities it trusts",
    _message,
)


PAGE = Page(
    checks=(
        "Trust statements that allow `sts:AssumeRoleWithWebIdentity` for an OIDC provider "
        "without a condition on the token's audience (`<provider>:aud`) and on a subject "
        "(`<provider>:sub`) that is more than a wildcard (for GitHub, `*` and `repo:org/*` "
        "fail). Cognito identity pools, Login with Amazon and Facebook are judged on their "
        "audience alone."
    ),
    links=(
        guide("id_roles_create_for-idp_oidc.html", "Create a role for OpenID Connect federation"),
        guide(
            "id_roles_providers_create_oidc.html",
            "Create an OpenID Connect (OIDC) identity provider in IAM",
        ),
        guide(
            "reference_policies_iam-condition-keys.html", "IAM and AWS STS condition context keys"
        ),
    ),
    terraform=Framework(
        fix=(
            "Add `condition` blocks with `StringEquals` on "
            "`token.actions.githubusercontent.com:aud` (`sts.amazonaws.com`) and on `...:sub` "
            "naming the repository and branch or environment."
        ),
        bad=("bad_org_wildcard",),
        good=("good_main_branch",),
    ),
    cloudformation=Framework(
        fix=(
            "Add `StringEquals` entries for `token.actions.githubusercontent.com:aud` and "
            "`...:sub` to the statement's `Condition`."
        ),
        bad=("BadOrgWildcard",),
        good=("GoodMainBranch",),
    ),
)
