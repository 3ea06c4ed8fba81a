"""The few AWS-managed policy documents known offline, for the ``access`` command.

An AWS-managed policy attached by name is a document AWS owns and revises: the scan never
fetches it. The policies below are short and stable enough to transcribe from AWS's
published documents (AWS Managed Policy Reference Guide, checked 2025); every other
AWS-managed policy is reported as an ``unresolved`` entry by ``access`` rather than guessed.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from ..model.values import IDENTITY, PolicyDocument
from .documents import document_from_value


def _allow(*actions: str, not_action: bool = False) -> dict[str, Any]:
    return {
        "Effect": "Allow",
        "NotAction" if not_action else "Action": list(actions),
        "Resource": "*",
    }


DOCUMENTS: dict[str, list[dict[str, Any]]] = {
    "AdministratorAccess": [_allow("*")],
    "PowerUserAccess": [
        _allow("iam:*", "organizations:*", "account:*", not_action=True),
        _allow(
            "account:GetAccountInformation",
            "account:GetPrimaryEmail",
            "account:ListRegions",
            "iam:CreateServiceLinkedRole",
            "iam:DeleteServiceLinkedRole",
            "iam:ListRoles",
            "organizations:DescribeOrganization",
        ),
    ],
    "IAMFullAccess": [
        _allow(
            "iam:*",
            "organizations:DescribeAccount",
            "organizations:DescribeOrganization",
            "organizations:DescribeOrganizationalUnit",
            "organizations:DescribePolicy",
            "organizations:ListChildren",
            "organizations:ListParents",
            "organizations:ListPoliciesForTarget",
            "organizations:ListRoots",
            "organizations:ListPolicies",
            "organizations:ListTargetsForPolicy",
        )
    ],
    "IAMReadOnlyAccess": [
        _allow(
            "iam:GenerateCredentialReport",
            "iam:GenerateServiceLastAccessedDetails",
            "iam:Get*",
            "iam:List*",
            "iam:SimulateCustomPolicy",
            "iam:SimulatePrincipalPolicy",
        )
    ],
    "AWSCloudShellFullAccess": [_allow("cloudshell:*")],
    "AmazonS3FullAccess": [_allow("s3:*", "s3-object-lambda:*")],
    "AmazonS3ReadOnlyAccess": [
        _allow(
            "s3:Get*", "s3:List*", "s3:Describe*", "s3-object-lambda:Get*", "s3-object-lambda:List*"
        )
    ],
}
"""Policy name -> its statements."""


@cache
def managed_document(name: str) -> PolicyDocument | None:
    """The document of an AWS-managed policy when shipped here, else None (unknown)."""
    statements = DOCUMENTS.get(name)
    if statements is None:
        return None
    value = {"Version": "2012-10-17", "Statement": statements}
    return document_from_value(value, IDENTITY, None, origin=f"arn:aws:iam::aws:policy/{name}")
