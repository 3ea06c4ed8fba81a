"""The identity graph: who is attached to what, within each scope of a scan.

Built once per scan from every ``Resource`` (Terraform with its modules, plans, CloudFormation):
the nodes at once, each scope's edges when a query first needs that scope.

Nodes
    One ``Node`` per (scope, address). Several Resource objects with one address (CloudFormation
    ``Fn::If`` variants) are one node whose edges are the union of theirs.

Edges
    An ``Edge`` says ``source -[relation]-> target`` and records the resource that writes it
    (an attachment, a membership, or the node's own attribute) and where. Both ends are
    ``Target``s: what the value as written resolved to. Directions:

    ============== ======================================= =====================================
    relation       source -> target                        entity field that writes it
    ============== ======================================= =====================================
    MEMBER_OF      user -> group                           ``Membership``, ``User.groups``
    INLINE_POLICY  user/group/role -> the policy holder    ``InlinePolicy`` principals,
                                                           ``Principal.inline_policies``
    MANAGED_POLICY user/group/role -> managed policy       ``PolicyAttachment``,
                                                           ``Principal.managed_policy_arns``,
                                                           ``ManagedPolicy`` principals
    LOGIN_PROFILE  login profile -> user                   ``LoginProfile``, ``User.login_profile``
    ACCESS_KEY     access key -> user                      ``AccessKey.user``
    PROFILE_ROLE   instance profile -> role                ``InstanceProfile.role``/``roles``
    USES_PROFILE   compute -> instance profile             ``Compute.instance_profile``
    LAUNCHED_FROM  instance -> launch template             ``Instance.launch_template``
    TEMPLATE_USER  EKS node group / Batch env -> template  ``TemplateUser.launch_template``
    BOUNDARY       user/role -> its permissions boundary   ``Principal.permissions_boundary``
    ============== ======================================= =====================================

    Edges come from the resources' entities (``entity_tables.entity_of``), never from
    attribute names: which attribute means what is the front ends' table.

Resolution (``Graph.resolve``)
    A reference (``Unknown`` with ``.ref``) matches by address: without an instance key it
    matches every instance, with a key that instance (or the block when its keys are unknown);
    inside a module, a relative address is also tried with the module prefix. A literal string
    matches by the entity's name within the scope; an ARN (string
    or template) by the text after its last ``/``. AWS-managed policy ARNs are recognized as
    such. Whatever does not resolve is kept as ``Target.unresolved`` (an ``Unknown``; a literal
    name not defined in the scan becomes ``Unknown(<name>)``) so checks can report it as
    ``Blocked``: nothing silently passes. ``Target.dangling`` marks a reference to an address
    nothing in the scan defines.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from ..model.entities import (
    GROUP,
    INSTANCE_PROFILE,
    LAUNCH_TEMPLATE,
    NAMED_ROLES,
    POLICY,
    ROLE,
    USER,
    AccessKey,
    Compute,
    Entity,
    InlinePolicy,
    Instance,
    InstanceProfile,
    LoginProfile,
    ManagedPolicy,
    Membership,
    PolicyAttachment,
    Principal,
    TemplateUser,
    User,
    items,
)
from ..model.entity_tables import entity_of, entity_type_of
from ..model.values import (
    CLOUDFORMATION,
    IDENTITY,
    Location,
    PolicyDocument,
    Resource,
    Template,
    Unknown,
)
from .documents import aws_managed_policy_name
from .sources import PolicySource, documents_of

MEMBER_OF = "member_of"
INLINE_POLICY = "inline_policy"
MANAGED_POLICY = "managed_policy"
LOGIN_PROFILE = "login_profile"
ACCESS_KEY = "access_key"
PROFILE_ROLE = "profile_role"
USES_PROFILE = "uses_profile"
LAUNCHED_FROM = "launched_from"
TEMPLATE_USER = "template_user"
BOUNDARY = "boundary"

_MODULE_PREFIX = re.compile(r"^(?:module\.[^.\[]+(?:\[[^\]]*\])?\.)*")
_TF_RESOURCE_ADDRESS = re.compile(
    r"^(?:data\.)?[a-z][a-z0-9_]*\.[A-Za-z_][A-Za-z0-9_-]*(?:\[.*\])?$"
)


_NOT_RESOURCES = ("var.", "local.", "module.", "each.", "count.", "path.", "self.", "terraform.")


def _strip_modules(address: str) -> str:
    return _MODULE_PREFIX.sub("", address, count=1)


@dataclass(eq=False)
class Node:
    """One address in one scope (all its Resource variants)."""

    scope: str
    address: str
    resources: list[Resource]

    @property
    def resource(self) -> Resource:
        return self.resources[0]

    @property
    def kind(self) -> str:
        return self.resource.kind

    @property
    def entity(self) -> Entity | None:
        return entity_of(self.resource)

    @property
    def role(self) -> str | None:
        """Known from the kind alone: asking it fills no entity."""
        entity_type = entity_type_of(self.resource)
        return None if entity_type is None else NAMED_ROLES.get(entity_type)

    @property
    def is_data(self) -> bool:
        """A Terraform data source: something that exists outside the scan."""
        return self.resource.is_data

    @property
    def name(self) -> Any:
        """The name as written (str, Unknown, Template or None)."""
        entity = self.entity
        return entity.name if entity is not None and self.role else None

    @property
    def label(self) -> str:
        """How messages name it: its literal name, else its address."""
        return self.name if isinstance(self.name, str) and self.name else self.address

    @property
    def sort_key(self) -> tuple[str, int, str]:
        location = self.resource.location
        return (location.file, location.line, self.address)

    def __repr__(self) -> str:
        return f"Node({self.address!r})"


@dataclass(frozen=True)
class Target:
    """What one value, as written, resolved to."""

    value: Any
    nodes: tuple[Node, ...] = ()
    aws_managed: str | None = None
    """The policy name when the value is an AWS-managed policy ARN."""
    unresolved: Unknown | None = None
    """Set when nothing in the scan matched: the Unknown, or ``Unknown(<literal>)``."""
    dangling: bool = False
    """A reference to an address that nothing in the scan defines."""
    role: str = ""
    """What the value was resolved as (USER, GROUP, ...)."""

    @property
    def label(self) -> str:
        if self.nodes:
            return self.nodes[0].label
        if self.aws_managed is not None:
            return f"AWS-managed policy {self.aws_managed}"
        if isinstance(self.value, (str, Template)):
            return str(self.value)
        return str(self.unresolved)


@dataclass(eq=False)
class Edge:
    relation: str
    source: Target
    target: Target
    declared_by: Resource
    location: Location
    documents: tuple[PolicySource, ...] = ()
    """INLINE_POLICY edges: the inline documents that reach the source."""


@dataclass
class PolicyLink:
    """One policy reaching a principal, with what is known about its content."""

    label: str
    via: Resource
    """The resource that writes the link (attachment, membership, the principal itself)."""
    location: Location
    documents: list[PolicyDocument] = field(default_factory=list)
    aws_managed: str | None = None
    unresolved: Unknown | None = None
    """Set when the policy (or the group it comes through) is not defined in the scan."""
    group: Node | None = None
    """The group it reaches a user through."""
    hidden_link: Unknown | None = None
    """Set when the policy is known but which principal it is linked to is not."""
    holder: str = ""
    """The address of the resource that holds the documents (the policy, the inline policy
    resource, the principal for its own inline policies)."""


@dataclass
class UserCredentials:
    """Login profiles and access keys of one user, as the scan defines them."""

    user: Node | None
    """The user node, or None when the user is only a name the scan does not define."""
    user_value: Any
    login_profiles: list[Node] = field(default_factory=list)
    access_keys: list[Node] = field(default_factory=list)


class Graph:
    """Nodes and edges of a whole scan; see the module docstring."""

    def __init__(self, resources: Iterable[Resource]) -> None:
        self._nodes: dict[tuple[str, str], Node] = {}
        self._by_base: dict[tuple[str, str], list[Node]] = {}
        self._by_role: dict[tuple[str, str], list[Node]] = {}
        self._node_of: dict[int, Node] = {}
        self._in_scope: dict[str, list[Node]] = {}
        for resource in resources:
            key = (resource.scope, resource.address)
            node = self._nodes.get(key)
            if node is None:
                node = self._nodes[key] = Node(resource.scope, resource.address, [resource])
                self._in_scope.setdefault(resource.scope, []).append(node)
                base = (resource.scope, resource.base_address)
                self._by_base.setdefault(base, []).append(node)
                if node.role:
                    self._by_role.setdefault((resource.scope, node.role), []).append(node)
            else:
                node.resources.append(resource)
            self._node_of[id(resource)] = node
        self._edges: dict[str, list[Edge]] = {}
        """Each scope's edges, written when a query first needs the scope (``edges_in``)."""
        self._out: dict[tuple[int, str], list[Edge]] = {}
        self._in: dict[tuple[int, str], list[Edge]] = {}
        self._declared: dict[tuple[int, str], list[Edge]] = {}
        self._credentials: dict[str, list[UserCredentials]] = {}
        self._documents: dict[int, list[PolicySource]] = {}
        self._hidden_links: dict[str, dict[str | None, list[Edge]]] = {}
        """Edges from a principal nobody can name, by scope and role (``unlinked_policies``)."""
        self._by_kind: dict[str, list[Node]] = {}
        for node in self._nodes.values():
            self._by_kind.setdefault(node.kind, []).append(node)

    def edges_in(self, scope: str) -> list[Edge]:
        """A scope's edges, in node order. Every edge stays within the scope of the resource
        that writes it, so each scope is written on its own, the first time a query needs it:
        a forked worker that judges some roots fills only their resources' entities and
        edges, and none of that is done before the fork."""
        edges = self._edges.get(scope)
        if edges is None:
            edges = self._edges[scope] = []
            for node in self._in_scope.get(scope, ()):
                for resource in node.resources:
                    entity = entity_of(resource)
                    if entity is not None:
                        for edge in _edges_of(self, entity):
                            self._add(edge)
        return edges

    # --- lookups --------------------------------------------------------------------------

    def node(self, resource: Resource) -> Node:
        """The node a resource belongs to."""
        node = self._node_of.get(id(resource))
        return node or self._nodes[(resource.scope, resource.address)]

    def nodes(self, scope: str, kinds: Iterable[str]) -> list[Node]:
        """Nodes of the given kinds in a scope, in source order."""
        found = [n for kind in set(kinds) for n in self._by_kind.get(kind, []) if n.scope == scope]
        return sorted(found, key=lambda n: n.sort_key)

    def documents(self, node: Node) -> list[PolicySource]:
        """``documents_of`` over every variant of a node (computed once)."""
        cached = self._documents.get(id(node))
        if cached is None:
            cached = self._documents[id(node)] = [
                source for resource in node.resources for source in documents_of(resource)
            ]
        return cached

    def outgoing(self, node: Node, relation: str) -> list[Edge]:
        self.edges_in(node.scope)
        return self._out.get((id(node), relation), [])

    def incoming(self, node: Node, relation: str) -> list[Edge]:
        self.edges_in(node.scope)
        return self._in.get((id(node), relation), [])

    def only_a_boundary(self, policy: Node) -> bool:
        """A managed policy the scan uses as a permissions boundary and attaches to nobody: it
        grants nothing, it caps what identity policies grant. Not when an attachment in its
        scope names a policy nobody can resolve: that one could be this policy."""
        if not self.incoming(policy, BOUNDARY) or self.incoming(policy, MANAGED_POLICY):
            return False
        return not any(
            edge.relation == MANAGED_POLICY
            and not edge.target.nodes
            and edge.target.aws_managed is None
            for edge in self.edges_in(policy.scope)
        )

    def edges_declared_by(self, node: Node, relation: str) -> list[Edge]:
        self.edges_in(node.scope)
        return self._declared.get((id(node), relation), [])

    def _add(self, edge: Edge) -> None:
        declarer = self.node(edge.declared_by)
        self._edges[declarer.scope].append(edge)
        self._declared.setdefault((id(declarer), edge.relation), []).append(edge)
        for node in edge.source.nodes:
            self._out.setdefault((id(node), edge.relation), []).append(edge)
        for node in edge.target.nodes:
            self._in.setdefault((id(node), edge.relation), []).append(edge)

    # --- resolution -----------------------------------------------------------------------

    def resolve(self, value: Any, origin: Resource, role: str) -> Target:
        """Resolve a value written in ``origin`` to nodes of ``role`` (USER, GROUP, ...)."""
        return dataclasses.replace(self._resolve(value, origin, role), role=role)

    def _resolve(self, value: Any, origin: Resource, role: str) -> Target:
        if value is not None and not isinstance(value, (str, Unknown, Template)):
            return Target(value, unresolved=Unknown(str(value)))  # a list where one name goes
        if isinstance(value, Unknown):
            return self._resolve_reference(value, origin, role)
        if role == POLICY:
            managed = aws_managed_policy_name(value)
            if managed is not None:
                return Target(value, aws_managed=managed)
        if isinstance(value, Template):
            return self._resolve_template(value, origin, role)
        if isinstance(value, str) and value:
            name = value.rsplit("/", 1)[-1] if value.startswith("arn:") else value
            nodes = self._by_name(origin.scope, role, name)
            return Target(value, nodes) if nodes else Target(value, unresolved=Unknown(value))
        return Target(value)

    def _resolve_reference(self, value: Unknown, origin: Resource, role: str) -> Target:
        if value.ref is None:
            return Target(value, unresolved=value)
        address = value.ref[0]
        candidates = [address]
        if origin.module and not address.startswith("module."):
            candidates.append(f"{origin.module}.{address}")
        for candidate in candidates:
            found = self._by_address(origin.scope, candidate)
            if found:
                nodes = tuple(n for n in found if n.role == role)
                return Target(value, nodes) if nodes else Target(value, unresolved=value)
        return Target(value, unresolved=value, dangling=self._looks_like_resource(address, origin))

    def _by_address(self, scope: str, address: str) -> list[Node]:
        exact = self._nodes.get((scope, address))
        if exact is not None:
            return [exact]
        if "[" not in address:
            return list(self._by_base.get((scope, address), []))
        block = self._nodes.get((scope, address.split("[", 1)[0]))
        return [block] if block is not None and block.resource.instance_key is None else []

    def _looks_like_resource(self, address: str, origin: Resource) -> bool:
        """Whether a reference names a resource (not a parameter, variable or module output)."""
        if origin.framework == CLOUDFORMATION:
            parameter = (origin.scope, f"Parameters.{address}")
            return parameter not in self._nodes and not address.startswith("AWS::")
        relative = _strip_modules(address)
        return bool(_TF_RESOURCE_ADDRESS.match(relative)) and not relative.startswith(
            _NOT_RESOURCES
        )

    def _resolve_template(self, value: Template, origin: Resource, role: str) -> Target:
        suffix = value.suffix
        if str(value).startswith("arn:") and "/" in suffix:
            name = suffix.rsplit("/", 1)[-1]
            nodes = self._by_name(origin.scope, role, name)
            if nodes:
                return Target(value, nodes)
        return Target(value, unresolved=value.unknowns[0])

    def _by_name(self, scope: str, role: str, name: str) -> tuple[Node, ...]:
        return tuple(n for n in self._by_role.get((scope, role), []) if n.name == name)

    # --- queries used by checks -----------------------------------------------------------

    def policies_of(self, node: Node) -> list[PolicyLink]:
        """Policies attached to a user, group or role directly (inline and managed)."""
        links: list[PolicyLink] = []
        for edge in self.outgoing(node, INLINE_POLICY):
            for source in edge.documents:
                links.append(
                    PolicyLink(
                        f"inline policy {source.label}",
                        edge.declared_by,
                        edge.location,
                        documents=[source.document],
                        holder=source.resource.address,
                    )
                )
        for edge in self.outgoing(node, MANAGED_POLICY):
            links.extend(self._managed_links(edge))
        return links

    def _managed_links(self, edge: Edge) -> list[PolicyLink]:
        target = edge.target
        where = (edge.declared_by, edge.location)
        if target.aws_managed is not None:
            return [PolicyLink(target.label, *where, aws_managed=target.aws_managed)]
        if not target.nodes:
            unknown = target.unresolved or Unknown(str(target.value))
            return [PolicyLink(f"policy {target.label}", *where, unresolved=unknown)]
        links = []
        for policy in target.nodes:
            label = f"policy {policy.label}"
            if policy.is_data:
                links.append(self._looked_up_policy(policy, label, *where))
                continue
            documents = [source.document for source in self.documents(policy)]
            links.append(PolicyLink(label, *where, documents=documents, holder=policy.address))
        return links

    @staticmethod
    def _looked_up_policy(
        policy: Node, label: str, via: Resource, location: Location
    ) -> PolicyLink:
        """``data "aws_iam_policy"``: AWS-managed when its ARN says so, else not in the scan."""
        entity = policy.entity
        arn = entity.arn if isinstance(entity, ManagedPolicy) else None
        managed = aws_managed_policy_name(arn)
        holder = policy.address
        if managed is not None:
            return PolicyLink(label, via, location, aws_managed=managed, holder=holder)
        return PolicyLink(label, via, location, unresolved=Unknown(policy.address), holder=holder)

    def unlinked_policies(self, scope: str, role: str) -> list[PolicyLink]:
        """Policies (and groups' policies) linked to a principal of ``role`` that nobody can
        name: ``user = var.who``, not a reference to an address nothing defines. Any
        principal of the scope may be the one; ``unresolved`` is the hidden link."""
        hidden = self._hidden_links.get(scope)
        if hidden is None:
            hidden = self._hidden_links[scope] = {}
            for edge in self.edges_in(scope):
                source = edge.source
                if not (source.nodes or source.unresolved is None or source.dangling):
                    hidden.setdefault(source.role, []).append(edge)
        links: list[PolicyLink] = []
        for edge in hidden.get(role, []):
            source = edge.source
            if edge.relation == INLINE_POLICY:
                found = [
                    PolicyLink(
                        f"inline policy {d.label}", edge.declared_by, edge.location, [d.document]
                    )
                    for d in edge.documents
                ]
            elif edge.relation == MANAGED_POLICY:
                found = self._managed_links(edge)
            elif edge.relation == MEMBER_OF:
                found = [link for group in edge.target.nodes for link in self.policies_of(group)]
            else:
                continue
            for link in found:
                links.append(dataclasses.replace(link, hidden_link=source.unresolved))
        return links

    def policies_reaching(self, user: Node) -> list[PolicyLink]:
        """Every policy reaching a user: its own, and those of every group it is in. A group
        that is not defined in the scan is one link with ``unresolved`` set."""
        links = self.policies_of(user)
        for edge in self.outgoing(user, MEMBER_OF):
            target = edge.target
            for group in target.nodes:
                if group.is_data:
                    unknown = Unknown(group.address)
                    links.append(
                        PolicyLink(
                            f"group {group.label}",
                            edge.declared_by,
                            edge.location,
                            unresolved=unknown,
                        )
                    )
                    continue
                for link in self.policies_of(group):
                    link.group = group
                    links.append(link)
            if not target.nodes and target.value is not None:
                unknown = target.unresolved or Unknown(str(target.value))
                links.append(
                    PolicyLink(
                        f"group {target.label}", edge.declared_by, edge.location, unresolved=unknown
                    )
                )
        return links

    def credentials(self, scope: str) -> list[UserCredentials]:
        """Login profiles and access keys grouped by user (a defined user node, or the name
        or value the user is written as when the scan does not define it)."""
        cached = self._credentials.get(scope)
        if cached is not None:
            return cached
        groups: dict[Any, UserCredentials] = {}
        for edge in self.edges_in(scope):
            if edge.relation not in (LOGIN_PROFILE, ACCESS_KEY):
                continue
            holder = self.node(edge.declared_by)
            for user in edge.target.nodes or (None,):
                key = id(user) if user is not None else ("value", str(edge.target.value))
                if user is not None and user.is_data:
                    # looked up, not created here: findings land on the key, as for a name
                    entry = groups.setdefault(key, UserCredentials(None, user.label))
                else:
                    entry = groups.setdefault(key, UserCredentials(user, edge.target.value))
                bucket = (
                    entry.login_profiles if edge.relation == LOGIN_PROFILE else entry.access_keys
                )
                if holder not in bucket:
                    bucket.append(holder)
        for entry in groups.values():
            entry.login_profiles.sort(key=lambda n: n.sort_key)
            entry.access_keys.sort(key=lambda n: n.sort_key)
        self._credentials[scope] = list(groups.values())
        return self._credentials[scope]

    def login_profile_holders(self, scope: str) -> list[Node]:
        """Nodes that create a login profile in a scope (TF login profiles, CFN users with
        ``LoginProfile``), in source order."""
        entries = self.credentials(scope)
        holders = {id(n): n for entry in entries for n in entry.login_profiles}
        return sorted(holders.values(), key=lambda n: n.sort_key)

    def entities_anywhere(self, entity_type: type[Entity]) -> list[Node]:
        """Nodes whose entity is of ``entity_type``, in every scope of the scan (told by the
        kind: no other node's entity is filled)."""
        return [n for n in self._nodes.values() if _is_a(entity_type_of(n.resource), entity_type)]

    def launched_from(self, resource: Resource) -> list[Edge]:
        """The launch templates this resource (this variant) is launched from."""
        edges = self.edges_declared_by(self.node(resource), LAUNCHED_FROM)
        return [e for e in edges if e.declared_by is resource]

    def credentials_of(self, user: Node) -> UserCredentials:
        for entry in self.credentials(user.scope):
            if entry.user is user:
                return entry
        return UserCredentials(user, user.address)

    def credentials_for_key(self, key: Node) -> list[UserCredentials]:
        """The credential groups an access key belongs to."""
        return [c for c in self.credentials(key.scope) if key in c.access_keys]

    def credentials_reported_on(self, resource: Resource) -> list[UserCredentials]:
        """The credential groups a user-level finding lands on ``resource`` for: a user's own,
        or, for an access key whose user is only a literal name, the groups of that key."""
        node = self.node(resource)
        if isinstance(node.entity, User):
            return [self.credentials_of(node)]
        return [c for c in self.credentials_for_key(node) if c.user is None]


def _is_a(found: type[Entity] | None, wanted: type[Entity]) -> bool:
    return found is not None and issubclass(found, wanted)


def active_keys(entry: UserCredentials) -> tuple[list[Node], list[tuple[Node, Unknown]]]:
    """A user's active keys, and the keys whose status is unknown (a key is active when any
    of its variants is)."""
    active: list[Node] = []
    undecided: list[tuple[Node, Unknown]] = []
    for key in entry.access_keys:
        states = [_key_state(r) for r in key.resources]
        if "active" in states:
            active.append(key)
        else:
            unknown = next((s for s in states if isinstance(s, Unknown)), None)
            if unknown is not None:
                undecided.append((key, unknown))
    return active, undecided


def _key_state(resource: Resource) -> str | Unknown:
    entity = entity_of(resource)
    return entity.state if isinstance(entity, AccessKey) else "active"


# --- edges from entities ------------------------------------------------------------------


class _Writer:
    """Resolves an entity's values and writes its edges."""

    def __init__(self, graph: Graph, entity: Entity) -> None:
        self.graph = graph
        self.entity = entity
        self.me = Target(None, (graph.node(entity.resource),))

    def to(self, value: Any, role: str) -> Target:
        return self.graph.resolve(value, self.entity.resource, role)

    def edge(
        self,
        relation: str,
        source: Target,
        target: Target,
        location: Location,
        documents: tuple[PolicySource, ...] = (),
    ) -> Edge:
        return Edge(relation, source, target, self.entity.resource, location, documents)

    def identity_documents(self, prefix: str = "") -> tuple[PolicySource, ...]:
        return tuple(
            s
            for s in documents_of(self.entity.resource)
            if s.kind == IDENTITY and s.path.startswith(prefix)
        )


def _edges_of(graph: Graph, entity: Entity) -> Iterable[Edge]:
    w = _Writer(graph, entity)
    for entity_type, extract in _EXTRACTORS:
        if isinstance(entity, entity_type):
            yield from extract(w, entity)


def _principal(w: _Writer, e: Principal) -> Iterable[Edge]:
    if e.inline_path is not None:
        for source in w.identity_documents(e.inline_path):
            yield w.edge(INLINE_POLICY, w.me, w.me, source.location, (source,))
    for arn in items(e.managed_policy_arns):
        yield w.edge(MANAGED_POLICY, w.me, w.to(arn, POLICY), e.loc("managed_policy_arns"))
    if e.permissions_boundary not in (None, ""):
        boundary = w.to(e.permissions_boundary, POLICY)
        yield w.edge(BOUNDARY, w.me, boundary, e.loc("permissions_boundary"))
    if isinstance(e, User):
        for group in items(e.groups):
            yield w.edge(MEMBER_OF, w.me, w.to(group, GROUP), e.loc("groups"))
        if e.login_profile is not None:
            yield w.edge(LOGIN_PROFILE, w.me, w.me, e.loc("login_profile"))


def _inline_policy(w: _Writer, e: InlinePolicy) -> Iterable[Edge]:
    documents = w.identity_documents()
    for role, name, value in e.principals():
        yield w.edge(INLINE_POLICY, w.to(value, role), w.me, e.loc(name), documents)


def _managed_policy(w: _Writer, e: ManagedPolicy) -> Iterable[Edge]:
    for role, name, value in e.principals():
        yield w.edge(MANAGED_POLICY, w.to(value, role), w.me, e.loc(name))


def _attachment(w: _Writer, e: PolicyAttachment) -> Iterable[Edge]:
    """Located at the policies when it names one principal, else at the principals."""
    for policy_field, arn in e.policies():
        policy = w.to(arn, POLICY)
        for role, name, value in e.principals():
            where = e.loc(policy_field if e.principal_type else name)
            yield w.edge(MANAGED_POLICY, w.to(value, role), policy, where)


def _membership(w: _Writer, e: Membership) -> Iterable[Edge]:
    if e.listed == USER:
        group = w.to(e.group, GROUP)
        for user in items(e.users):
            yield w.edge(MEMBER_OF, w.to(user, USER), group, e.loc("users"))
    else:
        user = w.to(e.user, USER)
        for group in items(e.groups):
            yield w.edge(MEMBER_OF, user, w.to(group, GROUP), e.loc("groups"))


def _credential(w: _Writer, e: LoginProfile | AccessKey) -> Iterable[Edge]:
    relation = LOGIN_PROFILE if isinstance(e, LoginProfile) else ACCESS_KEY
    yield w.edge(relation, w.me, w.to(e.user, USER), e.loc("user"))


def _instance_profile(w: _Writer, e: InstanceProfile) -> Iterable[Edge]:
    for name, role in e.role_values():
        yield w.edge(PROFILE_ROLE, w.me, w.to(role, ROLE), e.loc(name))


def _compute(w: _Writer, e: Compute) -> Iterable[Edge]:
    if e.instance_profile not in (None, ""):
        profile = w.to(e.instance_profile, INSTANCE_PROFILE)
        yield w.edge(USES_PROFILE, w.me, profile, e.loc("instance_profile"))
    if isinstance(e, Instance) and e.launch_template is not None:
        template = w.to(e.launch_template, LAUNCH_TEMPLATE)
        yield w.edge(LAUNCHED_FROM, w.me, template, e.loc("launch_template"))


def _template_user(w: _Writer, e: TemplateUser) -> Iterable[Edge]:
    if e.launch_template is not None:
        template = w.to(e.launch_template, LAUNCH_TEMPLATE)
        yield w.edge(TEMPLATE_USER, w.me, template, e.loc("launch_template"))


_Extractor = Callable[[_Writer, Any], Iterable[Edge]]
"""Edges of one entity type: the second argument is an instance of the type it is paired
with below (a table of differently typed functions, which ``Callable`` cannot say)."""
_EXTRACTORS: tuple[tuple[type[Entity] | tuple[type[Entity], ...], _Extractor], ...] = (
    (Principal, _principal),
    (InlinePolicy, _inline_policy),
    (ManagedPolicy, _managed_policy),
    (PolicyAttachment, _attachment),
    (Membership, _membership),
    ((LoginProfile, AccessKey), _credential),
    (InstanceProfile, _instance_profile),
    (Compute, _compute),
    (TemplateUser, _template_user),
)
