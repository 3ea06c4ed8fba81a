"""Effective permissions: what each user, group and role can do, all policies together.

IAM decides a request by looking at every identity policy reaching the principal at once:
an explicit Deny anywhere wins, an Allow is needed somewhere, and a permissions boundary, when
set, must allow the action too. Checks look at one document at a time; this module answers
for the principal, from the identity graph (:mod:`.graph`), the evaluator (:mod:`.evaluation`)
and the action database (:mod:`.actions`). It knows no output format: ``engine.access`` runs
it and ``report.access`` renders it.

Per principal:

- ``groups``: :class:`GrantGroup` s, each a set of concrete actions (wildcards and NotAction
  expanded through the action database) that share one row: the same decision, resources,
  conditions and sources. An administrator holds about 20,000 actions in a handful of groups;
  ``grants`` expands them to one :class:`GrantRow` per action only when asked. ``decision``
  is ``deny`` when unconditional Denies cancel it on every resource the Allows name,
  ``unknown`` when an unknown value (an action hole, an unresolved boundary, an undecided
  Deny) decides it, else ``allow``. Conditions are kept as written; a Deny that only limits
  (conditional, or on some resources) is listed in ``limited_by``. Actions the boundary does
  not allow are left out.
- ``admin``: administrator-equivalent by the IAM020 statement test or an IAM021 policy name,
  over everything reaching the principal (a Deny of everything elsewhere, or a boundary that is
  not itself administrative, takes it away).
- ``escalation``: IAM024's actions over the merged policies (a PassRole in one policy and
  ``ec2:RunInstances`` in another make a path too), capped by the boundary.
- ``unresolved``: what could change the answer and is not in the scan.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any

from ..model.entities import Group, Principal, Role, User
from ..model.values import IDENTITY, TRUST, PolicyDocument, Statement, Template, Unknown
from . import actions as action_db
from .evaluation import (
    Tri,
    Undecided,
    action_sets,
    all_of,
    allowed_after_denies,
    any_of,
    cancels,
    covers_action,
    evaluation_view,
    is_allow,
    is_deny,
    privilege_escalations,
)
from .graph import POLICY, Graph, Node, PolicyLink
from .managed_policies import managed_document
from .privilege import ADMIN_POLICIES, allows_everything, denies_everything

ALLOW = "allow"
DENY = "deny"
UNKNOWN = "unknown"
ASSUME_ACTIONS = ("sts:AssumeRole", "sts:AssumeRoleWithSAML", "sts:AssumeRoleWithWebIdentity")
KINDS: tuple[tuple[type[Principal], str], ...] = ((User, "user"), (Group, "group"), (Role, "role"))


@dataclass
class GrantRow:
    """One action a principal may perform, with where it comes from."""

    action: str
    access_level: str
    decision: str
    resources: list[str]
    not_resources: list[str] = field(default_factory=list)
    conditions: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    via: list[str] = field(default_factory=list)
    limited_by: list[str] = field(default_factory=list)


@dataclass
class GrantGroup:
    """Actions that share one grant row: kept as a set so that an administrator's 20,000
    actions cost one object, not 20,000 (rows are made by :meth:`row` when needed)."""

    actions: frozenset[str]
    decision: str
    resources: list[str]
    not_resources: list[str] = field(default_factory=list)
    conditions: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    via: list[str] = field(default_factory=list)
    limited_by: list[str] = field(default_factory=list)

    @property
    def key(self) -> str:
        """Everything but the actions: groups with equal keys are one group."""
        return json.dumps(
            [
                self.decision,
                self.resources,
                self.not_resources,
                self.conditions,
                self.via,
                self.limited_by,
            ],
            sort_keys=True,
        )

    def row(self, action: str) -> GrantRow:
        """This group's row for one of its actions."""
        info = action_db.lookup(action)
        return GrantRow(
            action,
            info.access_level if info else "Unknown",
            self.decision,
            self.resources,
            self.not_resources,
            self.conditions,
            self.via,
            self.limited_by,
        )


@dataclass(frozen=True)
class Escalation:
    via: str
    actions: tuple[str, ...]


@dataclass(frozen=True)
class Note:
    """An unresolved entry: the value not seen and what it hides."""

    value: str
    message: str


@dataclass(frozen=True)
class Trust:
    """Who may assume a role, from one trust statement."""

    principal: str
    conditions: dict[str, dict[str, list[str]]]
    decision: str


@dataclass
class PrincipalAccess:
    node: Node
    kind: str
    name: str
    admin: bool
    escalation: list[Escalation]
    groups: list[GrantGroup]
    unresolved: list[Note]
    trust: list[Trust] = field(default_factory=list)
    boundary: str | None = None

    @property
    def address(self) -> str:
        return self.node.address

    @cached_property
    def grants(self) -> list[GrantRow]:
        """One row per action, sorted by action: expanded on first use (an administrator has
        20,000 of them, which ``access`` output and ``diff`` never need all at once)."""
        pairs = sorted(((a, g) for g in self.groups for a in g.actions), key=lambda p: p[0])
        return [g.row(a) for a, g in pairs]


@dataclass
class _Held:
    """A document reaching the principal, and the address that holds it."""

    via: str
    document: PolicyDocument


def kind_of(node: Node) -> str | None:
    """``user``, ``group`` or ``role`` for an IAM principal the scan creates, else None."""
    if node.is_data:
        return None
    entity = node.entity
    return next((name for cls, name in KINDS if isinstance(entity, cls)), None)


def principals(graph: Graph) -> list[Node]:
    """Every user, group and role the scan creates, in source order."""
    found = [n for cls, _ in KINDS for n in graph.entities_anywhere(cls) if kind_of(n)]
    return sorted(found, key=lambda n: n.sort_key)


def text(value: Any) -> str:
    """How a value as written is shown (``${var.x}`` for a hole)."""
    return value if isinstance(value, str) else str(value)


def _strings(value: Any) -> list[str]:
    if value is None:
        return []
    return [text(v) for v in (value if isinstance(value, list) else [value])]


def _conditions(statement: Statement) -> dict[str, dict[str, list[str]]]:
    conditions = statement.conditions
    if not conditions:
        return {}
    if not isinstance(conditions, dict):
        return {"?": {"?": [text(conditions)]}}
    out: dict[str, dict[str, list[str]]] = {}
    for operator, keys in conditions.items():
        if not isinstance(keys, dict):
            out.setdefault(text(operator), {})["?"] = [text(keys)]
            continue
        for key, values in keys.items():
            out.setdefault(text(operator), {})[text(key)] = _strings(values)
    return out


def _merge_conditions(into: dict[str, dict[str, list[str]]], more: dict) -> None:
    for operator, keys in more.items():
        for key, values in keys.items():
            slot = into.setdefault(operator, {}).setdefault(key, [])
            slot.extend(v for v in values if v not in slot)


# --- what reaches a principal -------------------------------------------------------------


class _Collected:
    def __init__(self) -> None:
        self.held: list[_Held] = []
        self.admin_names: list[tuple[str, str]] = []
        self.notes: list[Note] = []

    def note(self, value: Any, message: str) -> None:
        entry = Note(text(value.source) if isinstance(value, Unknown) else text(value), message)
        if entry not in self.notes:
            self.notes.append(entry)

    def add_link(self, link: PolicyLink) -> None:
        through = f" (through group {link.group.label})" if link.group is not None else ""
        if link.hidden_link is not None:
            self.note(
                link.hidden_link,
                f"{link.label}{through} is attached to a principal the scan cannot name: "
                "it may reach this one",
            )
            return
        if link.unresolved is not None:
            self.note(
                link.unresolved,
                f"{link.label}{through} is not defined in the scan: what it grants is unknown",
            )
            return
        if link.aws_managed is not None:
            self.add_managed(link.aws_managed, through)
            return
        for document in link.documents:
            self.add_document(link.holder or link.via.address, document, link.label)

    def add_managed(self, name: str, through: str = "") -> None:
        arn = f"arn:aws:iam::aws:policy/{name}"
        if name in ADMIN_POLICIES:
            self.admin_names.append((arn, name))
        document = managed_document(name)
        if document is None:
            self.note(
                arn,
                f"AWS-managed policy {name}{through}: its document is not known offline, "
                "so what it grants is unknown",
            )
        else:
            self.held.append(_Held(arn, document))

    def add_document(self, via: str, document: PolicyDocument, label: str) -> None:
        if document.unknown is not None:
            self.note(document.unknown, f"{label} ({via}): the document could not be resolved")
            return
        for statement in document.statements:
            if statement.unknown is not None:
                self.note(statement.unknown, f"{label} ({via}): some statements are unknown")
        self.held.append(_Held(via, evaluation_view(document)))


def _collect(graph: Graph, node: Node, kind: str) -> _Collected:
    collected = _Collected()
    links = graph.policies_reaching(node) if kind == "user" else graph.policies_of(node)
    links += [link for link in graph.unlinked_policies(node.scope, kind) if link.hidden_link]
    for link in links:
        collected.add_link(link)
    return collected


@dataclass
class _Boundary:
    """A permissions boundary: ``documents`` when known, else ``unknown``."""

    label: str
    documents: list[PolicyDocument] = field(default_factory=list)
    unknown: Any = None
    admin: bool = False


def _boundary(graph: Graph, node: Node) -> _Boundary | None:
    entity = node.entity
    value = entity.permissions_boundary if isinstance(entity, Principal) else None
    if value in (None, ""):
        return None
    target = graph.resolve(value, node.resource, POLICY)
    if target.aws_managed is not None:
        document = managed_document(target.aws_managed)
        return _Boundary(
            f"arn:aws:iam::aws:policy/{target.aws_managed}",
            [document] if document is not None else [],
            None if document is not None else Unknown(text(value)),
            admin=target.aws_managed in ADMIN_POLICIES,
        )
    if len(target.nodes) == 1 and not target.nodes[0].is_data:
        policy = target.nodes[0]
        documents = [evaluation_view(s.document) for s in graph.documents(policy)]
        unknown = next((d.unknown for d in documents if d.unknown is not None), None)
        return _Boundary(policy.address, documents, unknown)
    return _Boundary(text(value), [], target.unresolved or Unknown(text(value)))


# --- evaluation ---------------------------------------------------------------------------


def principal_access(
    graph: Graph,
    node: Node,
    actions: Iterable[str] | None = None,
    sets: dict[frozenset[str], frozenset[str]] | None = None,
) -> PrincipalAccess:
    """Effective permissions of one user, group or role (see the module docstring);
    ``actions`` (patterns) keeps only the grants that match one of them. ``sets`` interns
    the groups' action sets across principals (hundreds of administrators hold one set)."""
    kind = kind_of(node) or "principal"
    collected = _collect(graph, node, kind)
    boundary = _boundary(graph, node)
    if boundary is not None and boundary.unknown is not None:
        collected.note(
            boundary.unknown,
            f"permissions boundary {boundary.label} is not known: every grant is capped by it",
        )
    merged = PolicyDocument(
        IDENTITY, [s for h in collected.held for s in h.document.statements], None
    )
    via = {id(s): h.via for h in collected.held for s in h.document.statements}
    evaluator = _Evaluator(merged, via, boundary)
    wanted = matching_actions(tuple(actions)) if actions is not None else None
    groups = evaluator.groups(wanted, {} if sets is None else sets)
    admin = _admin(merged, collected, boundary)
    if isinstance(admin, Undecided):
        for unknown in admin.unknowns:
            collected.note(unknown, "decides whether the principal is administrator-equivalent")
    escalation = evaluator.escalations(collected)
    name = node.name if isinstance(node.name, str) and node.name else node.address
    return PrincipalAccess(
        node,
        kind,
        name,
        admin is True,
        escalation,
        groups,
        collected.notes,
        trust=trust_of(graph, node) if kind == "role" else [],
        boundary=boundary.label if boundary is not None else None,
    )


@lru_cache(maxsize=64)
def matching_actions(patterns: tuple[str, ...]) -> frozenset[str]:
    """The known actions ``--action`` patterns name (``iam:Pass*``, ``*``; case-insensitive)."""
    return frozenset(a for p in patterns for a in action_db.expand(p))


def _admin(merged: PolicyDocument, collected: _Collected, boundary: _Boundary | None) -> Tri:
    """IAM020 over every statement reaching the principal, or an IAM021 policy attached; a
    boundary caps it unless it is administrative itself."""
    found = any_of(
        [
            bool(collected.admin_names),
            *(allows_everything(merged, s) for s in merged.statements),
        ]
    )
    if found is False or boundary is None:
        return found
    if boundary.unknown is not None:
        return all_of([found, Undecided((boundary.unknown,))])
    capped = boundary.admin or any(
        allows_everything(d, s) is True for d in boundary.documents for s in d.statements
    )
    if not capped:
        return False
    return all_of(
        [
            found,
            *(denies_everything(s) is not True for d in boundary.documents for s in d.statements),
        ]
    )


@lru_cache(maxsize=256)
def _blocks(
    allows: tuple[frozenset[str], ...],
    others: tuple[frozenset[str], ...],
    wanted: frozenset[str] | None,
) -> tuple[frozenset[str], ...]:
    """The actions the ``allows`` sets cover (those in ``wanted``), cut so that every set
    holds each block whole or not at all. The sets are those of every statement involved,
    so each per-action test of :class:`_Evaluator` has one answer per block and one action
    decides for all of it. Cached: principals made from the same module or policies share
    their sets (the database's sets are cached per statement text), hence their blocks."""
    covered = frozenset().union(*allows)
    if wanted is not None:
        covered &= wanted
    blocks = [covered] if covered else []
    for splitter in dict.fromkeys(s for s in (*allows, *others) if s):
        refined = []
        for block in blocks:
            inside = block & splitter
            if not inside or len(inside) == len(block):
                refined.append(block)
            else:
                refined += [inside, block - inside]
        blocks = refined
    return tuple(blocks)


class _Evaluator:
    """Decisions over the merged statements of one principal, per block of actions that
    every statement treats alike (see :func:`_blocks`)."""

    def __init__(
        self, merged: PolicyDocument, via: dict[int, str], boundary: _Boundary | None
    ) -> None:
        self.merged = merged
        self.via = via
        self.boundary = boundary
        boundary_statements = [
            s for d in (boundary.documents if boundary else []) for s in d.statements
        ]
        denies = [s for s in [*merged.statements, *boundary_statements] if is_deny(s) is not False]
        self.denies = [(d, *action_sets(d)) for d in denies]
        self.shapes: dict[tuple[int, ...], GrantGroup] = {}
        self.boundary_allows = [s for s in boundary_statements if is_allow(s) is not False]

    def groups(
        self, wanted: frozenset[str] | None, sets: dict[frozenset[str], frozenset[str]]
    ) -> list[GrantGroup]:
        """The principal's grants, one group per row shape (in no particular order: rows are
        sorted when made)."""
        allows = [
            (s, *action_sets(s))
            for s in self.merged.statements
            if s.unknown is None and is_allow(s) is not False
        ]
        others = (
            *(x for _, c, p in self.denies for x in (c, p)),
            *(x for b in self.boundary_allows for x in action_sets(b)),
        )
        blocks = _blocks(tuple(x for _, c, p in allows for x in (c, p)), others, wanted)
        found: dict[str, GrantGroup] = {}
        for block in blocks:
            action = next(iter(block))
            covering = [
                (s, is_allow(s) is True and action in certain)
                for s, certain, possible in allows
                if action in certain or action in possible
            ]
            group = self.decide(action, covering)
            if group is None:
                continue
            prior = found.get(group.key)
            if prior is not None:
                block = prior.actions | block
            group.actions = sets.setdefault(block, block)
            found[group.key] = group
        return list(found.values())

    def decide(self, action: str, allows: list[tuple[Statement, bool]]) -> GrantGroup | None:
        """The row of ``action`` (and of every action of its block), or None when the
        boundary keeps it out."""
        capped = self.capped(action)
        if capped is True:
            return None
        statements = [s for s, _ in allows]
        denying = self.denying(action)
        denied = all_of(self.denied_on(s, action) for s in statements) if denying else False
        if denied is True:
            decision = DENY
        elif isinstance(denied, Undecided) or isinstance(capped, Undecided):
            decision = UNKNOWN
        else:
            decision = ALLOW if any(sure for _, sure in allows) else UNKNOWN
        shape = self.shape(statements)
        group = GrantGroup(
            frozenset(),
            decision,
            shape.resources,
            shape.not_resources,
            {op: dict(keys) for op, keys in shape.conditions.items()},
            shape.via,
        )
        for statement in self.boundary_conditions(action):
            _merge_conditions(group.conditions, _conditions(statement))
        if decision != DENY and denying:
            group.limited_by = sorted(
                {self.via.get(id(d), self.boundary_label) for d in self.partial_denies(action)}
            )
        return group

    def shape(self, statements: list[Statement]) -> GrantGroup:
        """Resources, conditions and sources of a set of allowing statements: the same for
        every action they share, so computed once per set."""
        key = tuple(id(s) for s in statements)
        cached = self.shapes.get(key)
        if cached is not None:
            return cached
        shape = GrantGroup(frozenset(), "", [])
        unconditional = any(not s.conditions for s in statements)
        for statement in statements:
            shape.resources += [
                r for r in _strings(statement.resources) if r not in shape.resources
            ]
            shape.not_resources += [
                r for r in _strings(statement.not_resources) if r not in shape.not_resources
            ]
            if not unconditional:
                _merge_conditions(shape.conditions, _conditions(statement))
            if self.via[id(statement)] not in shape.via:
                shape.via.append(self.via[id(statement)])
        shape.resources.sort()
        shape.via.sort()
        self.shapes[key] = shape
        return shape

    @property
    def boundary_label(self) -> str:
        return f"permissions boundary {self.boundary.label}" if self.boundary else ""

    def denying(self, action: str) -> list[Statement]:
        return [
            d for d, certain, possible in self.denies if action in certain or action in possible
        ]

    def denied_on(self, statement: Statement, action: str) -> Tri:
        """Whether unconditional Denies cancel ``action`` on every resource ``statement``
        names (a NotResource or an unknown resource needs a Deny on ``*``)."""
        denies = self.denying(action)
        if not denies:
            return False
        resources = statement.resources if isinstance(statement.resources, list) else ["*"]
        targets = [r if isinstance(r, str) else "*" for r in resources] or ["*"]
        return all_of(any_of(cancels(d, action, t) for d in denies) for t in targets)

    def partial_denies(self, action: str) -> list[Statement]:
        return [d for d in self.denying(action) if covers_action(d, action) is not False]

    def capped(self, action: str) -> Tri:
        """Whether the boundary keeps ``action`` out (undecided while it is unknown)."""
        if self.boundary is None:
            return False
        if self.boundary.unknown is not None:
            return Undecided((self.boundary.unknown,))
        allowed = any_of(
            all_of([is_allow(s), covers_action(s, action)]) for s in self.boundary_allows
        )
        return allowed if isinstance(allowed, Undecided) else not allowed

    def boundary_conditions(self, action: str) -> list[Statement]:
        return [
            s for s in self.boundary_allows if s.conditions and covers_action(s, action) is True
        ]

    def escalations(self, collected: _Collected) -> list[Escalation]:
        """IAM024 over the merged statements, per statement that carries the path."""
        found: dict[str, list[str]] = {}
        for grant in privilege_escalations(self.merged):
            kept = [a for a in grant.actions if self.capped(a) is False]
            if kept:
                slot = found.setdefault(self.via[id(grant.statement)], [])
                slot.extend(a for a in kept if a not in slot)
            elif grant.possible:
                for unknown in grant.unknowns:
                    collected.note(unknown, "decides whether the principal can escalate privileges")
        return [Escalation(via, tuple(actions)) for via, actions in found.items()]


# --- trust --------------------------------------------------------------------------------


def trust_of(graph: Graph, node: Node) -> list[Trust]:
    """Who may assume a role: one entry per principal of each Allow trust statement."""
    out: list[Trust] = []
    for source in graph.documents(node):
        if source.kind != TRUST:
            continue
        document = source.document
        for statement in document.statements:
            allowed = any_of(
                allowed_after_denies(document, statement, a, None) for a in ASSUME_ACTIONS
            )
            if allowed is False:
                continue
            decision = ALLOW if allowed is True else UNKNOWN
            conditions = _conditions(statement)
            for principal in _principal_names(statement):
                entry = Trust(principal, conditions, decision)
                if entry not in out:
                    out.append(entry)
    return out


def _principal_names(statement: Statement) -> list[str]:
    """``AWS:arn:...``, ``Service:ec2.amazonaws.com``, ``*`` (NotPrincipal: ``NOT ...``)."""
    if statement.not_principals is not None:
        return ["NOT " + ", ".join(_principal_names_of(statement.not_principals))]
    return _principal_names_of(statement.principals)


def _principal_names_of(principals: Any) -> list[str]:
    if isinstance(principals, dict):
        return [
            "*" if text(v) == "*" and text(kind) in ("AWS", "*") else f"{text(kind)}:{text(v)}"
            for kind, values in principals.items()
            for v in (values if isinstance(values, list) else [values])
        ]
    return _strings(principals) or ["*"]


def access_of(
    graph: Graph,
    addresses: Iterable[str] = (),
    actions: Iterable[str] | None = None,
    sets: dict[frozenset[str], frozenset[str]] | None = None,
) -> list[PrincipalAccess]:
    """Effective permissions of every principal (or of those at ``addresses``; a base
    address names every instance). ``sets`` interns action sets (see
    :func:`principal_access`); pass the same one to compare two snapshots cheaply."""
    wanted = list(addresses)
    patterns = tuple(actions) if actions is not None else None
    sets = {} if sets is None else sets
    return [
        principal_access(graph, node, patterns, sets)
        for node in principals(graph)
        if not wanted or any(_names(a, node) for a in wanted)
    ]


def _names(address: str, node: Node) -> bool:
    return address in (node.address, node.resource.base_address) or (
        isinstance(node.name, (str, Template)) and address == text(node.name)
    )
