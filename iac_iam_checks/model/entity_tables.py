"""Which attribute means what, per format: the only place that knows attribute names.

One table per format: ``TERRAFORM`` serves HCL, ``.tf.json`` and plan JSON (and checkov's
Terraform conf dicts once reshaped), ``CLOUDFORMATION`` serves templates (and checkov's CFN conf
dicts). ``entity_of(resource)`` fills the resource's entity from its table once.

A field's spec is an attribute name, ``Fixed`` (a fact about the resource kind), an ``Attr``
(a dotted path through nested blocks, optionally the first of several keys set in the block
there, with the format's default when unset), or ``Entries`` (a principal's inline policies).
Which attribute holds which *policy document* is the other per-format table,
``policy_sources``; inline documents are found there by the ``Entries`` path.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .entities import (
    GROUP,
    ROLE,
    USER,
    AccessKey,
    BatchComputeEnvironment,
    Declaration,
    EksNodeGroup,
    Entity,
    Group,
    InlineEntry,
    InlinePolicy,
    Instance,
    InstanceProfile,
    LaunchConfiguration,
    LaunchTemplate,
    LoginProfile,
    ManagedPolicy,
    Membership,
    PasswordPolicy,
    PolicyAttachment,
    Role,
    User,
)
from .values import CLOUDFORMATION, Location, Resource, Unknown, location_of


@dataclass(frozen=True)
class Attr:
    """An attribute, or a path through nested blocks (``compute_resources.launch_template``:
    the first block at each step)."""

    path: str
    keys: tuple[str, ...] = ()
    """Read the first of these keys set in the block at ``path`` (``arn``, else ``name``)."""
    default: Any = None
    """The format's default when the attribute is unset or null."""
    empty_is_unset: bool = True
    """Whether ``""`` counts as unset when choosing among ``keys``."""
    opaque: bool = False
    """A block that is not an object (an Unknown block) is itself the value."""
    block_location: bool = False
    """Locate the field at the block that holds it rather than at the top attribute."""

    @property
    def top(self) -> str:
        return self.path.split(".", 1)[0]


@dataclass(frozen=True)
class Entries:
    """A principal's inline policies: a list of objects, each named by ``name``."""

    path: str
    name: str

    @property
    def top(self) -> str:
        return self.path


@dataclass(frozen=True)
class Fixed:
    """A fact about the resource kind itself (it attaches to a user, it lists groups)."""

    value: Any


@dataclass(frozen=True)
class Derived:
    """A fact computed from the resource as a whole (its CloudFormation Metadata)."""

    compute: Callable[[Resource], Any]


@dataclass(frozen=True)
class Kind:
    """How one resource kind fills its entity."""

    entity: type[Entity]
    fields: dict[str, Any]
    data: dict[str, Any] = field(default_factory=dict)
    """Fields that a data source of this kind spells differently."""


def _cdk_default_policy(resource: Resource) -> bool:
    """A policy the CDK synthesizes for grants (``.../DefaultPolicy/Resource``)."""
    metadata = resource.metadata if isinstance(resource.metadata, dict) else {}
    cfn_metadata = metadata.get("Metadata")
    path = cfn_metadata.get("aws:cdk:path") if isinstance(cfn_metadata, dict) else None
    return isinstance(path, str) and "DefaultPolicy" in path.split("/")


_TF_PASSWORD_FIELDS = (
    "minimum_password_length",
    "require_uppercase_characters",
    "require_lowercase_characters",
    "require_numbers",
    "require_symbols",
    "password_reuse_prevention",
    "max_password_age",
)
_TF_PRINCIPAL = {USER: "user", GROUP: "group", ROLE: "role"}


def _tf_per_principal() -> dict[str, Kind]:
    """``aws_iam_<principal>_policy``, ``..._policy_attachment``, ``..._attachments_exclusive``."""
    out = {}
    for kind, attribute in _TF_PRINCIPAL.items():
        one = {"principal_type": Fixed(kind)}
        out[f"aws_iam_{attribute}_policy"] = Kind(
            InlinePolicy, {**one, "name": "name", "principal": attribute}
        )
        out[f"aws_iam_{attribute}_policy_attachment"] = Kind(
            PolicyAttachment, {**one, "principal": attribute, "policy_arn": "policy_arn"}
        )
        out[f"aws_iam_{attribute}_policy_attachments_exclusive"] = Kind(
            PolicyAttachment,
            {
                **one,
                "principal": f"{attribute}_name",
                "policy_arns": "policy_arns",
                "exclusive": Fixed(True),
            },
        )
    return out


_TF_INSTANCE = Kind(
    Instance,
    {
        "instance_profile": "iam_instance_profile",
        "launch_template": Attr(
            "launch_template", ("id", "name"), empty_is_unset=False, block_location=True
        ),
    },
)

TERRAFORM: dict[str, Kind] = {
    "aws_iam_user": Kind(
        User,
        {"name": "name", "permissions_boundary": "permissions_boundary"},
        data={"name": "user_name"},
    ),
    "aws_iam_group": Kind(Group, {"name": "name"}, data={"name": "group_name"}),
    "aws_iam_role": Kind(
        Role,
        {
            "name": "name",
            "permissions_boundary": "permissions_boundary",
            "managed_policy_arns": "managed_policy_arns",
            "inline_policies": Entries("inline_policy", "name"),
        },
    ),
    "aws_iam_policy": Kind(ManagedPolicy, {"name": "name", "arn": "arn"}),
    **_tf_per_principal(),
    "aws_iam_policy_attachment": Kind(
        PolicyAttachment,
        {"policy_arn": "policy_arn", "users": "users", "groups": "groups", "roles": "roles"},
    ),
    "aws_iam_group_membership": Kind(Membership, {"group": "group", "users": "users"}),
    "aws_iam_user_group_membership": Kind(
        Membership, {"user": "user", "groups": "groups", "listed": Fixed(GROUP)}
    ),
    "aws_iam_user_login_profile": Kind(LoginProfile, {"user": "user"}),
    "aws_iam_access_key": Kind(
        AccessKey,
        {
            "user": "user",
            "status": Attr("status", default="Active"),
            "pgp_key": "pgp_key",
            "secret_in_state": Fixed(True),
        },
    ),
    "aws_iam_instance_profile": Kind(
        InstanceProfile, {"name": "name", "role": "role", "roles": "roles"}
    ),
    "aws_instance": _TF_INSTANCE,
    "aws_spot_instance_request": _TF_INSTANCE,
    "aws_launch_template": Kind(
        LaunchTemplate,
        {
            "name": "name",
            "instance_profile": Attr("iam_instance_profile", ("arn", "name"), opaque=True),
        },
    ),
    "aws_launch_configuration": Kind(
        LaunchConfiguration, {"instance_profile": "iam_instance_profile"}
    ),
    "aws_eks_node_group": Kind(
        EksNodeGroup,
        {"launch_template": Attr("launch_template", ("id", "name"), empty_is_unset=False)},
    ),
    "aws_batch_compute_environment": Kind(
        BatchComputeEnvironment,
        {
            "launch_template": Attr(
                "compute_resources.launch_template",
                ("launch_template_id", "launch_template_name"),
                empty_is_unset=False,
            )
        },
    ),
    "variable": Kind(Declaration, {"value_field": Fixed("default")}),
    "locals": Kind(Declaration, {"value_field": Fixed("value")}),
    "aws_iam_account_password_policy": Kind(
        PasswordPolicy, {name: name for name in _TF_PASSWORD_FIELDS}
    ),
}
"""Terraform (HCL, JSON, plan) resource and data source kinds."""


def _cfn_principal(entity: type[Entity], name: str, **extra: Any) -> Kind:
    return Kind(
        entity,
        {
            "name": name,
            "managed_policy_arns": "ManagedPolicyArns",
            "inline_policies": Entries("Policies", "PolicyName"),
            **extra,
        },
    )


_CFN_LISTS = {"users": "Users", "groups": "Groups", "roles": "Roles"}
_CFN_CDK = {"cdk_default": Derived(_cdk_default_policy)}

CLOUDFORMATION_TABLE: dict[str, Kind] = {
    "AWS::IAM::User": _cfn_principal(
        User,
        "UserName",
        groups="Groups",
        login_profile="LoginProfile",
        embeds_login_profile=Fixed(True),
        permissions_boundary="PermissionsBoundary",
    ),
    "AWS::IAM::Group": _cfn_principal(Group, "GroupName"),
    "AWS::IAM::Role": _cfn_principal(Role, "RoleName", permissions_boundary="PermissionsBoundary"),
    "AWS::IAM::ManagedPolicy": Kind(ManagedPolicy, {"name": "ManagedPolicyName", **_CFN_LISTS}),
    "AWS::IAM::Policy": Kind(InlinePolicy, {"name": "PolicyName", **_CFN_LISTS, **_CFN_CDK}),
    **{
        f"AWS::IAM::{title}Policy": Kind(
            InlinePolicy,
            {
                "name": "PolicyName",
                "principal_type": Fixed(kind),
                "principal": f"{title}Name",
                **_CFN_CDK,
            },
        )
        for kind, title in ((USER, "User"), (GROUP, "Group"), (ROLE, "Role"))
    },
    "Parameter": Kind(Declaration, {"value_field": Fixed("Default")}),
    "AWS::IAM::UserToGroupAddition": Kind(Membership, {"group": "GroupName", "users": "Users"}),
    "AWS::IAM::AccessKey": Kind(
        AccessKey, {"user": "UserName", "status": Attr("Status", default="Active")}
    ),
    "AWS::IAM::InstanceProfile": Kind(
        InstanceProfile, {"name": "InstanceProfileName", "roles": "Roles"}
    ),
    "AWS::EC2::Instance": Kind(
        Instance,
        {
            "instance_profile": "IamInstanceProfile",
            "launch_template": Attr(
                "LaunchTemplate", ("LaunchTemplateId", "LaunchTemplateName"), empty_is_unset=False
            ),
        },
    ),
    "AWS::AutoScaling::LaunchConfiguration": Kind(
        LaunchConfiguration, {"instance_profile": "IamInstanceProfile"}
    ),
    "AWS::EC2::LaunchTemplate": Kind(
        LaunchTemplate,
        {
            "name": "LaunchTemplateName",
            "instance_profile": Attr(
                "LaunchTemplateData.IamInstanceProfile", ("Arn", "Name"), opaque=True
            ),
        },
    ),
    "AWS::EKS::Nodegroup": Kind(
        EksNodeGroup,
        {"launch_template": Attr("LaunchTemplate", ("Id", "Name"), empty_is_unset=False)},
    ),
    "AWS::Batch::ComputeEnvironment": Kind(
        BatchComputeEnvironment,
        {
            "launch_template": Attr(
                "ComputeResources.LaunchTemplate",
                ("LaunchTemplateId", "LaunchTemplateName"),
                empty_is_unset=False,
            )
        },
    ),
}
"""CloudFormation resource types."""


def table_for(resource: Resource) -> dict[str, Kind]:
    return CLOUDFORMATION_TABLE if resource.framework == CLOUDFORMATION else TERRAFORM


def entity_of(resource: Resource) -> Entity | None:
    """The resource's entity (computed once), or None for a kind no table lists."""
    if "entity" not in resource.derived:
        resource.derived["entity"] = _fill(resource)
    return resource.derived["entity"]


def entity_type_of(resource: Resource) -> type[Entity] | None:
    """The class ``entity_of`` gives the resource, known without filling it."""
    kind = table_for(resource).get(resource.kind)
    return None if kind is None else kind.entity


def terraform_kinds() -> set[str]:
    """Terraform kinds whose bodies the model reads (the parser may skip all others')."""
    return {kind for kind, spec in TERRAFORM.items() if spec.entity is not Declaration}


def _fill(resource: Resource) -> Entity | None:
    kind = table_for(resource).get(resource.kind)
    if kind is None:
        return None
    as_data = bool(kind.data) and resource.is_data
    specs = _specs(resource.framework == CLOUDFORMATION, resource.kind, as_data)
    metadata = resource.metadata if isinstance(resource.metadata, dict) else {}
    count = metadata.get("count_unknown")
    values: dict[str, Any] = {}
    where: dict[str, Location] = {}
    written: dict[str, str] = {}
    for name, spec in specs:
        if isinstance(spec, Fixed):
            values[name] = spec.value
        elif isinstance(spec, Derived):
            values[name] = spec.compute(resource)
        elif isinstance(spec, Entries):
            values[name] = _entries(resource, spec)
            where[name], written[name] = resource.loc(spec.top), spec.top
            values["inline_path"] = spec.path
        elif isinstance(spec, Attr):
            values[name], block = _read(resource.attrs, spec)
            at = location_of(block) if spec.block_location else None
            where[name], written[name] = at or resource.loc(spec.top), spec.top
        else:
            raise TypeError(f"{resource.kind}.{name}: unknown field spec {spec!r}")
    return kind.entity(
        resource=resource,
        count_unknown=count if isinstance(count, Unknown) else None,
        where=where,
        written=written,
        **values,
    )


@functools.cache
def _specs(cloudformation: bool, kind: str, as_data: bool) -> tuple[tuple[str, Any], ...]:
    """A kind's field specs (a data source's spellings applied, plain names made ``Attr``),
    built once per kind rather than per resource."""
    entry = (CLOUDFORMATION_TABLE if cloudformation else TERRAFORM)[kind]
    specs = {**entry.fields, **(entry.data if as_data else {})}
    return tuple((name, Attr(s) if isinstance(s, str) else s) for name, s in specs.items())


def _first_block(value: Any) -> Any:
    """A nested block: the first of a list (``{}`` when it is no object), or the object. A
    ``dynamic`` block whose ``for_each`` is unknown is an Unknown item: it stays Unknown (an
    ``opaque`` field takes it as its value) rather than an empty block."""
    if isinstance(value, list):
        first = value[0] if value else None
        return first if isinstance(first, (dict, Unknown)) else {}
    return value


def _read(attrs: dict[str, Any], spec: Attr) -> tuple[Any, Any]:
    """(value, the block it was read from) for one ``Attr``."""
    steps = spec.path.split(".")
    if not spec.keys:
        holder: Any = attrs
        for step in steps[:-1]:
            holder = _first_block(holder.get(step)) if isinstance(holder, dict) else None
        value = holder.get(steps[-1]) if isinstance(holder, dict) else None
        return (spec.default if value is None else value), holder
    block: Any = attrs
    for step in steps:
        block = _first_block(block.get(step)) if isinstance(block, dict) else None
        if not isinstance(block, dict):
            return (block if spec.opaque and block is not None else None), block
    unset = (None, "") if spec.empty_is_unset else (None,)
    for key in spec.keys:
        if block.get(key) not in unset:
            return block[key], block
    return spec.default, block


def _entries(resource: Resource, spec: Entries) -> Any:
    value = resource.attrs.get(spec.path)
    if not isinstance(value, list):
        return value
    return [
        InlineEntry(
            name=entry.get(spec.name) if isinstance(entry, dict) else None,
            location=location_of(entry) or resource.loc(spec.path),
            blank=isinstance(entry, dict) and not any(v is not None for v in entry.values()),
        )
        for entry in value
    ]
