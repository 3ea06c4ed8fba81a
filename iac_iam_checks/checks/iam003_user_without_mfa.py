"""IAM user not subject to MFA enforcement.

Why: A user whose policies do not require MFA can use a stolen password or access key on its
own; IAM cannot force users to enrol an MFA device, only policies can deny them everything
until they sign in with one.
Fix: Attach (directly or through a group) a policy that denies all actions except MFA
self-service (`NotAction` of iam:*MFA*, iam:ChangePassword, iam:GetUser, sts:GetSessionToken...)
on resource `*` when `BoolIfExists aws:MultiFactorAuthPresent` is "false". AWS-managed policies
never enforce MFA. A Deny when MFA is "true" enforces nothing. Decisions where the spec is
silent: a NotAction may also exempt the read-only self-service actions of AWS's own MFA tutorial
policy (iam:ListAccessKeys, iam:ListAccountAliases...), and a Deny may add `aws:ViaAWSService`
"false"; an Allow with `Bool` MFA "true" may carry further conditions (they only narrow it). A
user looked up with `data "aws_iam_user"` is not reported: its policies live elsewhere. A policy
that may enforce MFA but is linked to a user nobody can name (`user = var.who`) may be this
user's: the verdict is unresolved (reported, naming it, for console users).
References: CIS AWS Foundations Benchmark v5.0.0 1.9 (MFA for console users); checkov: none;
trivy AVD-AWS-0123 (group MFA, nearest)
"""

from __future__ import annotations

from collections.abc import Iterator

from ..iam.documents import enforces_mfa
from ..iam.graph import LOGIN_PROFILE, USER, Graph, PolicyLink
from ..model.values import Resource, Unknown
from .pages import Framework, Page, cis, guide
from .registry import Blocked, Context, Issue, Result, check


@check(
    "IAM003",
    "HIGH",
    terraform=["aws_iam_user"],
    cloudformation=["AWS::IAM::User"],
    needs_graph=True,
)
def user_without_mfa(resource: Resource, ctx: Context) -> Iterator[Result]:
    if resource.is_data:
        return  # a user looked up, not created here: its policies are defined elsewhere
    graph: Graph = ctx.graph
    user = graph.node(resource)
    undecided: list[tuple[PolicyLink, Unknown]] = []
    for link in graph.policies_reaching(user):
        verdict = _link_enforces(link)
        if verdict is True:
            return
        if isinstance(verdict, Unknown):
            undecided.append((link, verdict))
    for link in graph.unlinked_policies(user.scope, USER):
        if link.hidden_link is not None and _link_enforces(link) is not False:
            undecided.append((link, link.hidden_link))
    console = bool(graph.incoming(user, LOGIN_PROFILE))
    name = f"IAM user '{user.label}'"
    if not undecided:
        what = "has a login profile but" if console else "is subject to"
        tail = "no policy reaching it enforces MFA" if console else "no policy that enforces MFA"
        yield Issue(resource, f"{name} {what} {tail}")
    elif console:
        names = ", ".join(link.label for link, _ in undecided)
        yield Issue(
            resource,
            f"{name} has a login profile but no policy known to reach it enforces MFA "
            f"(not resolved: {names})",
        )
    else:
        for link, unknown in undecided:
            yield Blocked(
                resource,
                unknown,
                f"cannot tell whether {link.label} reaches {name} (it is linked to a user "
                "nobody can name)"
                if link.hidden_link is unknown
                else f"cannot tell whether {link.label} reaching {name} enforces MFA",
                link.location,
            )


def _link_enforces(link: PolicyLink) -> bool | Unknown:
    """True when the linked policy enforces MFA, the blocking Unknown when undecidable."""
    if link.aws_managed is not None:
        return False
    if link.unresolved is not None:
        return link.unresolved
    blocking: Unknown | None = None
    for document in link.documents:
        verdict = enforces_mfa(document)
        if verdict is True:
            return True
        if isinstance(verdict, Unknown):
            blocking = blocking or verdict
    return blocking or False


PAGE = Page(
    checks=(
        "Every IAM user the scan creates, against every policy that reaches it: its own inline "
        "policies, the policies attached to it and those of each of its groups. It passes when "
        "one of them enforces MFA: a Deny of every action (or of all but MFA self-service "
        "actions) on `*` while `aws:MultiFactorAuthPresent` is false or missing, or Allow "
        'statements that all require `Bool aws:MultiFactorAuthPresent` "true". AWS-managed '
        "policies never count. A customer policy or group the scan does not define makes the "
        "verdict unresolved, except for console users: they are reported, with the policy named."
    ),
    links=(
        cis("1.9", "MFA enabled for every IAM user with a console password"),
        guide("id_credentials_mfa.html", "AWS multi-factor authentication in IAM"),
        guide("id_credentials_mfa_configure-api-require.html", "Secure API access with MFA"),
        guide(
            "reference_policies_examples_aws_my-sec-creds-self-manage.html",
            "Example policy: users manage their own credentials and MFA device",
        ),
    ),
    terraform=Framework(
        fix=(
            'Write the guard with `data "aws_iam_policy_document"` (`effect = "Deny"`, '
            "`not_actions`, a `condition` block), make it an `aws_iam_policy`, attach it to a "
            "group with `aws_iam_group_policy_attachment` and add users with "
            "`aws_iam_user_group_membership`."
        ),
        bad=("bad_console_user", "support_dave"),
        good=("good_allow_with_mfa", "support_allow_with_mfa"),
    ),
    cloudformation=Framework(
        fix=(
            "Write the guard as an `AWS::IAM::ManagedPolicy` attached to a group (its `Groups`),"
            " and list the group in each user's `Groups` or in an "
            "`AWS::IAM::UserToGroupAddition`."
        ),
        bad=("BadConsoleUser",),
        good=("GoodGroupMember", "SupportConsoleGroup", "SupportRequireMfa"),
    ),
)
