"""Which attribute of which resource kind holds which kind of policy: one table per framework.

Checks never look for policies themselves: ``documents_of(resource)`` returns every policy a
resource holds, normalized, with the attribute path, the document kind and the location of the
attribute or block. The least-privilege checks iterate over it; the identity graph uses it to
know what each policy says.

A path is dotted; ``[]`` means "each item of this list" (a single object counts as one item,
which is how SAM writes one inline document). Resource policies (bucket, key, queue) are out of
scope for now and are not listed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ..model.values import (
    CLOUDFORMATION,
    IDENTITY,
    TRUST,
    Location,
    PolicyDocument,
    Resource,
    Template,
    Unknown,
    location_of,
)
from .documents import document_from_value


@dataclass(frozen=True)
class Source:
    """Where one kind of policy lives in one resource kind."""

    path: str
    """Dotted path to the policy value, ``[]`` iterating a list of blocks/entries."""
    kind: str
    """IDENTITY or TRUST."""
    name: str | None = None
    """The attribute next to the policy that names it (``name``, ``PolicyName``)."""
    statement_objects_only: bool = False
    """Only dicts with a ``Statement`` count (SAM ``Policies`` also lists managed policy
    names and SAM policy templates, which are not documents)."""


TERRAFORM_SOURCES: dict[str, tuple[Source, ...]] = {
    "aws_iam_policy": (Source("policy", IDENTITY, "name"),),
    "aws_iam_user_policy": (Source("policy", IDENTITY, "name"),),
    "aws_iam_group_policy": (Source("policy", IDENTITY, "name"),),
    "aws_iam_role_policy": (Source("policy", IDENTITY, "name"),),
    "aws_iam_role": (
        Source("assume_role_policy", TRUST),
        Source("inline_policy[].policy", IDENTITY, "name"),
    ),
    "aws_ssoadmin_permission_set_inline_policy": (Source("inline_policy", IDENTITY),),
}
"""Terraform resource kinds (HCL and plan). ``data "aws_iam_policy_document"`` is handled
apart: it is checked on its own only when nothing uses it."""

CLOUDFORMATION_SOURCES: dict[str, tuple[Source, ...]] = {
    "AWS::IAM::Policy": (Source("PolicyDocument", IDENTITY, "PolicyName"),),
    "AWS::IAM::ManagedPolicy": (Source("PolicyDocument", IDENTITY, "ManagedPolicyName"),),
    "AWS::IAM::UserPolicy": (Source("PolicyDocument", IDENTITY, "PolicyName"),),
    "AWS::IAM::GroupPolicy": (Source("PolicyDocument", IDENTITY, "PolicyName"),),
    "AWS::IAM::RolePolicy": (Source("PolicyDocument", IDENTITY, "PolicyName"),),
    "AWS::IAM::User": (Source("Policies[].PolicyDocument", IDENTITY, "PolicyName"),),
    "AWS::IAM::Group": (Source("Policies[].PolicyDocument", IDENTITY, "PolicyName"),),
    "AWS::IAM::Role": (
        Source("AssumeRolePolicyDocument", TRUST),
        Source("Policies[].PolicyDocument", IDENTITY, "PolicyName"),
    ),
    "AWS::SSO::PermissionSet": (Source("InlinePolicy", IDENTITY),),
    "AWS::Serverless::Function": (Source("Policies[]", IDENTITY, statement_objects_only=True),),
    "AWS::Serverless::StateMachine": (Source("Policies[]", IDENTITY, statement_objects_only=True),),
}

POLICY_DOCUMENT_DATA_SOURCE = "aws_iam_policy_document"


@dataclass(frozen=True)
class PolicySource:
    """One policy document held by a resource."""

    resource: Resource
    path: str
    """Concrete path: ``policy``, ``inline_policy[1].policy``, ``Policies[0].PolicyDocument``."""
    kind: str
    document: PolicyDocument
    location: Location
    """The attribute or block that holds the policy (statements carry their own lines)."""
    name: Any = None
    """The policy's own name where it has one (str, or Unknown/Template)."""

    @property
    def label(self) -> str:
        """How messages name the policy."""
        if isinstance(self.name, str) and self.name:
            return f"'{self.name}'"
        return f"{self.resource.address} {self.path}"


def sources_for(resource: Resource) -> tuple[Source, ...]:
    table = CLOUDFORMATION_SOURCES if resource.framework == CLOUDFORMATION else TERRAFORM_SOURCES
    return table.get(resource.kind, ())


def documents_of(resource: Resource) -> list[PolicySource]:
    """Every policy document the resource holds, in table order.

    A ``data "aws_iam_policy_document"`` yields its document only when nothing uses it (as a
    trust policy when it has principals and ``sts:AssumeRole*``, else as an identity policy):
    a used one is reported through the resource that uses it. Normalized once per resource:
    eleven checks ask for the same documents.
    """
    cached = resource.derived.get("policy_sources")
    if cached is None:
        cached = resource.derived["policy_sources"] = _documents(resource)
    return list(cached)


def _documents(resource: Resource) -> list[PolicySource]:
    if resource.kind == POLICY_DOCUMENT_DATA_SOURCE:
        return _unused_data_source(resource)
    out = []
    for source in sources_for(resource):
        for path, holder, value in _walk(resource.attrs, source.path.split("."), ""):
            if value is None:
                continue
            if source.statement_objects_only and not (
                isinstance(value, dict) and "Statement" in value
            ):
                continue
            top = path.split(".")[0].split("[")[0]
            location = resource.loc(top)
            if holder is not resource.attrs:
                location = location_of(holder) or location
            document = document_from_value(value, source.kind, location, origin="")
            name = holder.get(source.name) if source.name and isinstance(holder, dict) else None
            out.append(PolicySource(resource, path, source.kind, document, location, name))
    return out


def _walk(value: Any, steps: list[str], prefix: str) -> Iterator[tuple[str, Any, Any]]:
    """Yield (concrete path, dict holding the value, value) for a path with ``[]`` steps."""
    step, rest = steps[0], steps[1:]
    iterate = step.endswith("[]")
    key = step[:-2] if iterate else step
    if not isinstance(value, dict) or key not in value:
        return
    here = f"{prefix}.{key}" if prefix else key
    item = value[key]
    if not iterate:
        if rest:
            yield from _walk(item, rest, here)
        else:
            yield here, value, item
        return
    if isinstance(item, (Unknown, Template)):
        yield here, value, item if isinstance(item, Unknown) else item.unknowns[0]
        return
    items = item if isinstance(item, list) else [item]
    for index, entry in enumerate(items):
        path = f"{here}[{index}]"
        if not rest:
            yield path, entry if isinstance(entry, dict) else value, entry
        elif isinstance(entry, (Unknown, Template)):
            unknown = entry if isinstance(entry, Unknown) else entry.unknowns[0]
            yield path, entry, unknown
        else:
            yield from _walk(entry, rest, path)


def _unused_data_source(resource: Resource) -> list[PolicySource]:
    metadata = resource.metadata if isinstance(resource.metadata, dict) else {}
    if metadata.get("used"):
        return []
    value = resource.attrs.get("json")
    if value is None:
        return []
    location = resource.location
    document = document_from_value(value, IDENTITY, location, origin=resource.address)
    if looks_like_trust_policy(document):
        document = document_from_value(document, TRUST, location, origin=resource.address)
    return [PolicySource(resource, "json", document.kind, document, location)]


def looks_like_trust_policy(document: PolicyDocument) -> bool:
    """A document with principals and an ``sts:AssumeRole*`` action is a trust policy."""
    for statement in document.statements:
        actions = statement.actions if isinstance(statement.actions, list) else []
        if statement.principals and any(
            isinstance(action, str) and action.lower().startswith("sts:assumerole")
            for action in actions
        ):
            return True
    return False
