"""IAM001-IAM014 verdicts that the examples cannot show: unresolved values become Blocked."""

from __future__ import annotations

from iac_iam_checks.checks.registry import Blocked, Context, Issue, all_checks
from iac_iam_checks.iam.graph import Graph
from iac_iam_checks.model.settings import Settings
from iac_iam_checks.model.values import TERRAFORM, TERRAFORM_PLAN, Location, Resource, Unknown

WHERE = Location("main.tf", 1, 3)


def tf(address: str, attrs: dict, framework: str = TERRAFORM, metadata=None) -> Resource:
    kind = address.removeprefix("data.").split(".")[0].split("[")[0]
    return Resource(kind, address, framework, WHERE, attrs, ".", metadata=metadata)


def run(check_id: str, resources: list[Resource], target: Resource) -> list[tuple]:
    context = Context(graph=Graph(resources), settings=Settings())
    out = []
    for result in all_checks()[check_id].func(target, context):
        if isinstance(result, Issue):
            out.append(("issue", result.message))
        else:
            assert isinstance(result, Blocked)
            out.append(("blocked", result.value.source, result.message))
    return out


def test_iam003_group_outside_the_scan_blocks_a_user_without_console() -> None:
    user = tf("aws_iam_user.svc", {"name": "svc"})
    membership = tf("aws_iam_user_group_membership.m", {"user": "svc", "groups": ["ops"]})
    assert run("IAM003", [user, membership], user) == [
        ("blocked", "ops", "cannot tell whether group ops reaching IAM user 'svc' enforces MFA")
    ]


def test_iam003_console_user_with_only_unresolved_policies_is_reported() -> None:
    user = tf("aws_iam_user.alice", {"name": "alice"})
    profile = tf("aws_iam_user_login_profile.p", {"user": "alice"})
    attachment = tf(
        "aws_iam_user_policy_attachment.a", {"user": "alice", "policy_arn": Unknown("var.arn")}
    )
    assert run("IAM003", [user, profile, attachment], user) == [
        (
            "issue",
            "IAM user 'alice' has a login profile but no policy known to reach it enforces MFA "
            "(not resolved: policy ${var.arn})",
        )
    ]


def test_iam003_known_enforcing_policy_wins_over_unresolved_ones() -> None:
    user = tf("aws_iam_user.alice", {"name": "alice"})
    mfa = {
        "Statement": {
            "Effect": "Deny",
            "Action": "*",
            "Resource": "*",
            "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
        }
    }
    inline = tf("aws_iam_user_policy.p", {"user": "alice", "policy": mfa})
    membership = tf("aws_iam_user_group_membership.m", {"user": "alice", "groups": ["ops"]})
    assert run("IAM003", [user, inline, membership], user) == []


def test_iam009_instance_from_a_template_outside_the_scan_is_blocked() -> None:
    instance = tf("aws_instance.i", {"launch_template": [{"id": "lt-0123"}]})
    assert run("IAM009", [instance], instance) == [
        (
            "blocked",
            "lt-0123",
            "the launch template this instance is launched from is not in the scan",
        )
    ]


def test_iam011_unknown_status_is_blocked() -> None:
    key = tf("aws_iam_access_key.k", {"user": "a", "status": Unknown("var.status")})
    assert run("IAM011", [key], key) == [
        ("blocked", "var.status", "cannot tell whether the key is active")
    ]


def test_iam012_never_reads_plan_variables_but_reads_provider_blocks() -> None:
    secret = "PtYgjmUhBel31iEl2hpChYgCfrL1spNxnyVmihA+"
    plan_variable = tf("var.secret_key", {"default": secret}, framework=TERRAFORM_PLAN)
    provider = tf("provider.aws", {"access_key": "AKIA81U33XTPLPFT75V2", "secret_key": secret})
    assert run("IAM012", [plan_variable], plan_variable) == []
    assert run("IAM012", [provider], provider) == [
        (
            "issue",
            "provider.aws contains hard-coded AWS credentials (access key id "
            "AKIA************75V2 in access_key, secret access key in secret_key)",
        ),
    ]


def test_iam012_a_bare_secret_key_of_another_provider_is_not_an_aws_secret() -> None:
    """okta's hCaptcha key, OCI's RADIUS secret: ``secret_key`` literals of other providers'
    resources and provider blocks pass; an access key id or ``aws_secret_access_key`` there
    does not, nor a ``secret_key`` of AWS's providers or of a variable."""
    captcha = {"secret_key": "random_key"}
    quiet = [
        tf("okta_captcha.c", captcha),
        tf("data.oci_thing.d", captcha),
        tf("provider.okta", captcha),
        Resource("provider", "module.m.provider.okta.second", TERRAFORM, WHERE, captcha, "."),
        tf("okta_captcha.c", captcha, framework=TERRAFORM_PLAN),
    ]
    for resource in quiet:
        assert run("IAM012", [resource], resource) == [], resource.address
    loud = [
        tf("okta_captcha.c", {"note": "AKIA81U33XTPLPFT75V2"}),
        tf("null_resource.n", {"environment": {"AWS_SECRET_ACCESS_KEY": "random_key"}}),
        tf("awscc_thing.t", captcha),
        tf("provider.aws", captcha),
        Resource("variable", "var.secret_key", TERRAFORM, WHERE, {"default": "random_key"}, "."),
    ]
    for resource in loud:
        assert [kind for kind, _ in run("IAM012", [resource], resource)] == ["issue"], (
            resource.address
        )


def test_iam014_one_key_with_unknown_count_is_blocked() -> None:
    user = tf("aws_iam_user.a", {"name": "a"})
    key = tf(
        "aws_iam_access_key.k",
        {"user": "a"},
        metadata={"count_unknown": Unknown("var.key_count")},
    )
    assert run("IAM014", [user, key], user) == [
        ("blocked", "var.key_count", "cannot tell how many keys aws_iam_access_key.k creates")
    ]
