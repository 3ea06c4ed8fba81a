"""Templates for checks that are only a declaration: the check module says what is wrong
(predicate, message) and which checks outrank it; the template does the iteration, the
``unresolved`` handling and the precedence, so no two check modules repeat a body.

Statement checks (IAM020-IAM031) end their module with::

    statement_check("IAM026", "HIGH", IDENTITY, pass_role_on_all, QUESTION, MESSAGE,
                    outranked_by=("IAM020",))

Precedence is computed from the declarations: a statement that a check named in
``outranked_by`` *certainly* reports (its own predicate finds it and nothing outranks it
there) is skipped entirely, finding and ``unresolved`` alike: its answer could not change
what is reported. An undecided higher-ranked check skips nothing, so the lower-ranked one
still reports what it is sure of.

Credential checks (IAM013, IAM014) judge one user's login profiles and access keys.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from ..iam.graph import Graph, Node, UserCredentials, active_keys
from ..model.settings import Settings
from ..model.values import IDENTITY, PolicyDocument, Resource, Statement, Unknown
from .registry import Context, Kinds, Result, check, import_checks
from .statements import (
    ALL_POLICY_KINDS,
    IDENTITY_KINDS,
    NOTHING,
    TRUST_KINDS,
    PolicySource,
    Verdict,
    describe,
    judge_statements,
)

Predicate = Callable[[PolicyDocument, Statement], Verdict]
"""One statement's verdict for a check, within its (evaluation view of the) document."""
Message = Callable[[PolicySource, Verdict], str]
"""The finding's message for a statement the predicate certainly finds."""
Configured = Callable[[Settings | None], Predicate]
"""A predicate that depends on the scan's settings (IAM029's own accounts)."""


@dataclass(frozen=True)
class FromSettings:
    """Marks a statement check's predicate as made from the scan's settings:
    ``statement_check(..., FromSettings(make), ...)`` with ``make(settings) -> Predicate``."""

    make: Configured


@dataclass(frozen=True)
class StatementCheck:
    """A declared statement check: what precedence needs to ask it."""

    id: str
    predicate: Configured
    outranked_by: tuple[str, ...]


_DECLARED: dict[str, StatementCheck] = {}


def declared(check_id: str) -> StatementCheck:
    """The declaration of a statement check (declared when its module is imported)."""
    if check_id not in _DECLARED:
        import_checks()
    return _DECLARED[check_id]


def statement_check(
    id: str,
    severity: str,
    kinds: str | tuple[str, ...],
    predicate: Predicate | FromSettings,
    question: str,
    message: Message,
    *,
    outranked_by: Iterable[str] = (),
    about_grants: bool = False,
) -> None:
    """Declare (and register) a check that judges each statement of every policy of
    ``kinds`` (IDENTITY, TRUST or both). ``question`` completes "cannot tell whether
    <policy> ..." in ``unresolved`` entries. A predicate that depends on the settings comes
    as :class:`FromSettings`. ``about_grants``: the check judges what a policy allows, so a
    policy used only as a permissions boundary (which grants nothing) is not judged.

    Called from the check module itself, which therefore holds the docstring and examples."""
    configured = predicate.make if isinstance(predicate, FromSettings) else _constant(predicate)
    spec = StatementCheck(id, configured, tuple(outranked_by))
    judged = (kinds,) if isinstance(kinds, str) else kinds

    def run(resource: Resource, ctx: Context) -> Iterator[Result]:
        def judge(source: PolicySource, statement: Statement) -> Verdict:
            return verdict(spec, source.document, statement, ctx.settings)

        if about_grants and ctx.graph.only_a_boundary(ctx.graph.node(resource)):
            return

        for kind in judged:
            yield from judge_statements(resource, kind, judge, message, question)

    run.__module__ = sys._getframe(1).f_globals["__name__"]  # as enum and namedtuple do
    _DECLARED[id] = spec
    check(id, severity, **_resource_kinds(judged))(run)


def _constant(predicate: Predicate) -> Configured:
    return lambda _settings: predicate


def _resource_kinds(kinds: tuple[str, ...]) -> Kinds:
    if len(kinds) > 1:
        return ALL_POLICY_KINDS
    return IDENTITY_KINDS if kinds[0] == IDENTITY else TRUST_KINDS


def verdict(
    spec: StatementCheck,
    document: PolicyDocument,
    statement: Statement,
    settings: Settings | None = None,
) -> Verdict:
    """The check's predicate, with precedence applied."""
    found = spec.predicate(settings)(document, statement)
    if (found.hits or found.unknowns) and outranked(spec, document, statement, settings):
        return NOTHING
    return found


def outranked(
    spec: StatementCheck,
    document: PolicyDocument,
    statement: Statement,
    settings: Settings | None = None,
) -> bool:
    """Whether a check that outranks ``spec`` certainly reports the statement."""
    return any(
        verdict(declared(higher), document, statement, settings).found
        for higher in spec.outranked_by
    )


def describing(text: str) -> Message:
    """A message that is a fixed text naming the policy: ``{policy}`` is replaced."""
    return lambda source, _verdict: text.format(policy=describe(source))


# --- credential checks --------------------------------------------------------------------

CREDENTIAL_KINDS: Kinds = {
    "terraform": ["aws_iam_user", "aws_iam_access_key"],
    "cloudformation": ["AWS::IAM::User", "AWS::IAM::AccessKey"],
}


@dataclass(frozen=True)
class UserKeys:
    """One user's credentials as a credential check sees them."""

    entry: UserCredentials
    keys: list[Node]
    """Its active access keys."""
    undecided: list[tuple[Node, Unknown]]
    """Its keys whose status is unknown."""
    name: str
    """How messages name the user."""


CredentialJudge = Callable[[Resource, UserKeys], Iterator[Result]]


def credentials_check(id: str, severity: str) -> Callable[[CredentialJudge], CredentialJudge]:
    """Declare a check of each user's login profiles and access keys; decorates
    ``judge(resource, user)``. Findings land on the user, or, for a user the scan only names
    (a literal name, ``data "aws_iam_user"``), on its first active key."""

    def declare(judge: CredentialJudge) -> CredentialJudge:
        def run(resource: Resource, ctx: Context) -> Iterator[Result]:
            if resource.is_data:
                return  # a looked-up user: findings land on its first key
            graph: Graph = ctx.graph
            node = graph.node(resource)
            for entry in graph.credentials_reported_on(resource):
                keys, undecided = active_keys(entry)
                if entry.user is None and (keys[0] if keys else None) is not node:
                    continue
                name = entry.user.label if entry.user else str(entry.user_value)
                yield from judge(resource, UserKeys(entry, keys, undecided, name))

        run.__module__, run.__name__ = judge.__module__, judge.__name__
        check(id, severity, **CREDENTIAL_KINDS, needs_graph=True)(run)
        return judge

    return declare
