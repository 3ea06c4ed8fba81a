"""Instance profile without a role.

Why: An instance profile without a role gives the instances that use it no credentials, or
points at a role that does not exist, so the workload falls back to other (often long-lived)
credentials or breaks at launch.
Fix: Set `role` (Terraform) / `Roles` (CloudFormation) to a role defined in the configuration.
A literal role name that the scan does not define is reported as unresolved, not as a pass;
a role looked up with `data "aws_iam_role"` exists, and `data "aws_iam_instance_profile"` is
not reported.
References: CIS AWS Foundations Benchmark v5.0.0 1.17; checkov: none (nearest CKV2_AWS_41);
trivy: none; KICS f914357d
"""

from __future__ import annotations

from collections.abc import Iterator

from ..graph import ROLE, Graph, display_name, is_data_source
from ..model.values import Resource
from .registry import Blocked, Context, Issue, Result, check


@check(
    "IAM010",
    "MEDIUM",
    terraform=["aws_iam_instance_profile"],
    cloudformation=["AWS::IAM::InstanceProfile"],
    needs_graph=True,
)
def profile_without_role(resource: Resource, ctx: Context) -> Iterator[Result]:
    if is_data_source(resource):
        return
    graph: Graph = ctx.graph
    cfn = resource.kind.startswith("AWS::")
    attributes = ("Roles",) if cfn else ("role", "roles")
    values = []
    for attribute in attributes:
        value = resource.attrs.get(attribute)
        items = value if isinstance(value, list) else [value]
        values += [(attribute, v) for v in items if v not in (None, "")]
    if not values:
        yield Issue(
            resource,
            f"Instance profile {display_name(resource)} has no role, so it gives instances no "
            "credentials",
        )
        return
    for attribute, value in values:
        target = graph.resolve(value, resource, ROLE)
        if target.nodes:
            continue
        if target.dangling:
            yield Issue(
                resource,
                f"Instance profile {display_name(resource)} points at role "
                f"{target.value.ref[0]}, which is not defined in the scan",
                resource.loc(attribute),
            )
        elif target.unresolved is not None:
            yield Blocked(
                resource,
                target.unresolved,
                f"role {target.label} of instance profile {display_name(resource)} is not "
                "defined in the scan",
                resource.loc(attribute),
            )
