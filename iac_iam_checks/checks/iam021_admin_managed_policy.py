"""AWS-managed administrative policy attached.

Why: AdministratorAccess, PowerUserAccess and IAMFullAccess each give (or let the holder give
itself) near-unlimited access, and AWSCloudShellFullAccess lets any holder move files in and out
of the account through CloudShell. AWS changes these policies on its own schedule, so what they
grant is not even under your review.
Fix: Attach a customer managed policy (or a narrow AWS job-function policy) with the actions the
principal needs. Reported where the ARN (or name) is written: the attachment,
`managed_policy_arns`, `ManagedPolicyArns`, a SAM `Policies` entry, or `data "aws_iam_policy"`.
References: CIS AWS Foundations Benchmark v5.0.0 1.15 and 1.21 (AWSCloudShellFullAccess);
checkov CKV_AWS_274, CKV_AWS_275; trivy: none; cfn_nag W43, W44
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..iam.documents import aws_managed_policy_name
from ..iam.evaluation import is_own_account_marker
from ..iam.privilege import ADMIN_POLICIES
from ..model.values import Location, Resource, Template, Unknown, location_of
from .pages import Framework, Page, cis, guide
from .registry import Blocked, Context, Issue, Result, check
from .statements import is_data_source

PARTITIONS = ("aws", "aws-cn", "aws-us-gov")

ARN_ATTRIBUTES = {
    "aws_iam_role_policy_attachment": "policy_arn",
    "aws_iam_user_policy_attachment": "policy_arn",
    "aws_iam_group_policy_attachment": "policy_arn",
    "aws_iam_policy_attachment": "policy_arn",
    "aws_iam_role_policy_attachments_exclusive": "policy_arns",
    "aws_iam_user_policy_attachments_exclusive": "policy_arns",
    "aws_iam_group_policy_attachments_exclusive": "policy_arns",
    "aws_iam_role": "managed_policy_arns",
    "aws_ssoadmin_managed_policy_attachment": "managed_policy_arn",
    "AWS::IAM::User": "ManagedPolicyArns",
    "AWS::IAM::Group": "ManagedPolicyArns",
    "AWS::IAM::Role": "ManagedPolicyArns",
    "AWS::SSO::PermissionSet": "ManagedPolicies",
    "AWS::Serverless::Function": "Policies",
    "AWS::Serverless::StateMachine": "Policies",
}
"""Where each kind writes the managed policies it attaches."""

NAMES_ALLOWED = ("AWS::Serverless::Function", "AWS::Serverless::StateMachine")
"""SAM ``Policies`` also accept a bare AWS-managed policy name (``AdministratorAccess``)."""

LOOKUP = "aws_iam_policy"
"""``data "aws_iam_policy"`` looks a policy up by ``name`` or ``arn``."""


@check(
    "IAM021",
    "HIGH",
    terraform=[*(k for k in ARN_ATTRIBUTES if not k.startswith("AWS::")), LOOKUP],
    cloudformation=[k for k in ARN_ATTRIBUTES if k.startswith("AWS::")],
)
def admin_managed_policy(resource: Resource, ctx: Context) -> Iterator[Result]:
    if resource.kind == LOOKUP:
        if is_data_source(resource.address):
            for attribute in ("name", "arn"):
                yield from _entries(resource, attribute, "looks up", names=attribute == "name")
        return
    names = resource.kind in NAMES_ALLOWED
    yield from _entries(resource, ARN_ATTRIBUTES[resource.kind], "attaches", names=names)


def _entries(resource: Resource, attribute: str, verb: str, names: bool) -> Iterator[Result]:
    value = resource.attrs.get(attribute)
    if value is None:
        return
    for entry in value if isinstance(value, list) else [value]:
        where = _written_at(entry, resource) or resource.loc(attribute)
        verdict = admin_policy(entry, names)
        if isinstance(verdict, str):
            yield Issue(
                resource,
                f"{resource.address} {verb} the AWS-managed policy {verdict} "
                f"({ADMIN_POLICIES[verdict]}) in {attribute}",
                where,
            )
        elif isinstance(verdict, Unknown):
            yield Blocked(
                resource,
                verdict,
                f"cannot tell whether {attribute} of {resource.address} names an AWS-managed "
                "administrative policy",
                where,
            )


def _written_at(entry: Any, resource: Resource) -> Location | None:
    """Where one entry is written inside the resource; a ``Template`` (``!Sub
    arn:${AWS::Partition}:...``) keeps its place on its first part. An entry written elsewhere
    (a variable default, a module caller's input) is reported on the resource's attribute:
    findings on module resources point inside the module, as the spec wants."""
    where = location_of(entry.parts[0]) if isinstance(entry, Template) else location_of(entry)
    span = resource.location
    if where is None or where.file != span.file or not span.line <= where.line <= span.end_line:
        return None
    return where


def admin_policy(value: Any, names: bool = False) -> str | Unknown | None:
    """The administrative policy ``value`` names (an ARN in any partition, or a bare name
    where ``names``), the Unknown that hides it, or None.

    A reference to a resource of the scan is a customer policy; a reference to
    ``data "aws_iam_policy"`` is reported on the data source, where the name is written.
    """
    if isinstance(value, str):
        name = aws_managed_policy_name(value)
        if name is None and names and not value.startswith("arn:"):
            name = value
        return name if name in ADMIN_POLICIES else None
    if isinstance(value, Unknown):
        if value.ref is None:
            return value
        target = value.ref[0]
        looked_up = is_data_source(target) and f"data.{LOOKUP}." in f".{target}"
        return value if is_data_source(target) and not looked_up else None
    if isinstance(value, Template):
        name = aws_managed_policy_name(value)
        if name in ADMIN_POLICIES:
            return name
        if is_own_account_marker(value):
            return None
        could = any(
            value.could_equal(f"arn:{partition}:iam::aws:policy/{policy}")
            or (names and value.could_equal(policy))
            for partition in PARTITIONS
            for policy in ADMIN_POLICIES
        )
        return value.unknowns[0] if could else None
    return None


PAGE = Page(
    checks=(
        "Attachments of the AWS-managed `AdministratorAccess`, `IAMFullAccess`, "
        "`PowerUserAccess` or `AWSCloudShellFullAccess` (in any partition), in every form: "
        "policy attachments (also exclusive and shared ones), `managed_policy_arns`, IAM "
        "Identity Center permission sets, CloudFormation `ManagedPolicyArns`, SAM `Policies`, "
        'and `data "aws_iam_policy"` looked up by name. Reported where the ARN or name is '
        "written."
    ),
    links=(
        cis(
            "1.15", 'IAM policies that allow full "*:*" administrative privileges are not attached'
        ),
        cis("1.21", "Access to AWSCloudShellFullAccess is restricted"),
        guide("access_policies_job-functions.html", "AWS managed policies for job functions"),
        guide("access_policies_managed-vs-inline.html", "Managed policies and inline policies"),
    ),
    terraform=Framework(
        fix=(
            "Replace the ARN in the attachment with an `aws_iam_policy` of your own (or a narrow"
            " AWS job-function policy)."
        ),
        bad=("bad_role_attachment",),
        good=("good_customer_attachment", "good_customer_policy"),
    ),
    cloudformation=Framework(
        fix=(
            "Replace the ARN in `ManagedPolicyArns` (or a SAM `Policies` entry) with `!Ref` to "
            "an `AWS::IAM::ManagedPolicy` of your own."
        ),
        bad=("BadRole",),
        good=("GoodRole", "GoodPolicy"),
    ),
)
