"""policy.py: every form of policy value -> PolicyDocument, and the MFA-enforcement rule."""

from __future__ import annotations

import pytest

from iac_iam_checks.iam.documents import (
    aws_managed_policy_name,
    document_from_value,
    enforces_mfa,
)
from iac_iam_checks.iam.evaluation import pattern_covered
from iac_iam_checks.model.values import (
    IDENTITY,
    TRUST,
    Location,
    PolicyDocument,
    Template,
    Unknown,
    located,
)

HERE = Location("main.tf", 5, 5)


def doc(value, kind=IDENTITY):
    return document_from_value(value, kind, HERE)


def statements(value):
    return [(s.effect, s.actions, s.resources) for s in doc(value).statements]


def test_single_statement_object_and_single_strings_become_lists() -> None:
    value = {"Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}}
    assert statements(value) == [("Allow", ["s3:*"], ["*"])]


def test_principal_star_and_condition_values_are_normalized() -> None:
    value = {
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "sts:AssumeRole",
                "Principal": "*",
                "Condition": {"Bool": {"aws:MultiFactorAuthPresent": True}},
            },
            {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": "arn:x"}},
        ]
    }
    first, second = doc(value).statements
    assert first.principals == {"*": ["*"]}
    assert first.conditions == {"Bool": {"aws:MultiFactorAuthPresent": ["true"]}}
    assert second.principals == {"AWS": ["arn:x"]}


def test_statement_lines_come_from_located_text() -> None:
    text = located(
        '{\n  "Version": "2012-10-17",\n  "Statement": [\n'
        '    {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},\n'
        "    {\n"
        '      "Effect": "Deny",\n'
        '      "Action": "s3:DeleteObject",\n'
        '      "Resource": "*"\n'
        "    }\n  ]\n}",
        Location("policy.json", 1, 11),
    )
    document = doc(text)
    assert [s.location for s in document.statements] == [
        Location("policy.json", 4, 4),
        Location("policy.json", 5, 9),
    ]
    assert document.version == "2012-10-17"


def test_plain_text_statements_get_the_fallback_location() -> None:
    document = doc('{"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}')
    assert [s.location for s in document.statements] == [HERE]


def test_located_dict_statements_keep_their_own_lines() -> None:
    statement = located({"Effect": "Allow", "Action": "s3:*"}, Location("t.yaml", 12, 14))
    document = doc(located({"Statement": [statement]}, Location("t.yaml", 10, 14)))
    assert [s.location for s in document.statements] == [Location("t.yaml", 12, 14)]
    assert document.location == Location("t.yaml", 10, 14)


def test_text_that_does_not_parse_is_an_error_not_a_pass() -> None:
    document = doc(located('{"Statement": [\n  {"Effect": "Allow"\n]}', Location("a.tf", 3, 5)))
    assert document.statements == []
    assert document.errors == [
        ("policy text is not valid JSON: Expecting ',' delimiter", Location("a.tf", 5, 5))
    ]
    assert isinstance(enforces_mfa(document), Unknown)


def test_template_holes_become_unknowns_and_known_parts_still_count() -> None:
    bucket, extra = Unknown("var.bucket"), Unknown("local.extra")
    value = Template(
        (
            '{"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::',
            bucket,
            '/*"}, ',
            extra,
            "]}",
        )
    )
    first, second = doc(value).statements
    assert first.actions == ["s3:*"]
    assert first.resources == [Template(("arn:aws:s3:::", bucket, "/*"))]
    assert (second.effect, second.actions) == (extra, extra)


def test_wholly_unknown_values_give_an_unknown_document() -> None:
    unknown = Unknown("var.policy")
    assert doc(unknown).unknown == unknown
    assert doc({"Statement": unknown}).unknown == unknown
    assert doc(Template(('{"Statement": ', unknown, "}"))).unknown == unknown


def test_existing_document_is_returned_rekinded() -> None:
    original = PolicyDocument(IDENTITY, [], HERE, origin="data.aws_iam_policy_document.d")
    assert doc(original) is original
    trust = doc(original, TRUST)
    assert (trust.kind, trust.origin, original.kind) == (TRUST, original.origin, IDENTITY)


def test_structural_errors_are_recorded() -> None:
    document = doc({"Statment": [], "Version": "2012-10-17"})
    assert [message for message, _ in document.errors] == [
        "unknown policy element 'Statment'",
        "policy document has no Statement",
    ]


@pytest.mark.parametrize(
    ("pattern", "allowed", "covered"),
    [
        ("iam:ListMFADevices", "iam:*MFA*", True),
        ("iam:*MFA*", "iam:*MFA*", True),
        ("IAM:enable*mfa*", "iam:*MFA*", True),
        ("iam:*", "iam:*MFA*", False),
        ("iam:Deactivate*", "iam:*MFA*", False),
        ("iam:GetUse?", "iam:GetUser", False),
    ],
)
def test_pattern_covered(pattern: str, allowed: str, covered: bool) -> None:
    assert pattern_covered(pattern, allowed) is covered


def test_aws_managed_policy_names() -> None:
    assert aws_managed_policy_name("arn:aws:iam::aws:policy/job-function/ViewOnlyAccess") == (
        "ViewOnlyAccess"
    )
    partition = Template(("arn:", Unknown("var.p"), ":iam::aws:policy/AdministratorAccess"))
    assert aws_managed_policy_name(partition) == "AdministratorAccess"
    assert aws_managed_policy_name("arn:aws:iam::123456789012:policy/mine") is None


def mfa(*statement_list):
    return enforces_mfa(doc({"Version": "2012-10-17", "Statement": list(statement_list)}))


DENY_WITHOUT_MFA = {
    "Effect": "Deny",
    "NotAction": ["iam:*MFA*", "iam:ChangePassword", "sts:GetSessionToken", "iam:GetUser"],
    "Resource": "*",
    "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
}


def test_deny_everything_but_self_service_without_mfa_enforces() -> None:
    assert mfa(DENY_WITHOUT_MFA) is True


def test_deny_all_actions_with_null_condition_enforces() -> None:
    statement = {
        "Effect": "Deny",
        "Action": "*",
        "Resource": "*",
        "Condition": {"Null": {"aws:MultiFactorAuthPresent": "true"}},
    }
    assert mfa(statement) is True


def test_deny_when_mfa_present_does_not_enforce() -> None:
    statement = dict(DENY_WITHOUT_MFA, Condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}})
    assert mfa(statement) is False


def test_notaction_exempting_credential_creation_does_not_enforce() -> None:
    statement = dict(DENY_WITHOUT_MFA, NotAction=["iam:*MFA*", "iam:CreateAccessKey"])
    assert mfa(statement) is False


def test_deny_on_some_resources_or_with_extra_conditions_does_not_enforce() -> None:
    assert mfa(dict(DENY_WITHOUT_MFA, Resource="arn:aws:s3:::b/*")) is False
    narrowed = dict(
        DENY_WITHOUT_MFA,
        Condition={
            "BoolIfExists": {"aws:MultiFactorAuthPresent": "false"},
            "IpAddress": {"aws:SourceIp": "10.0.0.0/8"},
        },
    )
    assert mfa(narrowed) is False


def test_every_allow_requiring_bool_mfa_enforces_but_boolifexists_does_not() -> None:
    allow = {
        "Effect": "Allow",
        "Action": "s3:GetObject",
        "Resource": "*",
        "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
    }
    if_exists = dict(allow, Condition={"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}})
    plain = {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}
    assert mfa(allow) is True
    assert mfa(if_exists) is False
    assert mfa(allow, plain) is False


def test_unknown_parts_make_the_verdict_unknown() -> None:
    hole = Unknown("var.actions")
    assert mfa(dict(DENY_WITHOUT_MFA, NotAction=hole)) == hole
    assert mfa({"Effect": "Allow", "Action": "s3:*", "Resource": "*"}) is False
