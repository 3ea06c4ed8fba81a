"""graph.py: nodes, edges and resolution, on hand-built resources (front-end conventions)."""

from __future__ import annotations

from iac_iam_checks.iam.documents import enforces_mfa
from iac_iam_checks.iam.graph import (
    ACCESS_KEY,
    GROUP,
    INSTANCE_PROFILE,
    LOGIN_PROFILE,
    POLICY,
    ROLE,
    USER,
    Graph,
    active_keys,
)
from iac_iam_checks.model.values import (
    CLOUDFORMATION,
    IDENTITY,
    TERRAFORM,
    Location,
    PolicyDocument,
    Resource,
    Template,
    Unknown,
)

LINE = iter(range(1, 10_000))


def tf(address: str, attrs: dict, key=None, module: str = "", scope: str = ".") -> Resource:
    kind = address.split("[")[0].removeprefix(f"{module}.").removeprefix("data.").split(".")[0]
    line = next(LINE)
    return Resource(
        kind=kind,
        address=address,
        framework=TERRAFORM,
        location=Location("main.tf", line, line),
        attrs=attrs,
        scope=scope,
        module=module,
        instance_key=key,
    )


def cfn(logical_id: str, kind: str, attrs: dict) -> Resource:
    line = next(LINE)
    return Resource(
        kind, logical_id, CLOUDFORMATION, Location("t.yaml", line, line), attrs, "t.yaml"
    )


def ref(address: str, attribute: str = "name") -> Unknown:
    return Unknown(f"{address}.{attribute}", (address, attribute))


def addresses(nodes) -> list[str]:
    return [n.address for n in nodes]


MFA_DOCUMENT = {
    "Statement": [
        {
            "Effect": "Deny",
            "NotAction": "iam:*MFA*",
            "Resource": "*",
            "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
        }
    ]
}


def test_reference_without_key_matches_every_instance_and_with_key_one() -> None:
    users = [tf(f'aws_iam_user.u["{k}"]', {"name": k}, key=k) for k in ("a", "b")]
    profile = tf("aws_iam_user_login_profile.p", {"user": ref('aws_iam_user.u["b"]')})
    graph = Graph([*users, profile])
    assert addresses(graph.resolve(ref("aws_iam_user.u"), profile, USER).nodes) == [
        'aws_iam_user.u["a"]',
        'aws_iam_user.u["b"]',
    ]
    assert addresses(graph.resolve(ref('aws_iam_user.u["b"]'), profile, USER).nodes) == [
        'aws_iam_user.u["b"]'
    ]


def test_keyed_reference_matches_a_block_whose_keys_are_unknown() -> None:
    user = tf("aws_iam_user.u", {"name": Unknown("each.key")})
    key = tf("aws_iam_access_key.k", {"user": ref('aws_iam_user.u["x"]')})
    graph = Graph([user, key])
    assert addresses(graph.resolve(ref('aws_iam_user.u["x"]'), key, USER).nodes) == [
        "aws_iam_user.u"
    ]


def test_relative_reference_inside_a_module_gets_the_module_prefix() -> None:
    role = tf("module.m.aws_iam_role.r", {"name": "app"}, module="module.m")
    profile = tf(
        "module.m.aws_iam_instance_profile.p", {"role": ref("aws_iam_role.r")}, module="module.m"
    )
    graph = Graph([role, profile])
    assert addresses(graph.resolve(ref("aws_iam_role.r"), profile, ROLE).nodes) == [
        "module.m.aws_iam_role.r"
    ]


def test_literal_names_arns_and_aws_managed_policies() -> None:
    policy = tf("aws_iam_policy.p", {"name": "require-mfa", "policy": MFA_DOCUMENT})
    group = tf("aws_iam_group.g", {"name": "admins"})
    graph = Graph([policy, group])
    arn = "arn:aws:iam::123456789012:policy/team/require-mfa"
    assert addresses(graph.resolve(arn, group, POLICY).nodes) == ["aws_iam_policy.p"]
    account = Template(
        ("arn:aws:iam::", Unknown("data.aws_caller_identity.c.account_id"), ":policy/require-mfa")
    )
    assert addresses(graph.resolve(account, group, POLICY).nodes) == ["aws_iam_policy.p"]
    assert addresses(graph.resolve("admins", policy, GROUP).nodes) == ["aws_iam_group.g"]
    managed = graph.resolve("arn:aws-us-gov:iam::aws:policy/ReadOnlyAccess", group, POLICY)
    assert (managed.nodes, managed.aws_managed) == ((), "ReadOnlyAccess")


def test_what_does_not_resolve_is_reported_and_dangling_references_are_marked() -> None:
    profile = tf("aws_iam_instance_profile.p", {})
    graph = Graph([profile, tf("variable", {})])
    missing = graph.resolve("not-here", profile, ROLE)
    assert (missing.unresolved, missing.dangling) == (Unknown("not-here"), False)
    variable = graph.resolve(Unknown("var.role"), profile, ROLE)
    assert (variable.unresolved, variable.dangling) == (Unknown("var.role"), False)
    deleted = graph.resolve(ref("aws_iam_role.deleted"), profile, ROLE)
    assert (deleted.unresolved, deleted.dangling) == (ref("aws_iam_role.deleted"), True)


def test_cloudformation_variants_with_one_address_are_one_node() -> None:
    group = cfn("Admins", "AWS::IAM::Group", {})
    first = cfn("Alice", "AWS::IAM::User", {"Groups": [Unknown("Ref Admins", ("Admins", "Ref"))]})
    second = cfn("Alice", "AWS::IAM::User", {"LoginProfile": {"Password": "x"}})
    graph = Graph([group, first, second])
    node = graph.node(second)
    assert node is graph.node(first)
    assert node.resources == [first, second]
    assert addresses(e.target.nodes[0] for e in graph.outgoing(node, "member_of")) == ["Admins"]
    assert addresses(e.source.nodes[0] for e in graph.incoming(node, LOGIN_PROFILE)) == ["Alice"]


def test_policies_reach_a_user_through_its_groups() -> None:
    user = tf("aws_iam_user.alice", {"name": "alice"})
    group = tf("aws_iam_group.g", {"name": "console"})
    policy = tf("aws_iam_policy.mfa", {"name": "mfa", "policy": MFA_DOCUMENT})
    resources = [
        user,
        group,
        policy,
        tf(
            "aws_iam_user_group_membership.m",
            {"user": "alice", "groups": [ref("aws_iam_group.g"), "outside"]},
        ),
        tf(
            "aws_iam_group_policy_attachment.a",
            {"group": "console", "policy_arn": ref("aws_iam_policy.mfa", "arn")},
        ),
        tf(
            "aws_iam_user_policy_attachment.b",
            {
                "user": ref("aws_iam_user.alice"),
                "policy_arn": "arn:aws:iam::aws:policy/ReadOnlyAccess",
            },
        ),
    ]
    graph = Graph(resources)
    links = graph.policies_reaching(graph.node(user))
    assert [(link.label, link.aws_managed, link.unresolved) for link in links] == [
        ("AWS-managed policy ReadOnlyAccess", "ReadOnlyAccess", None),
        ("policy mfa", None, None),
        ("group outside", None, Unknown("outside")),
    ]
    assert links[1].group is graph.node(group)
    assert [enforces_mfa(d) for d in links[1].documents] == [True]


def test_cloudformation_managed_policy_users_and_inline_policies() -> None:
    user = cfn(
        "Bob",
        "AWS::IAM::User",
        {"Policies": [{"PolicyName": "inline", "PolicyDocument": MFA_DOCUMENT}]},
    )
    managed = cfn(
        "Mfa",
        "AWS::IAM::ManagedPolicy",
        {"Users": [Unknown("Ref Bob", ("Bob", "Ref"))], "PolicyDocument": MFA_DOCUMENT},
    )
    graph = Graph([user, managed])
    links = graph.policies_of(graph.node(user))
    assert [link.label for link in links] == ["inline policy 'inline'", "policy Mfa"]
    assert [len(link.documents) for link in links] == [1, 1]


def test_data_source_documents_are_already_policy_documents() -> None:
    document = PolicyDocument(
        IDENTITY, [], Location("main.tf", 1, 1), origin="data.aws_iam_policy_document.d"
    )
    policy = tf("aws_iam_policy.p", {"name": "p", "policy": document})
    role = tf(
        "aws_iam_role.r", {"name": "r", "managed_policy_arns": [ref("aws_iam_policy.p", "arn")]}
    )
    graph = Graph([policy, role])
    (link,) = graph.policies_of(graph.node(role))
    assert link.documents == [document]


def test_credentials_group_literal_user_names_and_key_states() -> None:
    user = tf("aws_iam_user.a", {"name": "a"})
    resources = [
        user,
        tf("aws_iam_user_login_profile.a", {"user": ref("aws_iam_user.a")}),
        tf("aws_iam_access_key.a1", {"user": "a"}),
        tf("aws_iam_access_key.a2", {"user": "a", "status": "Inactive"}),
        tf("aws_iam_access_key.c1", {"user": "carol"}),
        tf("aws_iam_access_key.c2", {"user": "carol", "status": Unknown("var.status")}),
    ]
    graph = Graph(resources)
    mine = graph.credentials_of(graph.node(user))
    assert addresses(mine.login_profiles) == ["aws_iam_user_login_profile.a"]
    assert addresses(mine.access_keys) == ["aws_iam_access_key.a1", "aws_iam_access_key.a2"]
    assert addresses(active_keys(mine)[0]) == ["aws_iam_access_key.a1"]
    (carol,) = [c for c in graph.credentials(".") if c.user is None]
    active, undecided = active_keys(carol)
    assert (carol.user_value, addresses(active)) == ("carol", ["aws_iam_access_key.c1"])
    assert [(k.address, u) for k, u in undecided] == [
        ("aws_iam_access_key.c2", Unknown("var.status"))
    ]


def test_scopes_do_not_see_each_other_by_name() -> None:
    user = tf("aws_iam_user.a", {"name": "a"}, scope="root1")
    key = tf("aws_iam_access_key.k", {"user": "a"}, scope="root2")
    graph = Graph([user, key])
    assert graph.resolve("a", key, USER).nodes == ()
    assert graph.edges_in("root1") == []
    assert [e.relation for e in graph.edges_in("root2")] == [ACCESS_KEY]


def test_compute_edges_to_profiles_templates_and_services() -> None:
    profile = tf("aws_iam_instance_profile.p", {"name": "p", "role": "r"})
    template = tf(
        "aws_launch_template.t",
        {"name": "t", "iam_instance_profile": [{"arn": ref("aws_iam_instance_profile.p", "arn")}]},
    )
    instance = tf(
        "aws_instance.i", {"launch_template": [{"id": ref("aws_launch_template.t", "id")}]}
    )
    nodes = tf("aws_eks_node_group.n", {"launch_template": [{"name": "t"}]})
    graph = Graph([profile, template, instance, nodes])
    t = graph.node(template)
    assert addresses(e.source.nodes[0] for e in graph.incoming(t, "launched_from")) == [
        "aws_instance.i"
    ]
    assert addresses(e.source.nodes[0] for e in graph.incoming(t, "template_user")) == [
        "aws_eks_node_group.n"
    ]
    (uses,) = graph.outgoing(t, "uses_profile")
    assert addresses(uses.target.nodes) == ["aws_iam_instance_profile.p"]
    assert graph.resolve("r", profile, ROLE).unresolved == Unknown("r")
    assert graph.resolve(ref("aws_iam_instance_profile.p"), instance, INSTANCE_PROFILE).nodes
