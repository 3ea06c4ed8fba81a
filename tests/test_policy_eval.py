import pytest

from iac_iam_checks.iam.evaluation import (
    ConditionValue,
    Grant,
    Partial,
    Undecided,
    action_matches,
    allowed_actions,
    allowed_after_denies,
    allows,
    any_of,
    cancels,
    condition_values,
    covers_resource,
    foreign_accounts,
    grants_all_actions,
    has_restricting_condition,
    is_positive_operator,
    is_star,
    principal_is_anyone,
    privilege_escalations,
    resource_matches,
    subject_is_wildcard_only,
    web_identity_providers,
    write_actions_on_all_resources,
)
from iac_iam_checks.model.values import (
    IDENTITY,
    TRUST,
    PolicyDocument,
    Statement,
    Template,
    Unknown,
)

VAR_X = Unknown("var.x")
VAR_B = Unknown("var.b")
S3_OBJECTS = Template(("arn:aws:s3:::", VAR_B, "/*"))
CALLER = Unknown("data.aws_caller_identity.current.account_id")
GITHUB = "token.actions.githubusercontent.com"


def allow(**fields) -> Statement:
    return Statement(effect="Allow", location=None, **fields)


def deny(**fields) -> Statement:
    return Statement(effect="Deny", location=None, **fields)


def doc(*statements: Statement, kind: str = IDENTITY) -> PolicyDocument:
    return PolicyDocument(kind=kind, statements=list(statements), location=None)


def restricts(conditions) -> object:
    return has_restricting_condition(allow(conditions=conditions))


# --- matching -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "pattern, action, expected",
    [
        ("iam:Pass*", "iam:PassRole", True),
        ("IAM:PASSROLE", "iam:passrole", True),
        ("iam:*Role*", "iam:UpdateAssumeRolePolicy", True),
        ("iam:Pass?ole", "iam:PassRole", True),
        ("*", "s3:GetObject", True),
        ("*:*", "s3:GetObject", True),
        ("iam:Get*", "iam:PassRole", False),
        ("s3:*", "iam:PassRole", False),
        (Template(("s3:", VAR_X)), "iam:PassRole", False),
        (Template(("iam:", VAR_X)), "iam:PassRole", Undecided((VAR_X,))),
        (VAR_X, "iam:PassRole", Undecided((VAR_X,))),
        ("*", VAR_X, True),
        ("iam:*", Template(("iam:", VAR_X)), True),
        ("iam:Get*", Template(("iam:", VAR_X)), Undecided((VAR_X,))),
        ("s3:*", Template(("iam:", VAR_X)), False),
        (42, "iam:PassRole", False),
    ],
)
def test_action_matches(pattern, action, expected):
    assert action_matches(pattern, action) == expected


@pytest.mark.parametrize(
    "pattern, resource, expected",
    [
        ("arn:aws:s3:::b/*", "arn:aws:s3:::b/key", True),
        ("arn:aws:s3:::B/*", "arn:aws:s3:::b/key", False),
        ("*", "arn:aws:s3:::b/key", True),
        (S3_OBJECTS, "arn:aws:s3:::b/key", Undecided((VAR_B,))),
        (S3_OBJECTS, "arn:aws:iam::111122223333:role/x", False),
        (
            "arn:*:iam::aws:policy/AdministratorAccess",
            Template(("arn:", VAR_X, ":iam::aws:policy/AdministratorAccess")),
            True,
        ),
        (
            "arn:aws:iam::aws:policy/AdministratorAccess",
            Template(("arn:", VAR_X, ":iam::aws:policy/AdministratorAccess")),
            Undecided((VAR_X,)),
        ),
        (
            "arn:*:iam::aws:policy/AdministratorAccess",
            Template(("arn:", VAR_X, ":iam::aws:policy/ReadOnlyAccess")),
            False,
        ),
    ],
)
def test_resource_matches(pattern, resource, expected):
    assert resource_matches(pattern, resource) == expected


@pytest.mark.parametrize(
    "value, expected",
    [
        ("*", True),
        ("arn:aws:s3:::b/*", False),
        (S3_OBJECTS, False),
        (Template((VAR_X, "*")), Undecided((VAR_X,))),
        (VAR_X, Undecided((VAR_X,))),
        (None, False),
    ],
)
def test_is_star(value, expected):
    assert is_star(value) == expected


def test_undecided_has_no_truth_value():
    with pytest.raises(TypeError):
        bool(Undecided((VAR_X,)))


def test_any_of_prefers_true_then_undecided():
    assert any_of([False, Undecided((VAR_X,)), True]) is True
    assert any_of([False, Undecided((VAR_X,)), Undecided((VAR_X, VAR_B))]) == Undecided(
        (VAR_X, VAR_B)
    )
    assert any_of([]) is False


# --- statements ---------------------------------------------------------------------------


def test_allows():
    assert allows(allow(actions=["iam:Pass*"], resources=["*"]), "iam:PassRole") is True
    assert allows(deny(actions=["iam:Pass*"], resources=["*"]), "iam:PassRole") is False
    assert allows(allow(actions=["iam:Pass*"], resources=[S3_OBJECTS]), "iam:PassRole") is False
    assert allows(allow(actions=["s3:*"]), "s3:GetObject") is False
    assert allows(allow(actions=["s3:*"]), "s3:GetObject", resource=None) is True
    unknown_effect = Statement(effect=VAR_X, location=None, actions=["*"], resources=["*"])
    assert allows(unknown_effect, "s3:GetObject") == Undecided((VAR_X,))
    assert allows(allow(actions=VAR_B, resources=["*"]), "s3:GetObject") == Undecided((VAR_B,))


def test_not_action_allow_allows_everything_else():
    statement = allow(not_actions=["iam:*"], resources=["*"])
    assert allows(statement, "s3:GetObject") is True
    assert allows(statement, "IAM:PassRole") is False


def test_not_resource():
    statement = allow(actions=["s3:*"], not_resources=["arn:aws:s3:::secret/*"])
    assert covers_resource(statement, "*") is True
    assert covers_resource(statement, "*", strict=True) is False
    assert covers_resource(statement, "arn:aws:s3:::secret/x") is False
    assert covers_resource(statement, "arn:aws:s3:::other/x") is True
    assert covers_resource(allow(not_resources=["*"]), "*") is False


PASS_ROLE = allow(actions=["iam:PassRole"], resources=["*"])


@pytest.mark.parametrize(
    "denial, expected",
    [
        (deny(actions=["iam:*"], resources=["*"]), False),
        (deny(not_actions=["s3:*"], resources=["*"]), False),
        (deny(actions=["iam:passrole"], resources=["*"], conditions={}), False),
        (deny(actions=["iam:*"], resources=["*"], conditions={"Bool": {"aws:X": "y"}}), True),
        (deny(actions=["iam:*"], resources=["arn:aws:iam::111122223333:role/*"]), True),
        (deny(actions=["iam:*"], not_resources=["arn:aws:iam::111122223333:role/x"]), True),
        (deny(actions=["s3:*"], resources=["*"]), True),
        (deny(actions=[VAR_X], resources=["*"]), Undecided((VAR_X,))),
        (deny(actions=["iam:*"], resources=[VAR_B]), Undecided((VAR_B,))),
    ],
)
def test_deny_precedence(denial, expected):
    assert allowed_after_denies(doc(PASS_ROLE, denial), PASS_ROLE, "iam:PassRole") == expected


def test_deny_of_a_specific_resource_cancels_that_resource():
    document = doc(PASS_ROLE, deny(actions=["iam:*"], resources=["arn:aws:iam::1:role/*"]))
    mine, theirs = "arn:aws:iam::1:role/a", "arn:aws:iam::2:role/a"
    assert allowed_after_denies(document, PASS_ROLE, "iam:PassRole", mine) is False
    assert allowed_after_denies(document, PASS_ROLE, "iam:PassRole", theirs) is True


def test_trust_deny_must_cover_every_principal():
    trust = allow(principals={"AWS": ["*"]}, actions=["sts:AssumeRole"])
    to_one = deny(principals={"AWS": ["arn:aws:iam::1:root"]}, actions=["sts:*"])
    to_all = deny(principals={"AWS": ["*"]}, actions=["sts:*"])
    assert cancels(to_one, "sts:AssumeRole", None) is False
    assert cancels(to_all, "sts:AssumeRole", None) is True
    document = doc(trust, to_all, kind=TRUST)
    assert allowed_after_denies(document, trust, "sts:AssumeRole", None) is False


@pytest.mark.parametrize(
    "actions, expected",
    [
        (["*"], True),
        (["s3:GetObject", "*:*"], True),
        (["s3:*"], False),
        ([Template(("s3:", VAR_X))], False),
        ([Template((VAR_X, ":*"))], Undecided((VAR_X,))),
        (VAR_X, Undecided((VAR_X,))),
        (None, False),
    ],
)
def test_grants_all_actions(actions, expected):
    assert grants_all_actions(allow(actions=actions, resources=["*"])) == expected


# --- action sets --------------------------------------------------------------------------


def test_allowed_actions_with_not_action():
    statement = allow(not_actions=["iam:*"], resources=["*"])
    among = ["iam:PassRole", "s3:GetObject"]
    assert allowed_actions(doc(statement), statement, among=among) == Grant(
        statement, ["s3:GetObject"]
    )


def test_allowed_actions_after_a_deny():
    statement = allow(actions=["s3:*"], resources=["*"])
    document = doc(statement, deny(actions=["s3:Delete*"], resources=["*"]))
    among = ["s3:DeleteObject", "s3:GetObject"]
    assert allowed_actions(document, statement, among=among).actions == ["s3:GetObject"]


def test_allowed_actions_through_a_template():
    statement = allow(actions=[Template(("iam:", VAR_X))], resources=["*"])
    among = ["iam:PassRole", "s3:GetObject"]
    assert allowed_actions(doc(statement), statement, among=among) == Grant(
        statement, [], ["iam:PassRole"], (VAR_X,)
    )


def _allowed_one_by_one(document, statement, among):
    """What allowed_actions must equal: the per-action predicates, action by action."""
    grant = Grant(statement)
    for action in among:
        granted = allows(statement, action, "*")
        if granted is False:
            continue
        others = [d for d in document.statements if d is not statement]
        cancelled = any_of(cancels(d, action, "*") for d in others)
        if granted is True and cancelled is False:
            grant.actions.append(action)
        elif cancelled is not True:
            grant.possible.append(action)
    return grant.actions, grant.possible


@pytest.mark.parametrize(
    "statements",
    [
        [allow(not_actions=["iam:*", "s3:Get*"], resources=["*"])],
        [
            allow(not_actions=["iam:*"], resources=["*"]),
            deny(not_actions=["ec2:*"], resources=["*"]),
        ],
        [allow(not_actions=[Template((VAR_X, ":*"))], resources=["*"])],
        [allow(not_actions=VAR_X, resources=["*"])],
        [
            allow(actions=["*"], resources=["*"]),
            deny(actions=[Template(("iam:", VAR_X))], resources=["*"]),
        ],
        [
            allow(actions=["s3:*", "iam:Pass*"], resources=["*"]),
            deny(actions=["s3:Put*"], resources=["*"]),
        ],
        [allow(actions=["ec2:*"], resources=["*"]), deny(actions=["*"], resources=[VAR_B])],
    ],
)
def test_allowed_actions_agrees_with_the_per_action_predicates(statements):
    # Set arithmetic over the database must give the verdicts covers_action/cancels give.
    document = doc(*statements)
    among = ["iam:PassRole", "ec2:RunInstances", "s3:GetObject", "s3:PutObject", "kms:Decrypt"]
    grant = allowed_actions(document, statements[0], among=among)
    assert (grant.actions, grant.possible) == _allowed_one_by_one(
        document, statements[0], sorted(among)
    )


def test_write_actions_skip_actions_that_only_accept_star():
    statement = allow(
        actions=[
            "s3:ListAllMyBuckets",
            "logs:CreateLogDelivery",
            "iam:ListVirtualMFADevices",
            "s3:GetObject",
            "S3:putobject",
        ],
        resources=["*"],
    )
    assert write_actions_on_all_resources(doc(statement), statement).actions == ["s3:PutObject"]


def test_write_actions_need_resource_star():
    objects = allow(actions=["s3:PutObject"], resources=[S3_OBJECTS])
    assert write_actions_on_all_resources(doc(objects), objects) == Grant(objects)
    pass_star = allow(actions=["iam:Pass*", "iam:TagRole"], resources=["*"])
    assert write_actions_on_all_resources(doc(pass_star), pass_star).actions == [
        "iam:PassRole",
        "iam:TagRole",
    ]


def test_escalation_single_action():
    statement = allow(actions=["iam:CreateAccessKey", "s3:GetObject"], resources=["*"])
    assert privilege_escalations(doc(statement)) == [Grant(statement, ["iam:CreateAccessKey"])]


def test_escalation_needs_resource_star_and_survives_no_deny():
    scoped = allow(actions=["iam:CreateAccessKey"], resources=["arn:aws:iam::1:user/a"])
    assert privilege_escalations(doc(scoped)) == []
    star = allow(actions=["iam:CreateAccessKey"], resources=["*"])
    assert privilege_escalations(doc(star, deny(actions=["iam:*"], resources=["*"]))) == []


def test_escalation_pass_role_combination_is_charged_to_pass_role():
    run = allow(actions=["ec2:RunInstances"], resources=["*"])
    assert privilege_escalations(doc(PASS_ROLE)) == []
    assert privilege_escalations(doc(run, PASS_ROLE)) == [
        Grant(PASS_ROLE, ["iam:PassRole", "ec2:RunInstances"])
    ]


def test_escalation_with_iam_star():
    statement = allow(actions=["iam:*"], resources=["*"])
    assert privilege_escalations(doc(statement)) == [
        Grant(
            statement,
            [
                "iam:AddUserToGroup",
                "iam:AttachGroupPolicy",
                "iam:AttachRolePolicy",
                "iam:AttachUserPolicy",
                "iam:CreateAccessKey",
                "iam:CreateLoginProfile",
                "iam:CreatePolicyVersion",
                "iam:PutGroupPolicy",
                "iam:PutRolePolicy",
                "iam:PutUserPolicy",
                "iam:SetDefaultPolicyVersion",
                "iam:UpdateAssumeRolePolicy",
                "iam:UpdateLoginProfile",
            ],
        )
    ]


def test_escalation_undecided_through_unknown_actions():
    statement = allow(actions=VAR_X, resources=["*"])
    [grant] = privilege_escalations(doc(statement))
    assert (grant.actions, grant.unknowns) == ([], (VAR_X,))


def test_escalation_pass_role_with_undecided_companion():
    maybe_run = allow(actions=[Template(("ec2:", VAR_X))], resources=["*"])
    assert privilege_escalations(doc(PASS_ROLE, maybe_run)) == [
        Grant(PASS_ROLE, [], ["iam:PassRole"], (VAR_X,))
    ]


# --- conditions ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "conditions, expected",
    [
        (None, False),
        ({"StringEquals": {"aws:PrincipalOrgID": ["o-123"]}}, True),
        ({"StringEquals": {"AWS:principalorgid": "o-123"}}, True),
        ({"StringLike": {"aws:PrincipalOrgID": "*"}}, False),
        ({"StringEquals": {"aws:PrincipalOrgID": ["o-1", "*"]}}, False),
        ({"StringLikeIfExists": {"aws:SourceArn": ["arn:aws:sns:*:1:t"]}}, False),
        ({"ArnLike": {"aws:SourceArn": ["arn:aws:sns:*:1:t"]}}, True),
        ({"Bool": {"aws:SecureTransport": "true"}}, False),
        ({"Bool": {"aws:MultiFactorAuthPresent": "true"}}, True),
        ({"Bool": {"aws:MultiFactorAuthPresent": True}}, True),
        ({"Bool": {"aws:MultiFactorAuthPresent": "false"}}, False),
        ({"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}}, False),
        ({"StringEquals": {"aws:ResourceTag/team": "blue"}}, True),
        ({"StringEquals": {"aws:RequestTag/Team": "blue"}}, True),
        ({"StringEquals": {"s3:prefix": "home/"}}, False),
        ({"StringNotEquals": {"aws:PrincipalOrgID": "o-1"}}, False),
        ({"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}}, False),
        ({"IpAddress": {"aws:SourceIp": ["10.0.0.0/8"]}}, True),
        ({"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": ["o-a/r-b/*"]}}, True),
        ({"ForAllValues:StringLike": {"aws:PrincipalOrgPaths": ["o-a/r-b/*"]}}, False),
        ({"StringEquals": {"sts:ExternalId": VAR_X}}, True),
        ({"StringLike": {"sts:ExternalId": VAR_X}}, Undecided((VAR_X,))),
        ({"StringLike": {"aws:SourceArn": S3_OBJECTS}}, True),
        ({"StringLike": {"aws:SourceArn": Template((VAR_X, "*"))}}, Undecided((VAR_X,))),
        ({"StringEquals": VAR_X}, Undecided((VAR_X,))),
        (VAR_B, Undecided((VAR_B,))),
        (
            {"StringLike": {"sts:ExternalId": VAR_X}, "StringEquals": {"aws:SourceVpc": "v"}},
            True,
        ),
    ],
)
def test_restricting_conditions(conditions, expected):
    assert restricts(conditions) == expected


@pytest.mark.parametrize(
    "operator, expected",
    [
        ("StringEquals", True),
        ("ForAnyValue:StringLike", True),
        ("StringNotEquals", False),
        ("NotIpAddress", False),
        ("StringLikeIfExists", False),
        ("ForAllValues:StringEquals", False),
        ("Null", False),
    ],
)
def test_is_positive_operator(operator, expected):
    assert is_positive_operator(operator) is expected


# --- principals ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "principals, expected",
    [
        ({"*": ["*"]}, True),
        ({"AWS": ["*"]}, True),
        ({"AWS": ["arn:aws:iam::111122223333:root", "*"]}, True),
        ({"AWS": ["arn:aws:iam::111122223333:root"]}, False),
        ({"Service": ["ec2.amazonaws.com"]}, False),
        ({"AWS": [VAR_X]}, Undecided((VAR_X,))),
        ({"AWS": VAR_X}, Undecided((VAR_X,))),
        (VAR_X, Undecided((VAR_X,))),
    ],
)
def test_principal_is_anyone(principals, expected):
    assert principal_is_anyone(allow(principals=principals)) == expected


def test_principal_star_restricted_by_org_id():
    statement = allow(
        principals={"AWS": ["*"]},
        actions=["sts:AssumeRole"],
        conditions={"StringEquals": {"aws:PrincipalOrgID": "o-abc"}},
    )
    assert (principal_is_anyone(statement), has_restricting_condition(statement)) == (True, True)


def test_not_principal_is_anyone():
    assert principal_is_anyone(allow(not_principals={"AWS": ["arn:aws:iam::1:root"]})) is True


def test_foreign_accounts():
    statement = allow(
        principals={
            "AWS": [
                "arn:aws:iam::111122223333:root",
                "444455556666",
                "arn:aws:iam::777788889999:role/deployer",
                "arn:aws:iam::111122223333:user/alice",
                Template(("arn:aws:iam::", CALLER, ":root")),
                Unknown("AWS::AccountId"),
                Unknown("aws_iam_role.r.arn", ref=("aws_iam_role.r", "arn")),
                Template(("arn:aws:iam::", VAR_X, ":root")),
                VAR_B,
                "*",
            ],
            "Service": ["ec2.amazonaws.com"],
        }
    )
    assert foreign_accounts(statement, own_account_ids=("777788889999",)) == Partial(
        ["111122223333", "444455556666"], (VAR_X, VAR_B)
    )


def test_foreign_accounts_none_without_aws_principals():
    assert foreign_accounts(allow(principals={"Service": ["x"]})) == Partial([])


def test_web_identity_providers():
    statement = allow(
        principals={
            "Federated": [
                f"arn:aws:iam::111122223333:oidc-provider/{GITHUB}",
                Template(("arn:aws:iam::", CALLER, f":oidc-provider/{GITHUB}")),
                "cognito-identity.amazonaws.com",
                "arn:aws:iam::111122223333:saml-provider/okta",
                Unknown("aws_iam_openid_connect_provider.gh.arn", ref=("x", "arn")),
            ]
        }
    )
    assert web_identity_providers(statement) == Partial(
        [GITHUB, "cognito-identity.amazonaws.com"],
        (Unknown("aws_iam_openid_connect_provider.gh.arn", ref=("x", "arn")),),
    )


def test_condition_values():
    statement = allow(
        conditions={
            "StringEquals": {f"{GITHUB}:aud": "sts.amazonaws.com"},
            "StringLike": {f"{GITHUB}:SUB": ["repo:org/*", VAR_X]},
        }
    )
    assert condition_values(statement, f"{GITHUB}:sub") == Partial(
        [ConditionValue("StringLike", f"{GITHUB}:SUB", "repo:org/*")], (VAR_X,)
    )
    assert condition_values(statement, "*:aud").items == [
        ConditionValue("StringEquals", f"{GITHUB}:aud", "sts.amazonaws.com")
    ]
    assert condition_values(allow(), "*:aud") == Partial([])
    assert condition_values(allow(conditions=VAR_B), "*:aud") == Partial([], (VAR_B,))


@pytest.mark.parametrize(
    "subject, expected",
    [
        ("*", True),
        ("repo:*", True),
        ("repo:org/*", True),
        ("repo:org/*:*", True),
        ("repo:*/app:*", True),
        ("repo:org/app:*", False),
        ("repo:org/app:ref:refs/heads/main", False),
        ("system:serviceaccount:ns:sa", False),
        (Template(("repo:", VAR_X, "/*")), True),
        (Template(("repo:org/", VAR_X, ":*")), Undecided((VAR_X,))),
        (Template(("repo:org/app:ref:refs/heads/", VAR_X)), False),
        (VAR_X, Undecided((VAR_X,))),
    ],
)
def test_subject_is_wildcard_only(subject, expected):
    assert subject_is_wildcard_only(subject) == expected
