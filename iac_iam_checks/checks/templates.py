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
    evaluated,
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
        remembered = Remembered.of(ctx)

        def judge(source: PolicySource, statement: Statement) -> Verdict:
            return verdict(spec, source.document, statement, ctx.settings, remembered)

        if about_grants and ctx.graph.only_a_boundary(ctx.graph.node(resource)):
            return

        for kind in judged:
            yield from judge_statements(resource, kind, judge, message, question, remembered.view)

    run.__module__ = sys._getframe(1).f_globals["__name__"]  # as enum and namedtuple do
    _DECLARED[id] = spec
    check(id, severity, **_resource_kinds(judged))(run)


def _constant(predicate: Predicate) -> Configured:
    return lambda _settings: predicate


def _resource_kinds(kinds: tuple[str, ...]) -> Kinds:
    if len(kinds) > 1:
        return ALL_POLICY_KINDS
    return IDENTITY_KINDS if kinds[0] == IDENTITY else TRUST_KINDS


class Remembered:
    """A scan's statement verdicts by content. The instances of one module (every example
    root of a module repository calls it) hold equal documents; a verdict depends only on
    the check, the document and the statement (and the scan's settings, fixed per scan), so
    each is computed once per distinct document.

    The key is the ``repr`` of the document's evaluation view: every field of every
    statement, lines included, so only true copies share an answer. Views are made once per
    written document, which keeps them (and their keys) alive for the scan.
    """

    def __init__(self) -> None:
        self._views: dict[int, tuple[PolicySource, PolicySource]] = {}
        self._contents: dict[str, int] = {}
        """Each distinct document content (its ``repr``) once, numbered."""
        self._keys: dict[int, tuple[int, dict[int, int]]] = {}
        """Per view this memo made (kept alive in ``_views``): its content's number and each
        statement's position."""
        self._verdicts: dict[tuple[str, int, int], Verdict] = {}

    @classmethod
    def of(cls, ctx: Context) -> Remembered:
        found = ctx.shared.get(cls.__name__)
        if found is None:
            found = ctx.shared[cls.__name__] = cls()
        return found

    def view(self, written: PolicySource) -> PolicySource:
        """A written policy with its document's evaluation view, made once (the written
        source is kept, so its id is not reused while this memo lives)."""
        cached = self._views.get(id(written))
        if cached is None:
            cached = self._views[id(written)] = (written, evaluated(written))
            document = cached[1].document
            try:
                text = repr(document)
            except RecursionError:  # front ends bound nesting; should one not, judge as is
                return cached[1]
            positions = {id(s): i for i, s in enumerate(document.statements)}
            content = self._contents.setdefault(text, len(self._contents))
            self._keys[id(document)] = (content, positions)
        return cached[1]

    def answer(
        self, check_id: str, document: PolicyDocument, statement: Statement
    ) -> tuple[tuple[str, int, int] | None, Verdict | None]:
        """The key of a statement's verdict and the verdict if known; no key for documents
        this memo did not make (their lifetime is not ours to rely on)."""
        known = self._keys.get(id(document))
        position = known[1].get(id(statement)) if known else None
        if known is None or position is None:
            return None, None
        key = (check_id, known[0], position)
        return key, self._verdicts.get(key)

    def keep(self, key: tuple[str, int, int], found: Verdict) -> None:
        self._verdicts[key] = found


def verdict(
    spec: StatementCheck,
    document: PolicyDocument,
    statement: Statement,
    settings: Settings | None = None,
    remembered: Remembered | None = None,
) -> Verdict:
    """The check's predicate, with precedence applied (remembered across equal documents)."""
    key, known = remembered.answer(spec.id, document, statement) if remembered else (None, None)
    if known is not None:
        return known
    found = spec.predicate(settings)(document, statement)
    reportable = found.hits or found.unknowns
    if reportable and outranked(spec, document, statement, settings, remembered):
        found = NOTHING
    if key is not None and remembered is not None:
        remembered.keep(key, found)
    return found


def outranked(
    spec: StatementCheck,
    document: PolicyDocument,
    statement: Statement,
    settings: Settings | None = None,
    remembered: Remembered | None = None,
) -> bool:
    """Whether a check that outranks ``spec`` certainly reports the statement."""
    return any(
        verdict(declared(higher), document, statement, settings, remembered).found
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
