"""entity_tables: the same meaning written in either format fills the same entity."""

from __future__ import annotations

from iac_iam_checks.model.entities import USER, AccessKey, LaunchTemplate, PolicyAttachment, User
from iac_iam_checks.model.entity_tables import entity_of
from iac_iam_checks.model.values import CLOUDFORMATION, TERRAFORM, Location, Resource, Unknown


def resource(kind: str, attrs: dict, framework: str = TERRAFORM, address: str = "") -> Resource:
    where = Location("main.tf", 1, 1)
    return Resource(kind, address or f"{kind}.x", framework, where, attrs, ".")


def key(attrs: dict, framework: str = TERRAFORM) -> AccessKey:
    kind = "AWS::IAM::AccessKey" if framework == CLOUDFORMATION else "aws_iam_access_key"
    entity = entity_of(resource(kind, attrs, framework))
    assert isinstance(entity, AccessKey)
    return entity


def test_access_key_status_defaults_to_active_and_unknown_stays_unknown() -> None:
    assert key({"user": "a"}).status == "Active"
    assert key({"user": "a", "status": None}).status == "Active"
    assert key({"UserName": "a"}, CLOUDFORMATION).status == "Active"
    assert key({"UserName": "a", "Status": "Inactive"}, CLOUDFORMATION).state == "inactive"
    assert key({"user": "a", "status": Unknown("var.s")}).state == Unknown("var.s")


def test_only_terraform_keeps_the_secret_in_state() -> None:
    assert (key({}).secret_in_state, key({}, CLOUDFORMATION).secret_in_state) == (True, False)


def test_data_source_names_and_unknown_blocks() -> None:
    looked_up = entity_of(
        resource("aws_iam_user", {"user_name": "a"}, address="data.aws_iam_user.x")
    )
    assert isinstance(looked_up, User) and (looked_up.name, looked_up.is_data) == ("a", True)
    opaque = entity_of(resource("aws_launch_template", {"iam_instance_profile": Unknown("v")}))
    assert isinstance(opaque, LaunchTemplate) and opaque.instance_profile == Unknown("v")
    cfn = entity_of(
        resource(
            "AWS::EC2::LaunchTemplate",
            {"LaunchTemplateData": {"IamInstanceProfile": {"Arn": "", "Name": "p"}}},
            CLOUDFORMATION,
        )
    )
    assert isinstance(cfn, LaunchTemplate) and cfn.instance_profile == "p"


def test_attachments_name_their_principal_and_policies() -> None:
    single = entity_of(resource("aws_iam_user_policy_attachment", {"user": "a", "policy_arn": "p"}))
    assert isinstance(single, PolicyAttachment)
    assert (single.principals(), single.policies()) == (
        [(USER, "principal", "a")],
        [("policy_arn", "p")],
    )
    shared = entity_of(
        resource("aws_iam_policy_attachment", {"users": ["a", "b"], "policy_arn": "p"})
    )
    assert isinstance(shared, PolicyAttachment)
    assert [value for _, _, value in shared.principals()] == ["a", "b"]
    assert shared.attribute("users") == "users"
