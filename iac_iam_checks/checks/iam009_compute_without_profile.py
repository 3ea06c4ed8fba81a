"""EC2 compute without an instance profile role.

Why: Without an instance profile, software on the instance gets AWS credentials some other way,
usually long-lived access keys on disk or in user data; a role gives short-lived, rotated ones.
Fix: Set `iam_instance_profile` (Terraform) / `IamInstanceProfile` (CloudFormation) on the
instance, launch template or launch configuration, pointing at a profile with a role. An
instance launched from a scanned template that has a profile passes; templates used by EKS node
groups or Batch compute environments are exempt (those services supply the role). Data sources
(`data "aws_instance"`, `data "aws_launch_template"`) are not reported: they describe compute
defined elsewhere; an instance launched from a looked-up template is unresolved. An empty
profile (`iam_instance_profile = ""`, a launch template's `iam_instance_profile {}` without name
or arn, CloudFormation `""` or `!Ref AWS::NoValue`) is no profile, as the provider treats it; a
profile value that could be empty (a variable without default, a plain String parameter) is
unresolved, while a reference to another resource's name or ARN is a profile.
References: CIS AWS Foundations Benchmark v5.0.0 1.17; checkov CKV2_AWS_41; trivy: none
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from ..iam.graph import TEMPLATE_USER, Graph, Node
from ..model.entities import Compute, LaunchTemplate
from ..model.entity_tables import entity_of
from ..model.values import Resource, Template, Unknown
from .pages import Framework, Page, cis, guide
from .registry import Blocked, Context, Issue, Result, check

_MAY_BE_EMPTY = "the instance profile may be empty, which is no profile"


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
    profile = _profile_set(compute.instance_profile)
    if profile is not False:
        if isinstance(profile, Unknown):
            yield Blocked(resource, profile, _MAY_BE_EMPTY, compute.loc("instance_profile"))
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
    from_templates = [
        (edge, _any_set(_template_profile(t) for t in edge.target.nodes if not t.is_data))
        for edge in launches
    ]
    if any(state is True for _, state in from_templates):
        return
    for edge, state in from_templates:
        if isinstance(state, Unknown):
            yield Blocked(
                resource, state, f"{_MAY_BE_EMPTY} (its launch template's)", edge.location
            )
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


def _profile_set(value: Any) -> bool | Unknown:
    """Whether a profile value names a profile: False when unset or empty (the provider's
    default, no profile), the Unknown that decides when it could be empty. A reference to
    another resource's or data source's attribute (``ref``) names something, as it does for
    the identity graph."""
    if value is None or value == "":
        return False
    if isinstance(value, Template):
        return value.unknowns[0] if value.could_equal("") else True
    if isinstance(value, Unknown) and value.ref is None and value.could_be(""):
        return value
    return True


def _template_profile(template: Node) -> bool | Unknown:
    """Whether a launch template (any of its variants) names a profile."""
    return _any_set(
        _profile_set(getattr(entity_of(variant), "instance_profile", None))
        for variant in template.resources
    )


def _any_set(states: Iterable[bool | Unknown]) -> bool | Unknown:
    """True when one names a profile, else the first Unknown, else False."""
    undecided: bool | Unknown = False
    for state in states:
        if state is True:
            return True
        if undecided is False:
            undecided = state
    return undecided


PAGE = Page(
    checks=(
        "EC2 compute that would run without a role: Terraform `aws_instance`, "
        "`aws_spot_instance_request`, `aws_launch_template` and `aws_launch_configuration` "
        "without `iam_instance_profile`; CloudFormation `AWS::EC2::Instance` and "
        "`AWS::AutoScaling::LaunchConfiguration` without `IamInstanceProfile`, and "
        "`AWS::EC2::LaunchTemplate` without `LaunchTemplateData.IamInstanceProfile`. An instance"
        " launched from a scanned template that has a profile passes; templates used by EKS node"
        " groups and Batch compute environments are exempt."
    ),
    links=(
        cis("1.17", "IAM instance roles are used for AWS resource access from instances"),
        guide(
            "id_roles_use_switch-role-ec2.html",
            "IAM roles for applications on Amazon EC2 instances",
        ),
        guide("id_roles_use_switch-role-ec2_instance-profiles.html", "Use instance profiles"),
    ),
    terraform=Framework(
        fix=(
            "Create an `aws_iam_role` trusting `ec2.amazonaws.com` and an "
            "`aws_iam_instance_profile` for it, and set `iam_instance_profile = "
            "aws_iam_instance_profile.app.name` (a launch template takes an "
            "`iam_instance_profile { arn = ... }` block)."
        ),
        bad=("bad_instance",),
        good=("good_instance", "support_profile", "support_role"),
    ),
    cloudformation=Framework(
        fix=(
            "Create `AWS::IAM::Role` and `AWS::IAM::InstanceProfile` and set "
            "`IamInstanceProfile: !Ref Profile` (in a launch template, "
            "`LaunchTemplateData.IamInstanceProfile.Arn: !GetAtt Profile.Arn`)."
        ),
        bad=("BadInstance",),
        good=("GoodInstance", "SupportProfile", "SupportRole"),
    ),
)
