"""EC2 compute without an instance profile role.

Why: Without an instance profile, software on the instance gets AWS credentials some other way,
usually long-lived access keys on disk or in user data; a role gives short-lived, rotated ones.
Fix: Set `iam_instance_profile` (Terraform) / `IamInstanceProfile` (CloudFormation) on the
instance, launch template or launch configuration, pointing at a profile with a role. An
instance launched from a scanned template that has a profile passes; templates used by EKS node
groups or Batch compute environments are exempt (those services supply the role). Data sources
(`data "aws_instance"`, `data "aws_launch_template"`) are not reported: they describe compute
defined elsewhere; an instance launched from a looked-up template is unresolved.
References: CIS AWS Foundations Benchmark v5.0.0 1.17; checkov CKV2_AWS_41; trivy: none
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..graph import LAUNCHED_FROM, TEMPLATE_USER, Graph, Node, display_name, is_data_source
from ..model.values import Resource, Unknown
from .registry import Blocked, Context, Issue, Result, check

TEMPLATES = {"aws_launch_template", "AWS::EC2::LaunchTemplate"}


@check(
    "IAM009",
    "HIGH",
    terraform=[
        "aws_instance",
        "aws_spot_instance_request",
        "aws_launch_template",
        "aws_launch_configuration",
    ],
    cloudformation=[
        "AWS::EC2::Instance",
        "AWS::AutoScaling::LaunchConfiguration",
        "AWS::EC2::LaunchTemplate",
    ],
    needs_graph=True,
)
def compute_without_profile(resource: Resource, ctx: Context) -> Iterator[Result]:
    if has_profile(resource) or is_data_source(resource):
        return
    graph: Graph = ctx.graph
    node = graph.node(resource)
    if resource.kind in TEMPLATES:
        if graph.incoming(node, TEMPLATE_USER):
            return
        yield Issue(
            resource,
            f"Launch template {display_name(resource)} has no IAM instance profile, so instances "
            "launched from it get no role",
        )
        return
    launches = [
        e for e in graph.edges_declared_by(node, LAUNCHED_FROM) if e.declared_by is resource
    ]
    for edge in launches:
        if any(_template_has_profile(t) for t in edge.target.nodes):
            return
    for edge in launches:
        looked_up = [t for t in edge.target.nodes if t.is_data]
        unknown = Unknown(looked_up[0].address) if looked_up else edge.target.unresolved
        if unknown is not None and len(looked_up) == len(edge.target.nodes):
            yield Blocked(
                resource,
                unknown,
                "the launch template this instance is launched from is not in the scan",
                edge.location,
            )
            return
    suffix = " and neither does its launch template" if launches else ""
    yield Issue(
        resource,
        f"{resource.address} has no IAM instance profile{suffix}, so software on it has no role "
        "credentials",
    )


def has_profile(resource: Resource) -> bool:
    if resource.kind == "aws_launch_template":
        return _set(_first(resource.attrs.get("iam_instance_profile")), ("arn", "name"))
    if resource.kind == "AWS::EC2::LaunchTemplate":
        data = _first(resource.attrs.get("LaunchTemplateData"))
        return _set(_first(data.get("IamInstanceProfile")), ("Arn", "Name"))
    attribute = (
        "IamInstanceProfile" if resource.kind.startswith("AWS::") else "iam_instance_profile"
    )
    return resource.attrs.get(attribute) not in (None, "")


def _template_has_profile(template: Node) -> bool:
    return any(has_profile(r) for r in template.resources)


def _first(value: Any) -> Any:
    if isinstance(value, list):
        return value[0] if value and isinstance(value[0], dict) else {}
    return value if value is not None else {}


def _set(block: Any, keys: tuple[str, str]) -> bool:
    """A block with one of ``keys`` set (an unknown block counts as set)."""
    if not isinstance(block, dict):
        return True
    return any(block.get(key) not in (None, "") for key in keys)
