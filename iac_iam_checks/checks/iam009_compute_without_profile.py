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

from ..iam.graph import TEMPLATE_USER, USES_PROFILE, Graph
from ..model.entities import Compute, LaunchTemplate
from ..model.entity_tables import entity_of
from ..model.values import Resource, Unknown
from .registry import Blocked, Context, Issue, Result, check


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
    graph: Graph = ctx.graph
    compute = entity_of(resource)
    if not isinstance(compute, Compute) or compute.is_data:
        return
    unseen = _unseen_profile(graph, resource, compute)
    if unseen is not None:
        yield Blocked(
            resource,
            unseen,
            f"cannot tell whether {resource.address} has an IAM instance profile",
            compute.loc("instance_profile"),
        )
        return
    if graph.declares_profile(resource):
        return
    node = graph.node(resource)
    if isinstance(compute, LaunchTemplate):
        if graph.incoming(node, TEMPLATE_USER):
            return
        yield Issue(
            resource,
            f"Launch template {compute.display_name} has no IAM instance profile, so instances "
            "launched from it get no role",
        )
        return
    launches = graph.launched_from(resource)
    for edge in launches:
        if any(graph.outgoing(t, USES_PROFILE) for t in edge.target.nodes):
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


def _unseen_profile(graph: Graph, resource: Resource, compute: Compute) -> Unknown | None:
    """The Unknown standing for the profile when nothing says whether there is one: an input
    that may be null, a ``dynamic "iam_instance_profile"`` block whose ``for_each`` is unknown.
    A reference that links to a profile or data source of the scan is a profile."""
    profile = compute.instance_profile
    if not isinstance(profile, Unknown):
        return None
    edges = graph.edges_declared_by(graph.node(resource), USES_PROFILE)
    if any(e.target.nodes for e in edges if e.declared_by is resource):
        return None
    return profile
