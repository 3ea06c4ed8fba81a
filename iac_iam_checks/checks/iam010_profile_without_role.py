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

from ..iam.graph import Graph
from ..model.entities import ROLE, InstanceProfile
from ..model.entity_tables import entity_of
from ..model.values import Resource
from .pages import Framework, Page, cis, guide
from .registry import Blocked, Context, Issue, Result, check


@check(
    "IAM010",
    "MEDIUM",
    terraform=["aws_iam_instance_profile"],
    cloudformation=["AWS::IAM::InstanceProfile"],
    needs_graph=True,
)
def profile_without_role(resource: Resource, ctx: Context) -> Iterator[Result]:
    profile = entity_of(resource)
    if not isinstance(profile, InstanceProfile) or profile.is_data:
        return
    graph: Graph = ctx.graph
    name = profile.display_name
    values = [(field, v) for field, v in profile.role_values() if v not in (None, "")]
    if not values:
        yield Issue(
            resource,
            f"Instance profile {name} has no role, so it gives instances no credentials",
        )
        return
    for field, value in values:
        target = graph.resolve(value, resource, ROLE)
        if target.nodes:
            continue
        if target.dangling:
            yield Issue(
                resource,
                f"Instance profile {name} points at role "
                f"{target.value.ref[0]}, which is not defined in the scan",
                profile.loc(field),
            )
        elif target.unresolved is not None:
            yield Blocked(
                resource,
                target.unresolved,
                f"role {target.label} of instance profile {name} is not defined in the scan",
                profile.loc(field),
            )


PAGE = Page(
    checks=(
        "Instance profiles that hand out no role: Terraform `aws_iam_instance_profile` without "
        "`role`, or whose role reference points at nothing defined; CloudFormation "
        "`AWS::IAM::InstanceProfile` with empty `Roles`. A literal role name the scan does not "
        "define is unresolved."
    ),
    links=(
        cis("1.17", "IAM instance roles are used for AWS resource access from instances"),
        guide("id_roles_use_switch-role-ec2_instance-profiles.html", "Use instance profiles"),
    ),
    terraform=Framework(
        fix="Set `role = aws_iam_role.app.name`.",
        bad=("bad_no_role",),
        good=("good_by_reference", "support_role"),
    ),
    cloudformation=Framework(
        fix="Set `Roles: [!Ref AppRole]`.",
        bad=("BadEmptyRoles",),
        good=("GoodProfile", "SupportRole"),
    ),
)
