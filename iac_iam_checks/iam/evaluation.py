"""Evaluating normalized IAM statements the way IAM does, with unknowns kept explicit.

The least-privilege checks (IAM020-IAM030) ask questions such as "does this statement allow
``iam:PassRole`` on ``*``?" or "is this trust open to anyone?". Answering them wrongly is how
scanners fail: ``Deny`` read as ``Allow``, ``iam:Pass*`` not seen as PassRole, conditions
ignored, a variable treated as a pass. So every predicate here answers with a tri-state:

- ``True`` / ``False`` when the answer is certain;
- an :class:`Undecided` carrying the :class:`~iac_iam_checks.model.values.Unknown` values that hide
  the answer. Using it as a bool raises ``TypeError``: a check must turn it into an
  ``unresolved`` entry (``registry.Blocked``, one per unknown) instead of silently passing.

Functions that collect things (actions, account ids) return what is certain plus the unknowns
that could add more (:class:`Grant`, :class:`Partial`).

Matching rules: actions are matched case-insensitively, resources case-sensitively, both with
IAM's ``*`` and ``?``. A :class:`~iac_iam_checks.model.values.Template` counts by its known parts:
``iam:${var.x}`` may match ``iam:PassRole`` (undecided) but never ``s3:GetObject`` (False), and
``arn:${var.p}:iam::aws:policy/Admin`` matches ``arn:*:iam::aws:policy/Admin`` for any ``p``.
"Resource ``*``" means the literal ``*`` only.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, NamedTuple

from ..model.values import PolicyDocument, Statement, Template, Unknown, unknowns_in
from . import actions as action_db

# --- tri-state ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Undecided:
    """An answer that depends on values nobody could resolve (``unknowns``, in order seen)."""

    unknowns: tuple[Unknown, ...]

    def __bool__(self) -> bool:
        raise TypeError("Undecided has no truth value: test isinstance(result, Undecided)")


Tri = bool | Undecided
"""``True``, ``False`` or :class:`Undecided`."""


def _dedupe(unknowns: Iterable[Unknown]) -> tuple[Unknown, ...]:
    return tuple(dict.fromkeys(unknowns))


def undecided(*values: Any) -> Undecided:
    """An :class:`Undecided` blaming every Unknown inside ``values`` (Template holes too)."""
    return Undecided(_dedupe(u for value in values for u in unknowns_in(value)))


def any_of(results: Iterable[Tri]) -> Tri:
    """True if one result is True; else Undecided if one is; else False (short-circuits)."""
    pending: list[Unknown] = []
    for result in results:
        if result is True:
            return True
        if isinstance(result, Undecided):
            pending.extend(result.unknowns)
    return Undecided(_dedupe(pending)) if pending else False


def all_of(results: Iterable[Tri]) -> Tri:
    """False if one result is False; else Undecided if one is; else True (short-circuits)."""
    pending: list[Unknown] = []
    for result in results:
        if result is False:
            return False
        if isinstance(result, Undecided):
            pending.extend(result.unknowns)
    return Undecided(_dedupe(pending)) if pending else True


def negate(result: Tri) -> Tri:
    return result if isinstance(result, Undecided) else not result


@dataclass
class Partial:
    """Items known for sure plus the unknown values that could add more."""

    items: list[Any]
    unknowns: tuple[Unknown, ...] = ()


# --- wildcard matching --------------------------------------------------------------------

_STAR = "\0*"
_ONE = "\0?"
Text = str | Template | Unknown


@lru_cache(maxsize=4096)
def _tokens(value: Text, *, pattern: bool, fold: bool) -> tuple[str, ...]:
    """Characters as tokens; IAM wildcards (in patterns) and unknown holes become _STAR/_ONE."""
    parts = value.parts if isinstance(value, Template) else (value,)
    out: list[str] = []
    for part in parts:
        if isinstance(part, Unknown):
            out.append(_STAR)
            continue
        for char in part.lower() if fold else part:
            if pattern and char == "*":
                out.append(_STAR)
            elif pattern and char == "?":
                out.append(_ONE)
            else:
                out.append(char)
    return tuple(out)


@lru_cache(maxsize=4096)
def _intersects(pattern: tuple[str, ...], value: tuple[str, ...]) -> bool:
    """Whether some string matches both token sequences (holes and wildcards on both sides).
    Cached, as :func:`_covers`: a trust policy's templated condition key is compared with
    every restricting key, again for each statement and module instance that holds it."""

    def moves(i: int, j: int, a: str | None, b: str | None) -> list[tuple[int, int]]:
        out = []
        if a == _STAR:
            out += [(i + 1, j)] + ([(i, j + 1)] if b is not None else [])
        if b == _STAR:
            out += [(i, j + 1)] + ([(i + 1, j)] if a is not None else [])
        if a not in (None, _STAR) and b not in (None, _STAR) and (_ONE in (a, b) or a == b):
            out.append((i + 1, j + 1))
        return out

    return _both_end(pattern, value, moves)


@lru_cache(maxsize=4096)
def _covers(pattern: tuple[str, ...], value: tuple[str, ...]) -> bool:
    """Whether ``pattern`` matches every string ``value`` can become: a hole in the value may
    only be swallowed by a ``*`` of the pattern (sound, not complete)."""

    def moves(i: int, j: int, a: str | None, b: str | None) -> list[tuple[int, int]]:
        if a == _STAR:
            return [(i + 1, j)] + ([(i, j + 1)] if b is not None else [])
        if a is not None and b is not None and b != _STAR and (a in (_ONE, b)):
            return [(i + 1, j + 1)]
        return []

    return _both_end(pattern, value, moves)


def _both_end(
    pattern: tuple[str, ...],
    value: tuple[str, ...],
    moves: Callable[[int, int, str | None, str | None], list[tuple[int, int]]],
) -> bool:
    """Search over positions in both token sequences: can ``moves`` reach both ends?"""
    seen: set[tuple[int, int]] = set()
    todo = [(0, 0)]
    while todo:
        i, j = todo.pop()
        if (i, j) in seen:
            continue
        seen.add((i, j))
        a = pattern[i] if i < len(pattern) else None
        b = value[j] if j < len(value) else None
        if a is None and b is None:
            return True
        todo.extend(moves(i, j, a, b))
    return False


@lru_cache(maxsize=4096)
def _glob(pattern: str, fold: bool) -> action_db.Glob:
    return action_db.glob(pattern, ignore_case=fold)


def wildcard_match(pattern: Any, value: Any, *, ignore_case: bool) -> Tri:
    """Whether IAM pattern ``pattern`` matches ``value``; either may be a Template or Unknown.

    Certain only when nothing unknown is involved, or when the pattern is free of holes and
    matches whatever the value's holes hold (``*`` matches an Unknown; ``arn:*:iam::aws:x``
    matches ``arn:${var.p}:iam::aws:x``). Non-string values (malformed policies) never match.
    """
    if isinstance(pattern, str) and isinstance(value, str):
        if "*" not in pattern and "?" not in pattern and pattern.isascii() and value.isascii():
            return pattern.lower() == value.lower() if ignore_case else pattern == value
        return bool(_glob(pattern, ignore_case).fullmatch(value))
    if not isinstance(pattern, (str, Template, Unknown)):
        return False
    if not isinstance(value, (str, Template, Unknown)):
        return False
    p = _tokens(pattern, pattern=True, fold=ignore_case)
    v = _tokens(value, pattern=False, fold=ignore_case)
    if isinstance(pattern, str) and _covers(p, v):
        return True
    return undecided(pattern, value) if _intersects(p, v) else False


def pattern_covered(pattern: str, allowed: str) -> bool:
    """True when every action the glob ``pattern`` matches is matched by ``allowed``
    (case-insensitive; a ``*`` of ``pattern`` only fits under a ``*`` of ``allowed``)."""
    return _covers(
        _tokens(allowed, pattern=True, fold=True), _tokens(pattern, pattern=True, fold=True)
    )


def action_matches(pattern: Any, action: Any) -> Tri:
    """IAM action matching: case-insensitive, ``iam:Pass*`` and ``*:*`` included."""
    return wildcard_match(pattern, action, ignore_case=True)


def resource_matches(pattern: Any, resource: Any) -> Tri:
    """IAM resource (ARN) matching: case-sensitive."""
    return wildcard_match(pattern, resource, ignore_case=False)


def is_star(value: Any) -> Tri:
    """Whether a Resource/Principal entry is the literal ``*`` (the only thing that counts as
    "all resources"). A Template is undecided only if its holes could make it ``*``
    (``arn:aws:s3:::${var.b}/*`` cannot); an Unknown is undecided unless its front end knows
    it cannot be ``*`` (``Unknown.could_be``: another resource's ARN, a constrained parameter)."""
    if isinstance(value, str):
        return value == "*"
    if isinstance(value, (Template, Unknown)):
        could = value.could_equal("*") if isinstance(value, Template) else value.could_be("*")
        return undecided(value) if could else False
    return False


def _any_entry(entries: Any, test: Callable[[Any], Tri]) -> Tri:
    """``test`` over a statement field (None = absent, Unknown = whole field unknown)."""
    if entries is None:
        return False
    if isinstance(entries, Unknown):
        return undecided(entries)
    if not isinstance(entries, list):
        entries = [entries]
    return any_of(test(entry) for entry in entries)


# --- statements ---------------------------------------------------------------------------


def _effect_is(statement: Statement, wanted: str) -> Tri:
    effect = statement.effect
    if isinstance(effect, str):
        return effect == wanted
    if isinstance(effect, Template):
        return undecided(effect) if effect.could_equal(wanted) else False
    if isinstance(effect, Unknown):
        return undecided(effect)
    return False


def is_allow(statement: Statement) -> Tri:
    return _effect_is(statement, "Allow")


def is_deny(statement: Statement) -> Tri:
    return _effect_is(statement, "Deny")


def has_conditions(statement: Statement) -> bool:
    """Whether a ``Condition`` is present; an unresolved one counts as present."""
    return statement.conditions is not None and statement.conditions != {}


def covers_action(statement: Statement, action: str) -> Tri:
    """Whether ``action`` is inside the statement's Action (or outside its NotAction)."""
    if statement.actions is not None:
        return _any_entry(statement.actions, lambda p: action_matches(p, action))
    if statement.not_actions is not None:
        return negate(_any_entry(statement.not_actions, lambda p: action_matches(p, action)))
    return False


def covers_resource(
    statement: Statement, resource: str | None = "*", *, strict: bool = False
) -> Tri:
    """Whether the statement applies to ``resource``.

    ``resource="*"`` asks "on all resources": the literal ``*`` in ``Resource``; a
    ``NotResource`` also counts (it grants on everything but the listed ARNs) unless
    ``strict``, which a Deny needs to *fully* cancel an Allow. ``resource=None`` ignores
    resources (trust policies have none). A statement with neither field applies to nothing.
    """
    if resource is None:
        return True
    if statement.resources is not None:
        if resource == "*":
            return _any_entry(statement.resources, is_star)
        return _any_entry(statement.resources, lambda p: resource_matches(p, resource))
    if statement.not_resources is not None:
        if resource == "*":
            return False if strict else negate(_any_entry(statement.not_resources, is_star))
        return negate(_any_entry(statement.not_resources, lambda p: resource_matches(p, resource)))
    return False


def allows(statement: Statement, action: str, resource: str | None = "*") -> Tri:
    """Whether the statement is an Allow covering ``action`` on ``resource``; conditions are
    not considered here (see :func:`has_restricting_condition`)."""
    return all_of(
        test()
        for test in (
            lambda: is_allow(statement),
            lambda: covers_action(statement, action),
            lambda: covers_resource(statement, resource),
        )
    )


def cancels(deny: Statement, action: str, resource: str | None = "*") -> Tri:
    """Whether ``deny`` is an unconditional Deny of ``action`` on ``resource`` for every
    principal, so that no Allow of it in the same document has any effect. A conditional
    Deny never cancels: the condition may not hold."""
    applies = deny_applies(deny, resource)
    return applies if applies is False else all_of([applies, covers_action(deny, action)])


def deny_applies(deny: Statement, resource: str | None) -> Tri:
    """What :func:`cancels` asks apart from the action: an unconditional Deny, for every
    principal, of (at least) ``resource``."""
    if has_conditions(deny) or deny.not_principals is not None:
        return False
    return all_of(
        test()
        for test in (
            lambda: is_deny(deny),
            lambda: deny.principals is None or principal_is_anyone(deny),
            lambda: covers_resource(deny, resource, strict=True),
        )
    )


def allowed_after_denies(
    document: PolicyDocument, statement: Statement, action: str, resource: str | None = "*"
) -> Tri:
    """Whether ``statement`` allows ``action`` on ``resource`` and no unconditional Deny of the
    same document cancels it (an Allow that a Deny fully cancels is not a finding)."""
    granted = allows(statement, action, resource)
    if granted is False:
        return False
    cancelled = any_of(
        cancels(d, action, resource) for d in document.statements if d is not statement
    )
    return all_of([granted, negate(cancelled)])


def grants_all_actions(statement: Statement) -> Tri:
    """Whether ``Action`` holds ``*`` or ``*:*`` (IAM020), whatever the effect and resource."""

    def everything(pattern: Any) -> Tri:
        if isinstance(pattern, str):
            return re.fullmatch(r"\*+(:\*+)?", pattern) is not None
        if isinstance(pattern, Template):
            could = pattern.could_equal("*") or pattern.could_equal("*:*")
            return undecided(pattern) if could else False
        return undecided(pattern) if isinstance(pattern, Unknown) else False

    return _any_entry(statement.actions, everything)


def evaluation_view(document: PolicyDocument) -> PolicyDocument:
    """The document with every Resource/NotResource entry that references another resource
    (``aws_s3_bucket.b.arn``, ``!GetAtt Queue.Arn``) replaced by a placeholder ARN.

    Such a reference is a real resource's ARN, never the literal ``*``: left as an Unknown,
    every ``Resource = aws_s3_bucket.b.arn`` would leave "on all resources?" undecided and
    flood ``unresolved``. Statements keep their lines and raw text (for fingerprints).
    """
    if not any(_has_reference(s) for s in document.statements):
        return document
    statements = [
        dataclasses.replace(
            s, resources=_placeholders(s.resources), not_resources=_placeholders(s.not_resources)
        )
        if _has_reference(s)
        else s
        for s in document.statements
    ]
    return dataclasses.replace(document, statements=statements)


def _is_reference(value: Any) -> bool:
    return isinstance(value, Unknown) and value.ref is not None


def _has_reference(statement: Statement) -> bool:
    return any(
        _is_reference(field) or (isinstance(field, list) and any(map(_is_reference, field)))
        for field in (statement.resources, statement.not_resources)
    )


def _placeholders(field: Any) -> Any:
    """A whole field that is a reference (a list attribute) is a list of real ARNs too."""
    if _is_reference(field):
        field = [field]
    if not isinstance(field, list):
        return field
    return [f"arn:reference:{v.source}" if _is_reference(v) else v for v in field]


# --- action sets --------------------------------------------------------------------------


@dataclass
class Grant:
    """The actions one statement gives, from the action database.

    ``actions`` are certainly allowed (canonical names, sorted); ``possible`` might be,
    depending on ``unknowns``. A check reports ``actions`` and turns ``unknowns`` into
    ``unresolved`` entries when ``actions`` is empty but ``possible`` is not.
    """

    statement: Statement
    actions: list[str] = field(default_factory=list)
    possible: list[str] = field(default_factory=list)
    unknowns: tuple[Unknown, ...] = ()


def _pattern_regex(pattern: Template) -> tuple[re.Pattern[str], str | None]:
    """A lower-case regex for an action pattern with holes, plus its service when known."""
    tokens = _tokens(pattern, pattern=True, fold=True)
    text = "".join(".*" if t == _STAR else "." if t == _ONE else re.escape(t) for t in tokens)
    first = pattern.parts[0]
    service = None
    if isinstance(first, str) and ":" in first:
        service = first.split(":", 1)[0]
        if action_db.WILDCARD.search(service):
            service = None
    return re.compile(text, re.DOTALL), service


def _every_action() -> frozenset[str]:
    return action_db.every_action()


@lru_cache(maxsize=4096)
def _entry_matches(entry: str | Template | Unknown) -> tuple[frozenset[str], frozenset[str]]:
    """Known actions one Action/NotAction entry matches for sure / only if its holes allow.

    Cached per entry: the same ``iam:*`` or ``s3:Get*`` recurs in every policy of a repository,
    and expanding one against the whole database is the costly part of an evaluation.
    """
    if isinstance(entry, str):
        return frozenset(action_db.expand(entry)), frozenset()
    if isinstance(entry, Template):
        return frozenset(), frozenset(action_db.expand_regex(*_pattern_regex(entry)))
    return frozenset(), _every_action()


def possible_actions(entry: str | Template | Unknown) -> frozenset[str]:
    """Every known action an Action entry matches, or may match once its holes are known
    (IAM031: an entry for which this is empty names no known action whatever it holds)."""
    certain, possible = _entry_matches(entry)
    return certain | possible


@dataclass(frozen=True)
class _Coverage:
    """The known actions a statement's Action (or NotAction) covers: ``certain`` for sure,
    ``possible`` depending on unknown entries, each listed in ``holes`` with what it may
    match."""

    certain: frozenset[str]
    possible: frozenset[str]
    holes: tuple[tuple[Any, frozenset[str]], ...] = ()

    def blame(self, actions: set[str] | frozenset[str]) -> list[Unknown]:
        """The unknowns that could decide whether ``actions`` are covered."""
        return [u for entry, may in self.holes if may & actions for u in unknowns_in(entry)]


def _coverage(statement: Statement) -> _Coverage:
    """Set form of :func:`covers_action` over the whole database (same verdict per action)."""
    negated = statement.actions is None
    field = statement.not_actions if negated else statement.actions
    if field is None:
        return _Coverage(frozenset(), frozenset())
    if isinstance(field, Unknown):
        return _Coverage(frozenset(), _every_action(), ((field, _every_action()),))
    entries = field if isinstance(field, list) else [field]
    return _entries_coverage(
        tuple(e for e in entries if isinstance(e, (str, Template, Unknown))), negated
    )


@lru_cache(maxsize=128)
def _entries_coverage(entries: tuple[str | Template | Unknown, ...], negated: bool) -> _Coverage:
    """Cached, but not many: a NotAction's coverage is most of the database (about 1 MB)."""
    matched: set[str] = set()
    unsure: set[str] = set()
    holes = []
    for entry in entries:
        sure, may = _entry_matches(entry)
        matched |= sure
        if may:
            unsure |= may
            holes.append((entry, may))
    unsure -= matched
    if negated:
        return _Coverage(_every_action() - matched - unsure, frozenset(unsure), tuple(holes))
    return _Coverage(frozenset(matched), frozenset(unsure), tuple(holes))


def action_sets(statement: Statement) -> tuple[frozenset[str], frozenset[str]]:
    """The known actions a statement's Action (or NotAction) names for sure, and those it
    names only if its unknown entries allow (the set form of :func:`covers_action`)."""
    coverage = _coverage(statement)
    return coverage.certain, coverage.possible


@lru_cache(maxsize=16)
def _canonical(actions: frozenset[str] | tuple[str, ...]) -> frozenset[str]:
    """``among`` in the database's spelling (``iam:passrole`` -> ``iam:PassRole``)."""
    return action_db.canonical_names(actions)


class _Canceller(NamedTuple):
    """A Deny that may cancel Allows, with its action-independent verdict precomputed."""

    deny: Statement
    applies: Tri
    coverage: _Coverage

    def cancels(self, action: str) -> Tri:
        if action in self.coverage.certain:
            return self.applies
        if action in self.coverage.possible:
            return all_of([self.applies, covers_action(self.deny, action)])
        return False


def _cancellers(
    document: PolicyDocument, statement: Statement, resource: str | None
) -> list[_Canceller]:
    """The document's other statements that may be unconditional Denies of ``resource``
    (see :func:`cancels`), each ready to answer per action."""
    others = (d for d in document.statements if d is not statement)
    appliers = ((deny, deny_applies(deny, resource)) for deny in others)
    return [_Canceller(d, applies, _coverage(d)) for d, applies in appliers if applies is not False]


def allowed_actions(
    document: PolicyDocument,
    statement: Statement,
    resource: str | None = "*",
    among: Iterable[str] | None = None,
) -> Grant:
    """Known actions ``statement`` allows on ``resource`` after the document's Denies.

    ``among`` limits the answer to some actions (case-insensitive), which keeps it fast.
    Honours NotAction (an Allow with NotAction allows every other known action) and
    NotResource. Conditions are not considered. Works on sets of action names (each entry
    expanded once, cached), so an Allow with NotAction costs no more than one with Action.
    """
    grant = Grant(statement)
    scope = all_of([is_allow(statement), covers_resource(statement, resource)])
    if scope is False:
        return grant
    coverage = _coverage(statement)
    # Never copied whole: ``*`` covers every known action, and IAM023 asks once a statement.
    certain, possible = coverage.certain, coverage.possible
    if among is not None:
        wanted = _canonical(among if isinstance(among, (frozenset, tuple)) else tuple(among))
        certain = certain & wanted
        possible = possible & wanted
    blamed = coverage.blame(possible)
    if isinstance(scope, Undecided):
        possible = possible | certain
        certain = frozenset()
        blamed = [*scope.unknowns, *blamed]
    cancellers = _cancellers(document, statement, resource)
    denied = set().union(*(c.coverage.certain for c in cancellers if c.applies is True))
    maybe_denied = set().union(
        *(c.coverage.possible for c in cancellers),
        *(c.coverage.certain for c in cancellers if c.applies is not True),
    )
    remaining = set(certain)
    remaining |= possible
    remaining -= denied
    undecided_actions = set()
    for action in sorted(remaining & maybe_denied):
        cancelled = any_of(c.cancels(action) for c in cancellers)
        if cancelled is True:
            remaining.discard(action)
        elif isinstance(cancelled, Undecided):
            undecided_actions.add(action)
            blamed.extend(cancelled.unknowns)
    grant.actions = sorted((remaining - undecided_actions) & certain)
    grant.possible = sorted(remaining - set(grant.actions))
    if grant.possible:
        grant.unknowns = _dedupe(blamed)
    return grant


WRITE_ACCESS_LEVELS = ("Write", "Permissions management", "Tagging")


@lru_cache(maxsize=1)
def _resource_level_writes() -> frozenset[str]:
    return frozenset(action_db.with_access_levels(WRITE_ACCESS_LEVELS, resource_level=True))


def write_actions_on_all_resources(document: PolicyDocument, statement: Statement) -> Grant:
    """IAM023's question for one statement: the Write / Permissions management / Tagging
    actions that support resource-level permissions and that it allows on the literal ``*``
    after Denies. Actions that only accept ``*`` (``s3:ListAllMyBuckets``,
    ``logs:CreateLogDelivery``) are left out: ``*`` is their only possible resource. One
    Grant per statement, so the check reports one finding per statement, not per action.
    Restricting conditions are the caller's (:func:`has_restricting_condition`)."""
    return allowed_actions(document, statement, "*", among=_resource_level_writes())


# --- privilege escalation (IAM024) --------------------------------------------------------

ESCALATION_ACTIONS = (
    "iam:CreatePolicyVersion",
    "iam:SetDefaultPolicyVersion",
    "iam:CreateAccessKey",
    "iam:CreateLoginProfile",
    "iam:UpdateLoginProfile",
    "iam:AttachUserPolicy",
    "iam:AttachGroupPolicy",
    "iam:AttachRolePolicy",
    "iam:PutUserPolicy",
    "iam:PutGroupPolicy",
    "iam:PutRolePolicy",
    "iam:AddUserToGroup",
    "iam:UpdateAssumeRolePolicy",
    "lambda:UpdateFunctionCode",
    "glue:UpdateDevEndpoint",
)
"""Each one alone lets a principal raise its own privileges."""

PASS_ROLE = "iam:PassRole"
PASS_ROLE_TARGETS = (
    "ec2:RunInstances",
    "lambda:CreateFunction",
    "cloudformation:CreateStack",
    "glue:CreateDevEndpoint",
    "datapipeline:CreatePipeline",
    "sagemaker:CreateNotebookInstance",
    "ecs:RunTask",
)
"""With ``iam:PassRole`` on ``*``, each one runs code as any role of the account."""


def privilege_escalations(document: PolicyDocument) -> list[Grant]:
    """IAM024 over one document: per Allow statement, the escalation actions it allows on
    ``*`` after Denies; one Grant per statement that has some (``actions``) or might
    (``unknowns``), in document order.

    A PassRole combination is one problem, so it is charged to the statement that allows
    ``iam:PassRole``, listing ``iam:PassRole`` then the companion actions allowed anywhere in
    the document; a statement allowing only a companion is not charged with it.
    """
    everything = (*ESCALATION_ACTIONS, PASS_ROLE, *PASS_ROLE_TARGETS)
    grants = [allowed_actions(document, s, "*", among=everything) for s in document.statements]
    targets = sorted({a for g in grants for a in g.actions if a in PASS_ROLE_TARGETS})
    maybe_targets = [g for g in grants if set(g.possible) & set(PASS_ROLE_TARGETS)]
    results = []
    for grant in grants:
        found = [a for a in grant.actions if a in ESCALATION_ACTIONS]
        possible = [a for a in grant.possible if a in ESCALATION_ACTIONS]
        blamed: list[Unknown] = []
        if PASS_ROLE in grant.actions and targets:
            found += [PASS_ROLE, *targets]
        elif PASS_ROLE in grant.actions and maybe_targets:
            possible.append(PASS_ROLE)
            blamed += [u for g in maybe_targets for u in g.unknowns]
        elif PASS_ROLE in grant.possible and (targets or maybe_targets):
            possible.append(PASS_ROLE)
        if possible:
            blamed = [*grant.unknowns, *blamed]
        if found or possible:
            results.append(Grant(grant.statement, found, possible, _dedupe(blamed)))
    return results


# --- conditions ---------------------------------------------------------------------------

RESTRICTING_OPERATORS = ("StringEquals", "StringLike", "ArnEquals", "ArnLike", "IpAddress", "Bool")
RESTRICTING_KEYS = (
    "aws:SourceArn",
    "aws:SourceAccount",
    "aws:SourceOwner",
    "aws:PrincipalOrgID",
    "aws:PrincipalOrgPaths",
    "aws:PrincipalArn",
    "aws:PrincipalAccount",
    "sts:ExternalId",
    "aws:MultiFactorAuthPresent",
    "aws:SourceIp",
    "aws:SourceVpc",
    "aws:SourceVpce",
)
RESTRICTING_KEY_PREFIXES = ("aws:ResourceTag/", "aws:RequestTag/", "aws:PrincipalTag/")
OPEN_NETWORKS = ("0.0.0.0/0", "::/0")
_OPERATORS = {op.lower() for op in RESTRICTING_OPERATORS}
_KEYS = {key.lower() for key in RESTRICTING_KEYS}
_PREFIXES = tuple(p.lower() for p in RESTRICTING_KEY_PREFIXES)


def _as_list(values: Any) -> list[Any]:
    return values if isinstance(values, list) else [values]


def condition_restricts(operator: Any, key: Any, values: Any) -> Tri:
    """Whether one condition narrows who or what the statement applies to (the spec's list).

    A positive operator (``ForAnyValue:`` allowed; ``...IfExists``, ``ForAllValues:`` and
    negated operators are not: they hold when the key is absent or for everything else) on
    one of the listed keys, whose values are none of them match-all: ``*``, and for
    ``IpAddress`` ``0.0.0.0/0``/``::/0``. ``Bool`` restricts only ``aws:MultiFactorAuthPresent``
    = ``true``. Unknown values: under ``...Equals`` any value is one fixed string, so they
    restrict; under ``...Like`` they restrict when they can never be ``*`` (a name, an ARN, a
    parameter whose ``AllowedPattern`` or ``AllowedValues`` exclude it), else undecided.
    """
    if isinstance(operator, (Unknown, Template)):
        return undecided(operator, key)
    if isinstance(key, (Unknown, Template)):
        could = any_of(
            condition_key_matches(name, key)
            for name in (*RESTRICTING_KEYS, *(p + "*" for p in RESTRICTING_KEY_PREFIXES))
        )
        return False if could is False else undecided(operator, key)
    if not isinstance(operator, str) or not isinstance(key, str):
        return False
    base = operator[len("ForAnyValue:") :] if operator.startswith("ForAnyValue:") else operator
    key_lower = key.lower()
    if base.lower() not in _OPERATORS:
        return False
    if key_lower not in _KEYS and not key_lower.startswith(_PREFIXES):
        return False
    entries = _as_list(values)
    if not entries:
        return False
    if base.lower() == "bool":
        if key_lower != "aws:multifactorauthpresent":
            return False
        return all_of(_is_true(v) for v in entries)
    match_all = ("*", *OPEN_NETWORKS) if base.lower() == "ipaddress" else ("*",)
    is_like = base.lower().endswith("like")
    return all_of(_value_restricts(v, match_all, is_like) for v in entries)


def _is_true(value: Any) -> Tri:
    if isinstance(value, (Unknown, Template)):
        return undecided(value)
    return str(value).lower() == "true"


def _value_restricts(value: Any, match_all: tuple[str, ...], is_like: bool) -> Tri:
    if isinstance(value, Unknown):
        could_be_stars = is_like and not _names_one_thing(value) and value.could_be_all_stars()
        return undecided(value) if could_be_stars else True
    if isinstance(value, Template):
        return undecided(value) if any(value.could_equal(m) for m in match_all) else True
    text = str(value)
    if is_like and text and set(text) == {"*"}:
        return False
    return text not in match_all


def has_restricting_condition(statement: Statement) -> Tri:
    """Whether any condition of the statement restricts it (IAM023, IAM028, IAM029)."""
    conditions = statement.conditions
    if not conditions:
        return False
    if isinstance(conditions, (Unknown, Template)):
        return undecided(conditions)
    if not isinstance(conditions, dict):
        return False

    def per_operator(operator: Any, keys: Any) -> Tri:
        if isinstance(keys, (Unknown, Template)):
            return undecided(keys)
        if not isinstance(keys, dict):
            return False
        return any_of(condition_restricts(operator, k, v) for k, v in keys.items())

    return any_of(per_operator(op, keys) for op, keys in conditions.items())


def _names_one_thing(value: Unknown) -> bool:
    """An unknown that is never a wildcard: one its front end marked so, another resource's
    attribute (an ARN, an id), or a pseudo parameter such as ``AWS::AccountId`` /
    ``data.aws_caller_identity``."""
    return (
        value.never_wildcard
        or value.ref is not None
        or value.source.startswith("AWS::")
        or is_own_account_marker(value)
    )


def condition_key_matches(pattern: str, name: Any) -> Tri:
    """Whether a condition key as written (``name``: a string, a Template such as
    ``"${local.provider}:sub"``, or Unknown) is ``pattern`` (case-insensitive, IAM wildcards
    in ``pattern``). An unknown part of the name makes the answer undecided, never False,
    unless its known parts rule the match out."""
    return wildcard_match(pattern, name, ignore_case=True)


class ConditionValue(NamedTuple):
    operator: str
    key: str
    value: str | Template


def condition_values(statement: Statement, key: str) -> Partial:
    """Every (operator, key, value) of the statement whose key matches ``key`` (an IAM
    pattern, case-insensitive: ``token.actions.githubusercontent.com:sub``, ``*:aud``)."""
    found = Partial([])
    conditions = statement.conditions
    if isinstance(conditions, (Unknown, Template)):
        found.unknowns = undecided(conditions).unknowns
        return found
    blamed: list[Unknown] = []
    for operator, keys in (conditions or {}).items():
        if isinstance(keys, (Unknown, Template)):
            blamed.extend(unknowns_in(keys))
            continue
        for name, values in (keys or {}).items():
            same = condition_key_matches(key, name)
            if isinstance(same, Undecided):
                blamed.extend(same.unknowns)
            if same is not True:
                continue
            for value in _as_list(values):
                if isinstance(value, Unknown):
                    blamed.append(value)
                else:
                    found.items.append(ConditionValue(operator, name, value))
    found.unknowns = _dedupe(blamed)
    return found


def is_positive_operator(operator: str) -> bool:
    """Operators that need a matching value to hold (not ``...Not...``, ``...IfExists``,
    ``ForAllValues:`` or ``Null``), i.e. the ones that can limit who gets in."""
    lowered = operator.lower()
    return not (
        "not" in lowered.replace("forallvalues:", "").replace("foranyvalue:", "")
        or lowered.endswith("ifexists")
        or lowered.startswith("forallvalues:")
        or lowered == "null"
    )


# --- principals (trust policies) ----------------------------------------------------------


def _principal_values(statement: Statement, kind: str) -> Any:
    """The values of one principal type (``AWS``, ``Federated``...), case-insensitive."""
    principals = statement.principals
    if not isinstance(principals, dict):
        return principals
    for name, values in principals.items():
        if isinstance(name, str) and name.lower() == kind.lower():
            return values
    return None


def principal_is_anyone(statement: Statement) -> Tri:
    """Whether the statement's principal is everybody: ``"*"``, ``{"AWS": "*"}``, or a
    ``NotPrincipal`` (which names everyone but the listed principals)."""
    if statement.not_principals is not None:
        return True
    principals = statement.principals
    if isinstance(principals, (Unknown, Template)):
        return undecided(principals)
    if principals == "*" or principals == ["*"]:
        return True
    if isinstance(principals, dict) and "*" in principals:
        return True
    aws = _principal_values(statement, "AWS")
    if isinstance(aws, Unknown):
        return _principal_is_star(aws)
    return _any_entry(aws, _principal_is_star)


def _principal_is_star(value: Any) -> Tri:
    """Like ``is_star``, but another resource's ARN (``!GetAtt Caller.Arn``) or the account's
    own id (``!Ref AWS::AccountId``) names one principal, never everybody."""
    if isinstance(value, Unknown) and _names_one_thing(value):
        return False
    return is_star(value)


ACCOUNT_ID = re.compile(r"(?<![0-9])[0-9]{12}(?![0-9])")
OWN_ACCOUNT_SOURCES = ("data.aws_caller_identity.",)
OWN_ACCOUNT_PSEUDO = "AWS::AccountId"


def is_own_account_marker(value: Any) -> bool:
    """Whether an Unknown (or a Template hole) stands for the scanning account itself:
    ``data.aws_caller_identity.<n>.*`` in Terraform, ``AWS::AccountId`` in CloudFormation."""
    if isinstance(value, Template):
        return any(is_own_account_marker(u) for u in value.unknowns)
    return isinstance(value, Unknown) and (
        value.source.startswith(OWN_ACCOUNT_SOURCES) or value.source == OWN_ACCOUNT_PSEUDO
    )


def account_of(principal: Any) -> str | None:
    """The literal 12-digit account id in an AWS principal (``123456789012``, any ARN such as
    ``arn:aws:iam::123456789012:root``), or None. Template holes are not looked into."""
    parts = principal.parts if isinstance(principal, Template) else (principal,)
    for part in parts:
        if isinstance(part, str):
            match = ACCOUNT_ID.search(part)
            if match:
                return match.group()
    return None


def foreign_accounts(statement: Statement, own_account_ids: Iterable[str] = ()) -> Partial:
    """IAM029: literal account ids trusted by the statement's ``AWS`` principals other than
    the own account (``own_account_ids``, ``data.aws_caller_identity``, ``AWS::AccountId``).

    A reference to a resource of the scan (``aws_iam_role.r.arn``, ``!GetAtt R.Arn``) lives
    in the own account; any other unresolved principal goes to ``unknowns``. ``*`` is left to
    :func:`principal_is_anyone`.
    """
    own = set(own_account_ids)
    values = _principal_values(statement, "AWS")
    found = Partial([])
    if values is None:
        return found
    if isinstance(values, (Unknown, Template)):
        values = [values]
    blamed: list[Unknown] = []
    for value in _as_list(values):
        if value == "*" or is_own_account_marker(value):
            continue
        if isinstance(value, Unknown):
            if value.ref is None:
                blamed.append(value)
            continue
        account = account_of(value)
        if account is None:
            if isinstance(value, Template):
                blamed.extend(value.unknowns)
        elif account not in own and account not in found.items:
            found.items.append(account)
    found.unknowns = _dedupe(blamed)
    return found


def web_identity_providers(statement: Statement) -> Partial:
    """IAM030: the OIDC providers a web-identity trust names, as the host used in condition
    keys (``arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com`` ->
    ``token.actions.githubusercontent.com``; ``cognito-identity.amazonaws.com`` as is). SAML
    providers are skipped. A provider ARN known only by reference goes to ``unknowns``."""
    values = _principal_values(statement, "Federated")
    found = Partial([])
    if values is None:
        return found
    if isinstance(values, (Unknown, Template)) and not _provider_host(values):
        found.unknowns = undecided(values).unknowns
        return found
    blamed: list[Unknown] = []
    for value in _as_list(values):
        host = _provider_host(value)
        if host:
            if host not in found.items:
                found.items.append(host)
        elif isinstance(value, (Unknown, Template)):
            blamed.extend(unknowns_in(value))
    found.unknowns = _dedupe(blamed)
    return found


def _provider_host(value: Any) -> str | None:
    text = value.suffix if isinstance(value, Template) else value
    if not isinstance(text, str) or ":saml-provider/" in text:
        return None
    if "oidc-provider/" in text:
        return text.split("oidc-provider/", 1)[1] or None
    if isinstance(value, str) and not text.startswith("arn:"):
        return text
    return None


def subject_is_wildcard_only(value: Any) -> Tri:
    """IAM030: whether a ``:sub`` value lets in any subject: only ``*``, or a GitHub subject
    whose owner or repository is a wildcard (``repo:org/*``, ``repo:*``). A hole that could
    make it so is undecided (``repo:org/${var.repo}``)."""
    if isinstance(value, Unknown):
        return False if value.never_wildcard else undecided(value)
    if isinstance(value, Template):
        if _broad_subject(_fill(value, "x")):
            return True
        return undecided(value) if _broad_subject(_fill(value, "*")) else False
    return _broad_subject(str(value))


def _fill(value: Template, text: str) -> str:
    """The template with every hole replaced by ``text``; a hole that is never a wildcard
    gets a plain name instead."""
    return "".join(
        (("x" if p.never_wildcard else text) if isinstance(p, Unknown) else p) for p in value.parts
    )


def _broad_subject(text: str) -> bool:
    if set(text) <= {"*"}:
        return True
    if not text.lower().startswith("repo:"):
        return False
    owner, slash, rest = text[len("repo:") :].partition("/")
    repository = rest.split(":", 1)[0]
    return not slash or bool(action_db.WILDCARD.search(owner + "/" + repository))
