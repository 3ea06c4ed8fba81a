"""The identity graph: who is attached to what, within each scope of a scan.

Built once per scan from every ``Resource`` (Terraform with its modules, plans, CloudFormation).

Nodes
    One ``Node`` per (scope, address). Several Resource objects with one address (CloudFormation
    ``Fn::If`` variants) are one node whose edges are the union of theirs.

Edges
    An ``Edge`` says ``source -[relation]-> target`` and records the resource that writes it
    (an attachment, a membership, or the node's own attribute) and where. Both ends are
    ``Target``s: what the value as written resolved to. Directions:

    ============== ======================================= =====================================
    relation       source -> target                        written by
    ============== ======================================= =====================================
    MEMBER_OF      user -> group                           memberships, CFN ``Groups``,
                                                           ``UserToGroupAddition``
    INLINE_POLICY  user/group/role -> the policy holder    ``aws_iam_*_policy``, ``inline_policy``,
                                                           CFN ``Policies``, ``AWS::IAM::Policy``
    MANAGED_POLICY user/group/role -> managed policy       attachments, ``managed_policy_arns``,
                                                           ``ManagedPolicyArns``, ManagedPolicy
                                                           ``Users``/``Groups``/``Roles``
    LOGIN_PROFILE  login profile -> user                   ``aws_iam_user_login_profile``, CFN
                                                           ``LoginProfile``
    ACCESS_KEY     access key -> user                      ``aws_iam_access_key``, AccessKey
    PROFILE_ROLE   instance profile -> role                ``role``/``roles``, CFN ``Roles``
    USES_PROFILE   compute -> instance profile             ``iam_instance_profile``
    LAUNCHED_FROM  instance -> launch template             ``launch_template`` blocks
    TEMPLATE_USER  EKS node group / Batch env -> template  their ``launch_template``
    ============== ======================================= =====================================

Resolution (``Graph.resolve``)
    A reference (``Unknown`` with ``.ref``) matches by address: without an instance key it
    matches every instance, with a key that instance (or the block when its keys are unknown);
    inside a module, a relative address is also tried with the module prefix. A literal string
    matches by name attribute (TF ``name``, CFN ``UserName``...) within the scope; an ARN (string
    or template) by the text after its last ``/``. AWS-managed policy ARNs are recognized as
    such. Whatever does not resolve is kept as ``Target.unresolved`` (an ``Unknown``; a literal
    name not defined in the scan becomes ``Unknown(<name>)``) so checks can report it as
    ``Blocked``: nothing silently passes. ``Target.dangling`` marks a reference to an address
    nothing in the scan defines.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .model import (
    CLOUDFORMATION,
    IDENTITY,
    Location,
    PolicyDocument,
    Resource,
    Template,
    Unknown,
    location_of,
)
from .policy import aws_managed_policy_name
from .policy_sources import PolicySource, documents_of

MEMBER_OF = "member_of"
INLINE_POLICY = "inline_policy"
MANAGED_POLICY = "managed_policy"
LOGIN_PROFILE = "login_profile"
ACCESS_KEY = "access_key"
PROFILE_ROLE = "profile_role"
USES_PROFILE = "uses_profile"
LAUNCHED_FROM = "launched_from"
TEMPLATE_USER = "template_user"

USER = "user"
GROUP = "group"
ROLE = "role"
POLICY = "policy"
INSTANCE_PROFILE = "instance_profile"
LAUNCH_TEMPLATE = "launch_template"

NAMED_KINDS: dict[str, tuple[str, str]] = {
    "aws_iam_user": (USER, "name"),
    "aws_iam_group": (GROUP, "name"),
    "aws_iam_role": (ROLE, "name"),
    "aws_iam_policy": (POLICY, "name"),
    "aws_iam_instance_profile": (INSTANCE_PROFILE, "name"),
    "aws_launch_template": (LAUNCH_TEMPLATE, "name"),
    "AWS::IAM::User": (USER, "UserName"),
    "AWS::IAM::Group": (GROUP, "GroupName"),
    "AWS::IAM::Role": (ROLE, "RoleName"),
    "AWS::IAM::ManagedPolicy": (POLICY, "ManagedPolicyName"),
    "AWS::IAM::InstanceProfile": (INSTANCE_PROFILE, "InstanceProfileName"),
    "AWS::EC2::LaunchTemplate": (LAUNCH_TEMPLATE, "LaunchTemplateName"),
}
"""Resource kinds that other resources point at, their role and their name attribute."""

DATA_NAME_ATTRIBUTES = {"aws_iam_user": "user_name", "aws_iam_group": "group_name"}
"""Data sources whose name attribute differs from the resource's."""

_MODULE_PREFIX = re.compile(r"^(?:module\.[^.\[]+(?:\[[^\]]*\])?\.)*")
_TF_RESOURCE_ADDRESS = re.compile(
    r"^(?:data\.)?[a-z][a-z0-9_]*\.[A-Za-z_][A-Za-z0-9_-]*(?:\[.*\])?$"
)


_NOT_RESOURCES = ("var.", "local.", "module.", "each.", "count.", "path.", "self.", "terraform.")


def _strip_modules(address: str) -> str:
    return _MODULE_PREFIX.sub("", address, count=1)


def is_data_source(resource: Resource) -> bool:
    """A Terraform data source: it reads something that exists outside the scan, so checks about
    what the scan creates (users, profiles, compute) do not report it."""
    return _strip_modules(resource.base_address).startswith("data.")


def display_name(resource: Resource) -> str:
    """How messages name a resource: ``'alice'`` when it has a literal name, else its address."""
    entry = NAMED_KINDS.get(resource.kind)
    name = resource.attrs.get(entry[1]) if entry else None
    return f"'{name}'" if isinstance(name, str) and name else resource.address


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
    def role(self) -> str | None:
        entry = NAMED_KINDS.get(self.kind)
        return entry[0] if entry else None

    @property
    def is_data(self) -> bool:
        """A Terraform data source: something that exists outside the scan."""
        return is_data_source(self.resource)

    @property
    def name(self) -> Any:
        """The name attribute as written (str, Unknown, Template or None)."""
        entry = NAMED_KINDS.get(self.kind)
        if self.is_data and self.kind in DATA_NAME_ATTRIBUTES:
            return self.resource.attrs.get(DATA_NAME_ATTRIBUTES[self.kind])
        return self.resource.attrs.get(entry[1]) if entry else None

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
        for resource in resources:
            key = (resource.scope, resource.address)
            node = self._nodes.get(key)
            if node is None:
                node = self._nodes[key] = Node(resource.scope, resource.address, [resource])
                base = (resource.scope, resource.base_address)
                self._by_base.setdefault(base, []).append(node)
                if node.role:
                    self._by_role.setdefault((resource.scope, node.role), []).append(node)
            else:
                node.resources.append(resource)
            self._node_of[id(resource)] = node
        self.edges: list[Edge] = []
        self._out: dict[tuple[int, str], list[Edge]] = {}
        self._in: dict[tuple[int, str], list[Edge]] = {}
        self._declared: dict[tuple[int, str], list[Edge]] = {}
        self._credentials: dict[str, list[UserCredentials]] = {}
        self._documents: dict[int, list[PolicySource]] = {}
        self._by_kind: dict[str, list[Node]] = {}
        for node in self._nodes.values():
            self._by_kind.setdefault(node.kind, []).append(node)
        for node in self._nodes.values():
            for resource in node.resources:
                for edge in _edges_declared_by(self, resource):
                    self._add(edge)

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
        return self._out.get((id(node), relation), [])

    def incoming(self, node: Node, relation: str) -> list[Edge]:
        return self._in.get((id(node), relation), [])

    def edges_declared_by(self, node: Node, relation: str) -> list[Edge]:
        return self._declared.get((id(node), relation), [])

    def _add(self, edge: Edge) -> None:
        self.edges.append(edge)
        declarer = self.node(edge.declared_by)
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
            links.append(PolicyLink(label, *where, documents=documents))
        return links

    @staticmethod
    def _looked_up_policy(
        policy: Node, label: str, via: Resource, location: Location
    ) -> PolicyLink:
        """``data "aws_iam_policy"``: AWS-managed when its ARN says so, else not in the scan."""
        arn = policy.resource.attrs.get("arn")
        managed = aws_managed_policy_name(arn)
        if managed is not None:
            return PolicyLink(label, via, location, aws_managed=managed)
        return PolicyLink(label, via, location, unresolved=Unknown(policy.address))

    def unlinked_policies(self, scope: str, role: str) -> list[PolicyLink]:
        """Policies (and groups' policies) linked to a principal of ``role`` that nobody can
        name: ``user = var.who``, not a reference to an address nothing defines. Any
        principal of the scope may be the one; ``unresolved`` is the hidden link."""
        links: list[PolicyLink] = []
        for edge in self.edges:
            source = edge.source
            if source.nodes or source.unresolved is None or source.dangling:
                continue
            if source.role != role or edge.declared_by.scope != scope:
                continue
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
        for edge in self.edges:
            if edge.relation not in (LOGIN_PROFILE, ACCESS_KEY):
                continue
            holder = self.node(edge.declared_by)
            if holder.scope != scope:
                continue
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

    def nodes_anywhere(self, kinds: Iterable[str]) -> list[Node]:
        """Nodes of the given kinds in every scope of the scan."""
        return [n for kind in kinds for n in self._by_kind.get(kind, [])]

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
        if resource.kind in ("aws_iam_user", "AWS::IAM::User"):
            return [self.credentials_of(node)]
        return [c for c in self.credentials_for_key(node) if c.user is None]


def key_state(resource: Resource) -> str | Unknown:
    """ "active" or "inactive" for an access key resource, or the Unknown status."""
    status = resource.attrs.get("Status" if resource.framework == CLOUDFORMATION else "status")
    if isinstance(status, Unknown):
        return status
    if isinstance(status, Template):
        return status.unknowns[0]
    return "inactive" if isinstance(status, str) and status.lower() == "inactive" else "active"


def active_keys(entry: UserCredentials) -> tuple[list[Node], list[tuple[Node, Unknown]]]:
    """A user's active keys, and the keys whose status is unknown (a key is active when any
    of its variants is)."""
    active: list[Node] = []
    undecided: list[tuple[Node, Unknown]] = []
    for key in entry.access_keys:
        states = [key_state(r) for r in key.resources]
        if "active" in states:
            active.append(key)
        else:
            unknown = next((s for s in states if isinstance(s, Unknown)), None)
            if unknown is not None:
                undecided.append((key, unknown))
    return active, undecided


# --- edge extraction ----------------------------------------------------------------------

TERRAFORM_PRINCIPALS = {"user": USER, "group": GROUP, "role": ROLE}


def _items(value: Any) -> list[Any]:
    """A list attribute as items; an Unknown list is one (unresolvable) item."""
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _block(value: Any) -> dict:
    """The first nested block (Terraform) or the object (CloudFormation), else {}."""
    if isinstance(value, list):
        value = value[0] if value else {}
    return value if isinstance(value, dict) else {}


def _edges_declared_by(graph: Graph, resource: Resource) -> list[Edge]:
    extract = _TERRAFORM_EDGES.get(resource.kind)
    if resource.framework == CLOUDFORMATION:
        extract = _CLOUDFORMATION_EDGES.get(resource.kind)
    return list(extract(graph, resource)) if extract else []


class _Writer:
    """Small helpers shared by the extraction functions below."""

    def __init__(self, graph: Graph, resource: Resource) -> None:
        self.graph = graph
        self.resource = resource
        self.me = Target(None, (graph.node(resource),))

    def to(self, value: Any, role: str) -> Target:
        return self.graph.resolve(value, self.resource, role)

    def edge(
        self,
        relation: str,
        source: Target,
        target: Target,
        attribute: str,
        documents: tuple[PolicySource, ...] = (),
        location: Location | None = None,
    ) -> Edge:
        where = location or self.resource.loc(attribute)
        return Edge(relation, source, target, self.resource, where, documents)

    def identity_documents(self, prefix: str = "") -> tuple[PolicySource, ...]:
        return tuple(
            s
            for s in documents_of(self.resource)
            if s.kind == IDENTITY and s.path.startswith(prefix)
        )


def _tf_membership(graph: Graph, resource: Resource) -> Iterable[Edge]:
    w = _Writer(graph, resource)
    if resource.kind == "aws_iam_group_membership":
        group = w.to(resource.attrs.get("group"), GROUP)
        for user in _items(resource.attrs.get("users")):
            yield w.edge(MEMBER_OF, w.to(user, USER), group, "users")
    else:
        user = w.to(resource.attrs.get("user"), USER)
        for group in _items(resource.attrs.get("groups")):
            yield w.edge(MEMBER_OF, user, w.to(group, GROUP), "groups")


def _tf_inline(graph: Graph, resource: Resource) -> Iterable[Edge]:
    w = _Writer(graph, resource)
    principal = resource.kind.split("_")[2]  # aws_iam_user_policy -> user
    source = w.to(resource.attrs.get(principal), TERRAFORM_PRINCIPALS[principal])
    yield w.edge(INLINE_POLICY, source, w.me, principal, w.identity_documents())


def _tf_attachment(graph: Graph, resource: Resource) -> Iterable[Edge]:
    w = _Writer(graph, resource)
    principal = resource.kind.split("_")[2]
    source = w.to(resource.attrs.get(principal), TERRAFORM_PRINCIPALS[principal])
    yield w.edge(
        MANAGED_POLICY, source, w.to(resource.attrs.get("policy_arn"), POLICY), "policy_arn"
    )


def _tf_exclusive_attachments(graph: Graph, resource: Resource) -> Iterable[Edge]:
    w = _Writer(graph, resource)
    principal = resource.kind.split("_")[2]
    source = w.to(resource.attrs.get(f"{principal}_name"), TERRAFORM_PRINCIPALS[principal])
    for arn in _items(resource.attrs.get("policy_arns")):
        yield w.edge(MANAGED_POLICY, source, w.to(arn, POLICY), "policy_arns")


def _tf_policy_attachment(graph: Graph, resource: Resource) -> Iterable[Edge]:
    w = _Writer(graph, resource)
    policy = w.to(resource.attrs.get("policy_arn"), POLICY)
    for attribute, role in (("users", USER), ("groups", GROUP), ("roles", ROLE)):
        for principal in _items(resource.attrs.get(attribute)):
            yield w.edge(MANAGED_POLICY, w.to(principal, role), policy, attribute)


def _tf_role(graph: Graph, resource: Resource) -> Iterable[Edge]:
    w = _Writer(graph, resource)
    for source in w.identity_documents("inline_policy"):
        yield w.edge(INLINE_POLICY, w.me, w.me, "inline_policy", (source,), source.location)
    for arn in _items(resource.attrs.get("managed_policy_arns")):
        yield w.edge(MANAGED_POLICY, w.me, w.to(arn, POLICY), "managed_policy_arns")


def _tf_to_user(relation: str):
    def extract(graph: Graph, resource: Resource) -> Iterable[Edge]:
        w = _Writer(graph, resource)
        yield w.edge(relation, w.me, w.to(resource.attrs.get("user"), USER), "user")

    return extract


def _tf_instance_profile(graph: Graph, resource: Resource) -> Iterable[Edge]:
    w = _Writer(graph, resource)
    for attribute in ("role", "roles"):
        for role in _items(resource.attrs.get(attribute)):
            yield w.edge(PROFILE_ROLE, w.me, w.to(role, ROLE), attribute)


def _tf_instance(graph: Graph, resource: Resource) -> Iterable[Edge]:
    w = _Writer(graph, resource)
    profile = resource.attrs.get("iam_instance_profile")
    if profile is not None and profile != "":
        yield w.edge(USES_PROFILE, w.me, w.to(profile, INSTANCE_PROFILE), "iam_instance_profile")
    template = _block(resource.attrs.get("launch_template"))
    for key in ("id", "name"):
        if template.get(key) is not None:
            target = w.to(template[key], LAUNCH_TEMPLATE)
            yield w.edge(
                LAUNCHED_FROM, w.me, target, "launch_template", location=location_of(template)
            )
            break


def _tf_launch_template(graph: Graph, resource: Resource) -> Iterable[Edge]:
    w = _Writer(graph, resource)
    profile = _block(resource.attrs.get("iam_instance_profile"))
    for key in ("arn", "name"):
        if profile.get(key) not in (None, ""):
            target = w.to(profile[key], INSTANCE_PROFILE)
            yield w.edge(USES_PROFILE, w.me, target, "iam_instance_profile")
            break


def _tf_launch_configuration(graph: Graph, resource: Resource) -> Iterable[Edge]:
    w = _Writer(graph, resource)
    profile = resource.attrs.get("iam_instance_profile")
    if profile not in (None, ""):
        yield w.edge(USES_PROFILE, w.me, w.to(profile, INSTANCE_PROFILE), "iam_instance_profile")


def _template_user(
    block: dict, keys: tuple[str, str], w: _Writer, attribute: str
) -> Iterable[Edge]:
    for key in keys:
        if block.get(key) is not None:
            target = w.to(block[key], LAUNCH_TEMPLATE)
            yield w.edge(TEMPLATE_USER, w.me, target, attribute)
            return


def _tf_eks_node_group(graph: Graph, resource: Resource) -> Iterable[Edge]:
    w = _Writer(graph, resource)
    block = _block(resource.attrs.get("launch_template"))
    yield from _template_user(block, ("id", "name"), w, "launch_template")


def _tf_batch(graph: Graph, resource: Resource) -> Iterable[Edge]:
    w = _Writer(graph, resource)
    compute = _block(resource.attrs.get("compute_resources"))
    block = _block(compute.get("launch_template"))
    keys = ("launch_template_id", "launch_template_name")
    yield from _template_user(block, keys, w, "compute_resources")


_TERRAFORM_EDGES = {
    "aws_iam_group_membership": _tf_membership,
    "aws_iam_user_group_membership": _tf_membership,
    "aws_iam_user_policy": _tf_inline,
    "aws_iam_group_policy": _tf_inline,
    "aws_iam_role_policy": _tf_inline,
    "aws_iam_user_policy_attachment": _tf_attachment,
    "aws_iam_group_policy_attachment": _tf_attachment,
    "aws_iam_role_policy_attachment": _tf_attachment,
    "aws_iam_user_policy_attachments_exclusive": _tf_exclusive_attachments,
    "aws_iam_group_policy_attachments_exclusive": _tf_exclusive_attachments,
    "aws_iam_role_policy_attachments_exclusive": _tf_exclusive_attachments,
    "aws_iam_policy_attachment": _tf_policy_attachment,
    "aws_iam_role": _tf_role,
    "aws_iam_user_login_profile": _tf_to_user(LOGIN_PROFILE),
    "aws_iam_access_key": _tf_to_user(ACCESS_KEY),
    "aws_iam_instance_profile": _tf_instance_profile,
    "aws_instance": _tf_instance,
    "aws_spot_instance_request": _tf_instance,
    "aws_launch_template": _tf_launch_template,
    "aws_launch_configuration": _tf_launch_configuration,
    "aws_eks_node_group": _tf_eks_node_group,
    "aws_batch_compute_environment": _tf_batch,
}


def _cfn_principal(graph: Graph, resource: Resource) -> Iterable[Edge]:
    """AWS::IAM::User / Group / Role: Policies, ManagedPolicyArns, Groups, LoginProfile."""
    w = _Writer(graph, resource)
    for source in w.identity_documents("Policies"):
        yield w.edge(INLINE_POLICY, w.me, w.me, "Policies", (source,), source.location)
    for arn in _items(resource.attrs.get("ManagedPolicyArns")):
        yield w.edge(MANAGED_POLICY, w.me, w.to(arn, POLICY), "ManagedPolicyArns")
    if resource.kind == "AWS::IAM::User":
        for group in _items(resource.attrs.get("Groups")):
            yield w.edge(MEMBER_OF, w.me, w.to(group, GROUP), "Groups")
        if resource.attrs.get("LoginProfile") is not None:
            yield w.edge(LOGIN_PROFILE, w.me, w.me, "LoginProfile")


def _cfn_user_to_group(graph: Graph, resource: Resource) -> Iterable[Edge]:
    w = _Writer(graph, resource)
    group = w.to(resource.attrs.get("GroupName"), GROUP)
    for user in _items(resource.attrs.get("Users")):
        yield w.edge(MEMBER_OF, w.to(user, USER), group, "Users")


def _cfn_policy(graph: Graph, resource: Resource) -> Iterable[Edge]:
    """AWS::IAM::Policy (inline into each principal) and AWS::IAM::ManagedPolicy."""
    w = _Writer(graph, resource)
    managed = resource.kind == "AWS::IAM::ManagedPolicy"
    documents = () if managed else w.identity_documents()
    for attribute, role in (("Users", USER), ("Groups", GROUP), ("Roles", ROLE)):
        for principal in _items(resource.attrs.get(attribute)):
            source = w.to(principal, role)
            relation = MANAGED_POLICY if managed else INLINE_POLICY
            yield w.edge(relation, source, w.me, attribute, documents)


def _cfn_single_principal_policy(graph: Graph, resource: Resource) -> Iterable[Edge]:
    """AWS::IAM::UserPolicy / GroupPolicy / RolePolicy."""
    w = _Writer(graph, resource)
    principal = resource.kind.removeprefix("AWS::IAM::").removesuffix("Policy")
    attribute = f"{principal}Name"
    source = w.to(resource.attrs.get(attribute), principal.lower())
    yield w.edge(INLINE_POLICY, source, w.me, attribute, w.identity_documents())


def _cfn_access_key(graph: Graph, resource: Resource) -> Iterable[Edge]:
    w = _Writer(graph, resource)
    yield w.edge(ACCESS_KEY, w.me, w.to(resource.attrs.get("UserName"), USER), "UserName")


def _cfn_instance_profile(graph: Graph, resource: Resource) -> Iterable[Edge]:
    w = _Writer(graph, resource)
    for role in _items(resource.attrs.get("Roles")):
        yield w.edge(PROFILE_ROLE, w.me, w.to(role, ROLE), "Roles")


def _cfn_instance(graph: Graph, resource: Resource) -> Iterable[Edge]:
    w = _Writer(graph, resource)
    profile = resource.attrs.get("IamInstanceProfile")
    if profile not in (None, ""):
        yield w.edge(USES_PROFILE, w.me, w.to(profile, INSTANCE_PROFILE), "IamInstanceProfile")
    template = _block(resource.attrs.get("LaunchTemplate"))
    for key in ("LaunchTemplateId", "LaunchTemplateName"):
        if template.get(key) is not None:
            yield w.edge(
                LAUNCHED_FROM, w.me, w.to(template[key], LAUNCH_TEMPLATE), "LaunchTemplate"
            )
            break


def _cfn_launch_template(graph: Graph, resource: Resource) -> Iterable[Edge]:
    w = _Writer(graph, resource)
    profile = _block(_block(resource.attrs.get("LaunchTemplateData")).get("IamInstanceProfile"))
    for key in ("Arn", "Name"):
        if profile.get(key) not in (None, ""):
            target = w.to(profile[key], INSTANCE_PROFILE)
            yield w.edge(USES_PROFILE, w.me, target, "LaunchTemplateData")
            break


def _cfn_nodegroup(graph: Graph, resource: Resource) -> Iterable[Edge]:
    w = _Writer(graph, resource)
    block = _block(resource.attrs.get("LaunchTemplate"))
    yield from _template_user(block, ("Id", "Name"), w, "LaunchTemplate")


def _cfn_batch(graph: Graph, resource: Resource) -> Iterable[Edge]:
    w = _Writer(graph, resource)
    block = _block(_block(resource.attrs.get("ComputeResources")).get("LaunchTemplate"))
    keys = ("LaunchTemplateId", "LaunchTemplateName")
    yield from _template_user(block, keys, w, "ComputeResources")


_CLOUDFORMATION_EDGES = {
    "AWS::IAM::User": _cfn_principal,
    "AWS::IAM::Group": _cfn_principal,
    "AWS::IAM::Role": _cfn_principal,
    "AWS::IAM::UserToGroupAddition": _cfn_user_to_group,
    "AWS::IAM::Policy": _cfn_policy,
    "AWS::IAM::ManagedPolicy": _cfn_policy,
    "AWS::IAM::UserPolicy": _cfn_single_principal_policy,
    "AWS::IAM::GroupPolicy": _cfn_single_principal_policy,
    "AWS::IAM::RolePolicy": _cfn_single_principal_policy,
    "AWS::IAM::AccessKey": _cfn_access_key,
    "AWS::IAM::InstanceProfile": _cfn_instance_profile,
    "AWS::EC2::Instance": _cfn_instance,
    "AWS::AutoScaling::LaunchConfiguration": _cfn_instance,
    "AWS::EC2::LaunchTemplate": _cfn_launch_template,
    "AWS::EKS::Nodegroup": _cfn_nodegroup,
    "AWS::Batch::ComputeEnvironment": _cfn_batch,
}


def terraform_kinds() -> set[str]:
    """Terraform resource kinds the graph reads (the parser may skip all others' bodies)."""
    return set(_TERRAFORM_EDGES) | {k for k in NAMED_KINDS if not k.startswith("AWS::")}
