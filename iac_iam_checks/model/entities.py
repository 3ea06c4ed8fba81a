"""Typed IAM entities: what a resource *means*, whatever format it was written in.

``entity_tables`` fills one of these for every resource it knows (Terraform HCL, plan JSON,
CloudFormation, checkov's conf dicts); the identity graph is built from them and the identity
checks read them, so neither knows an attribute name. Fields hold plain values or the model's
markers (``Unknown``, ``Template``, ``PolicyDocument``): an attribute that could not be
resolved stays ``Unknown``; one that is unset (or null) holds the format's default, else None.
List fields keep the value as written (a list, or ``Unknown``/``Template`` when the whole list
is unknown, or None); ``items()`` reads them as items.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .values import Location, Resource, Template, Unknown

USER = "user"
GROUP = "group"
ROLE = "role"
POLICY = "policy"
INSTANCE_PROFILE = "instance_profile"
LAUNCH_TEMPLATE = "launch_template"


def items(value: Any) -> list[Any]:
    """A list field as items; an unknown list is one (unresolvable) item, unset is none."""
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def unknown_of(value: Any) -> Unknown | None:
    """The Unknown that makes a value undecidable (a Template's first hole), else None."""
    if isinstance(value, Unknown):
        return value
    if isinstance(value, Template):
        return value.unknowns[0]
    return None


@dataclass(kw_only=True, eq=False, repr=False)
class Entity:
    """Common to every entity: the resource it came from, where each field was written, and
    the attribute name each field was written as (messages quote what the user wrote).

    Entities are compared by identity and share this class's short ``repr``
    (``eq=False, repr=False`` on every entity class): every process creates these classes at
    start-up, and the ``__eq__`` and ``__repr__`` a dataclass writes for each were half of
    that (about 3 ms per process); nothing compares entities by value. Subclasses that add no
    field are plain subclasses: they inherit all a dataclass would write for them again."""

    resource: Resource
    name: Any = None
    """The entity's own name (a user's, a policy's), as written."""
    count_unknown: Unknown | None = None
    """Set when the resource's ``count``/``for_each`` is unknown (how many it creates)."""
    where: dict[str, Location] = field(default_factory=dict)
    written: dict[str, str] = field(default_factory=dict)

    def loc(self, name: str) -> Location:
        """Where a field was written, or the resource when it was not."""
        return self.where.get(name) or self.resource.location

    def attribute(self, name: str) -> str:
        """The attribute a field was written as (``ManagedPolicyArns``, ``policy_arns``)."""
        return self.written.get(name, name)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.resource.address})"

    @property
    def address(self) -> str:
        return self.resource.address

    @property
    def is_data(self) -> bool:
        """A Terraform data source: it exists outside the scan."""
        return self.resource.is_data

    @property
    def display_name(self) -> str:
        """How messages name it: ``'alice'`` when it has a literal name, else its address."""
        return f"'{self.name}'" if isinstance(self.name, str) and self.name else self.address


@dataclass(frozen=True)
class InlineEntry:
    """One inline policy entry of a principal (a Terraform ``inline_policy`` block, a
    CloudFormation ``Policies`` item)."""

    name: Any
    location: Location
    blank: bool
    """An empty block (``inline_policy {}``: "no inline policies")."""


# --- principals and policies --------------------------------------------------------------


@dataclass(kw_only=True, eq=False, repr=False)
class Principal(Entity):
    """A user, group or role, with what it declares itself."""

    managed_policy_arns: Any = None
    inline_policies: Any = None
    """A list of ``InlineEntry``, or Unknown/Template when the list is, or None."""
    inline_path: str | None = None
    """Where its inline documents sit among ``documents_of(resource)`` (a path prefix)."""
    permissions_boundary: Any = None
    """The managed policy ARN that caps what its identity policies allow (users, roles)."""


@dataclass(kw_only=True, eq=False, repr=False)
class User(Principal):
    groups: Any = None
    login_profile: Any = None
    """A login profile declared on the user itself (CloudFormation ``LoginProfile``)."""
    embeds_login_profile: bool = False
    """Whether this format declares login profiles on the user (then it has no separate
    password policy resource either)."""


class Group(Principal):
    pass


class Role(Principal):
    pass


@dataclass(kw_only=True, eq=False, repr=False)
class Attached(Entity):
    """A policy or attachment that names its principals: either one principal of one type
    (``principal_type`` USER/GROUP/ROLE, ``principal``) or lists of each."""

    principal_type: str | None = None
    principal: Any = None
    users: Any = None
    groups: Any = None
    roles: Any = None

    def principals(self) -> list[tuple[str, str, Any]]:
        """(type, field, value) for every principal written, in users/groups/roles order."""
        if self.principal_type is not None:
            return [(self.principal_type, "principal", self.principal)]
        listed = ((USER, "users"), (GROUP, "groups"), (ROLE, "roles"))
        return [(kind, name, v) for kind, name in listed for v in items(getattr(self, name))]

    @property
    def principal_label(self) -> str:
        """What it is embedded in / attached to, for messages."""
        return self.principal_type or "users, groups or roles"


@dataclass(kw_only=True, eq=False, repr=False)
class InlinePolicy(Attached):
    """A policy that lives inside its principals (``aws_iam_user_policy``,
    ``AWS::IAM::Policy``)."""

    cdk_default: bool = False
    """A policy the CDK synthesizes for grants (``.../DefaultPolicy/Resource``)."""


@dataclass(kw_only=True, eq=False, repr=False)
class ManagedPolicy(Attached):
    """A customer managed policy; CloudFormation may list the principals it attaches to."""

    arn: Any = None
    """The ARN a looked-up policy (``data "aws_iam_policy"``) states."""


@dataclass(kw_only=True, eq=False, repr=False)
class PolicyAttachment(Attached):
    """Attaches managed policies to principals: one (``policy_arn``) or a set
    (``policy_arns``, exclusive attachments)."""

    policy_arn: Any = None
    policy_arns: Any = None
    exclusive: bool = False

    def policies(self) -> list[tuple[str, Any]]:
        """(field, value) for every policy ARN written."""
        if self.exclusive:
            return [("policy_arns", v) for v in items(self.policy_arns)]
        return [("policy_arn", self.policy_arn)]


@dataclass(kw_only=True, eq=False, repr=False)
class Membership(Entity):
    """Users in groups: one group listing users, or one user listing groups
    (``listed`` says which side is the list)."""

    user: Any = None
    group: Any = None
    users: Any = None
    groups: Any = None
    listed: str = USER


# --- credentials --------------------------------------------------------------------------


@dataclass(kw_only=True, eq=False, repr=False)
class LoginProfile(Entity):
    user: Any = None


@dataclass(kw_only=True, eq=False, repr=False)
class AccessKey(Entity):
    user: Any = None
    status: Any = "Active"
    pgp_key: Any = None
    secret_in_state: bool = False
    """Whether the format keeps the secret in its state (Terraform) unless ``pgp_key``."""

    @property
    def state(self) -> str | Unknown:
        """ "active" or "inactive", or the Unknown status."""
        unknown = unknown_of(self.status)
        if unknown is not None:
            return unknown
        status = self.status
        return "inactive" if isinstance(status, str) and status.lower() == "inactive" else "active"


@dataclass(kw_only=True, eq=False, repr=False)
class PasswordPolicy(Entity):
    minimum_password_length: Any = None
    require_uppercase_characters: Any = None
    require_lowercase_characters: Any = None
    require_numbers: Any = None
    require_symbols: Any = None
    password_reuse_prevention: Any = None
    max_password_age: Any = None


# --- instance profiles and compute --------------------------------------------------------


@dataclass(kw_only=True, eq=False, repr=False)
class InstanceProfile(Entity):
    role: Any = None
    roles: Any = None

    def role_values(self) -> list[tuple[str, Any]]:
        """(field, value) for every role written."""
        return [(name, v) for name in ("role", "roles") for v in items(getattr(self, name))]


@dataclass(kw_only=True, eq=False, repr=False)
class Compute(Entity):
    """EC2 compute that may name an instance profile (instances, spot requests, launch
    configurations, launch templates)."""

    instance_profile: Any = None


@dataclass(kw_only=True, eq=False, repr=False)
class Instance(Compute):
    launch_template: Any = None
    """The launch template it is launched from (id or name), when written."""


class LaunchConfiguration(Compute):
    pass


class LaunchTemplate(Compute):
    pass


@dataclass(kw_only=True, eq=False, repr=False)
class TemplateUser(Entity):
    """A service that launches instances from a launch template and supplies their role."""

    launch_template: Any = None


class EksNodeGroup(TemplateUser):
    pass


class BatchComputeEnvironment(TemplateUser):
    pass


@dataclass(kw_only=True, eq=False, repr=False)
class Declaration(Entity):
    """A variable, local or parameter: a named value the configuration declares. Its own
    name says what its value is (a variable ``secret_key``)."""

    value_field: str = ""
    """The attribute that holds the declared value (``default``, ``value``, ``Default``)."""


NAMED_ROLES: dict[type[Entity], str] = {
    User: USER,
    Group: GROUP,
    Role: ROLE,
    ManagedPolicy: POLICY,
    InstanceProfile: INSTANCE_PROFILE,
    LaunchTemplate: LAUNCH_TEMPLATE,
}
"""Entities that other resources point at (by reference or by name), and their role."""
