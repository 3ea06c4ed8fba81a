"""Terraform plan JSON front end: hand-written plans, bad input, and parity with HCL.

The parity tests build a plan from what the HCL front end evaluated for every check's ``.tf``
example (``plan_from_hcl.py``) and expect the same (check id, address) findings from the plan
as from the ``.tf`` file. The only differences allowed are the ones a plan cannot avoid:

- variables, locals and tfvars are not in a plan (CI injects variable values, and the hard-coded
  credentials check IAM012 never reads them), so findings on them have no plan counterpart;
- a value the HCL front end knows in part (a template or ``jsonencode`` object with an unknown
  hole) is wholly "known after apply" in a plan: findings on such a resource may be missing
  (``degraded``), never added.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from plan_from_hcl import ACCOUNT_ID, plan_from_resources

from iac_iam_checks.checks.registry import all_checks
from iac_iam_checks.engine import ScanOptions, load, scan
from iac_iam_checks.frontends.plan import object_spans, parse_plan, parse_traversal
from iac_iam_checks.model.settings import Settings
from iac_iam_checks.model.values import Location, PolicyDocument, Unknown

PLANS = Path(__file__).parent / "plans"
REPO = Path(__file__).parent.parent
NOT_IN_PLANS = ("variable", "locals", "tfvars")


def parsed(name: str):
    resources, errors = parse_plan((PLANS / name).read_text(), f"plans/{name}")
    assert errors == []
    return {r.address: r for r in resources}


# --- resources, addresses, locations -------------------------------------------------------


def test_addresses_modules_keys_and_lines() -> None:
    resources = parsed("identities.json")
    assert [
        (r.kind, a, r.module, r.instance_key, r.location.line, r.location.end_line)
        for a, r in resources.items()
    ] == [
        ("aws_iam_user", "aws_iam_user.alice", "", None, 10, 25),
        ("aws_iam_user", 'aws_iam_user.team["bob"]', "", "bob", 26, 35),
        ("aws_iam_user", "aws_iam_user.ci", "", None, 36, 44),
        (
            "aws_iam_user_policy_attachment",
            "aws_iam_user_policy_attachment.alice_admin",
            "",
            None,
            45,
            56,
        ),
        ("aws_iam_access_key", "aws_iam_access_key.ci[0]", "", 0, 57, 66),
        ("aws_iam_group_membership", "aws_iam_group_membership.devs", "", None, 67, 75),
        ("aws_iam_role", "aws_iam_role.app", "", None, 76, 91),
        ("aws_instance", "aws_instance.web", "", None, 92, 105),
        ("aws_launch_template", "aws_launch_template.web", "", None, 106, 118),
        ("aws_iam_user_login_profile", "aws_iam_user_login_profile.dev", "", None, 119, 127),
        (
            "aws_iam_user",
            'module.team["dev"].aws_iam_user.this',
            'module.team["dev"]',
            None,
            133,
            141,
        ),
        (
            "aws_iam_user_policy",
            'module.team["dev"].aws_iam_user_policy.inline',
            'module.team["dev"]',
            None,
            142,
            154,
        ),
        (
            "aws_iam_access_key",
            'module.team["dev"].module.keys.aws_iam_access_key.this',
            'module.team["dev"].module.keys',
            None,
            160,
            168,
        ),
        (
            "aws_iam_policy_document",
            "data.aws_iam_policy_document.ec2_assume",
            "",
            None,
            302,
            327,
        ),
        ("aws_iam_policy_document", "data.aws_iam_policy_document.leftover", "", None, 328, 340),
        ("provider", "provider.aws", "", None, 347, 355),
    ]
    alice = resources["aws_iam_user.alice"]
    assert (alice.framework, alice.scope, alice.name) == (
        "terraform_plan",
        "plans/identities.json",
        "alice",
    )
    assert alice.location == Location("plans/identities.json", 10, 25)


def test_known_values_are_kept_and_nulls_dropped() -> None:
    resources = parsed("identities.json")
    assert resources["aws_iam_user.alice"].attrs == {
        "force_destroy": False,
        "name": "alice",
        "path": "/",
    }
    # configuration says `user = aws_iam_user.alice.name`; the plan already knows "alice"
    assert resources["aws_iam_user_policy_attachment.alice_admin"].attrs == {
        "policy_arn": "arn:aws:iam::aws:policy/AdministratorAccess",
        "user": "alice",
    }


def test_after_unknown_becomes_unknown_with_the_referenced_resource() -> None:
    key = parsed("identities.json")["aws_iam_access_key.ci[0]"]
    assert key.attrs == {
        "status": "Active",
        "user": Unknown(
            "aws_iam_access_key.ci[0].user (known after apply)", ref=("aws_iam_user.ci", "name")
        ),
    }


def test_unknown_list_items_take_their_own_reference() -> None:
    membership = parsed("identities.json")["aws_iam_group_membership.devs"]
    assert membership.attrs["users"] == [
        "alice",
        Unknown(
            "aws_iam_group_membership.devs.users[1] (known after apply)",
            ref=("aws_iam_user.ci", "name"),
        ),
    ]


def test_references_through_module_outputs_and_inputs() -> None:
    resources = parsed("identities.json")
    user = ('module.team["dev"].aws_iam_user.this', "name")
    assert resources["aws_iam_user_login_profile.dev"].attrs["user"].ref == user
    assert resources['module.team["dev"].aws_iam_user_policy.inline'].attrs["user"].ref == user
    key = resources['module.team["dev"].module.keys.aws_iam_access_key.this']
    assert key.attrs["user"].ref == user
    assert key.attrs["pgp_key"] == "keybase:dev"
    # `name = var.name` fed by `each.key`: unknown, and no resource behind it
    assert resources['module.team["dev"].aws_iam_user.this'].attrs["name"] == Unknown(
        'module.team["dev"].aws_iam_user.this.name (known after apply)'
    )


def test_unwritten_optional_computed_attributes_are_absent() -> None:
    resources = parsed("identities.json")
    assert resources["aws_instance.web"].attrs == {
        "ami": "ami-0123456789abcdef0",
        "instance_type": "t3.micro",
        "tags": {"Name": "web"},
    }
    role = resources["aws_iam_role.app"].attrs
    assert "inline_policy" not in role and "managed_policy_arns" not in role
    assert resources["aws_iam_user.ci"].attrs == {
        "force_destroy": False,
        "name_prefix": "ci-",
        "path": "/",
    }


def test_nested_blocks_are_lists_of_objects_without_unwritten_empties() -> None:
    template = parsed("identities.json")["aws_launch_template.web"]
    assert template.attrs["iam_instance_profile"] == [{"name": "web"}]


def test_policy_strings_stay_json_text() -> None:
    role = parsed("identities.json")["aws_iam_role.app"]
    assert json.loads(role.attrs["assume_role_policy"])["Statement"][0]["Action"] == (
        "sts:AssumeRole"
    )


def test_policy_document_data_sources_from_prior_state() -> None:
    resources = parsed("identities.json")
    used = resources["data.aws_iam_policy_document.ec2_assume"]
    assert used.metadata == {"used": True}
    document = used.attrs["json"]
    assert isinstance(document, PolicyDocument)
    assert document.origin == "data.aws_iam_policy_document.ec2_assume"
    assert [(s.effect, s.actions, s.principals) for s in document.statements] == [
        ("Allow", ["sts:AssumeRole"], {"Service": ["ec2.amazonaws.com"]})
    ]
    assert document.statements[0].location == Location("plans/identities.json", 302, 327)
    assert used.attrs["statement"] == [
        {
            "actions": ["sts:AssumeRole"],
            "effect": "Allow",
            "principals": [{"identifiers": ["ec2.amazonaws.com"], "type": "Service"}],
        }
    ]
    leftover = resources["data.aws_iam_policy_document.leftover"]
    assert leftover.metadata == {"used": False}
    assert [(s.actions, s.resources) for s in leftover.attrs["json"].statements] == [(["*"], ["*"])]


def test_deferred_policy_document_is_built_from_its_blocks_and_used_in_place() -> None:
    resources = parsed("deferred_document.json")
    document = resources["data.aws_iam_policy_document.bucket"].attrs["json"]
    assert resources["data.aws_iam_policy_document.bucket"].metadata == {"used": True}
    policy = resources["aws_iam_policy.bucket"].attrs["policy"]
    assert policy.origin == "data.aws_iam_policy_document.bucket"
    assert policy.statements[0].raw is document.statements[0].raw
    # findings on the policy point at the policy resource, as everything in a plan does
    assert policy.statements[0].location == Location("plans/deferred_document.json", 7, 15)
    [statement] = document.statements
    assert (statement.sid, statement.actions) == ("Data", ["s3:*"])
    assert statement.resources == [
        Unknown(
            "data.aws_iam_policy_document.bucket.statement[0].resources[0] (known after apply)",
            ref=("aws_s3_bucket.data", "arn"),
        )
    ]


def test_providers_are_pseudo_blocks_and_variables_are_not_read() -> None:
    resources = parsed("identities.json")
    assert resources["provider.aws"].attrs == {
        "access_key": "AKIA2E0A8F3B244C9986",
        "region": "eu-west-1",
        "secret_key": Unknown("var.ci_secret"),
    }
    assert [a for a in resources if a.startswith("var.")] == []


def test_findings_point_at_the_resource_in_the_plan() -> None:
    result = scan(
        [PLANS / "identities.json"],
        ScanOptions(checks=["IAM002", "IAM009", "IAM011", "IAM012", "IAM013"]),
    )
    assert [(f.check_id, f.resource, f.line, f.end_line) for f in result.findings] == [
        ("IAM002", "aws_iam_user_policy_attachment.alice_admin", 45, 56),
        ("IAM011", "aws_iam_access_key.ci[0]", 57, 66),
        ("IAM009", "aws_instance.web", 92, 105),
        ("IAM013", 'module.team["dev"].aws_iam_user.this', 133, 141),
        ("IAM002", 'module.team["dev"].aws_iam_user_policy.inline', 142, 154),
        ("IAM011", 'module.team["dev"].module.keys.aws_iam_access_key.this', 160, 168),
        ("IAM012", "provider.aws", 347, 355),
    ]
    assert {f.file for f in result.findings} == {"identities.json"}
    assert {f.framework for f in result.findings} == {"terraform_plan"}


# --- bad input -----------------------------------------------------------------------------


def errors_of(text: str):
    resources, errors = parse_plan(text, "plan.json")
    assert resources == []
    return [(e.file, e.line, e.message) for e in errors]


def test_invalid_json_is_an_error_with_its_line() -> None:
    assert errors_of('{\n  "format_version": "1.2",\n  "planned_values": {,}\n}') == [
        ("plan.json", 3, "invalid JSON: Expecting property name enclosed in double quotes")
    ]


@pytest.mark.parametrize(
    "text", ['{"format_version": "1.0", "values": {}}', "[1, 2]", '{"planned_values": []}']
)
def test_not_a_plan_is_an_error(text: str) -> None:
    assert errors_of(text) == [("plan.json", 1, "not a Terraform plan: no planned_values object")]


def test_absurd_nesting_is_an_error_not_a_crash() -> None:
    text = '{"planned_values": ' + "[" * 100_000 + "]" * 100_000 + "}"
    assert errors_of(text) == [("plan.json", None, "invalid JSON: nested too deeply")]


def test_deep_values_are_cut_off_as_unknown() -> None:
    deep = "[" * 200 + "]" * 200
    text = (
        '{"planned_values": {"root_module": {"resources": [{"address": "aws_iam_user.u", '
        '"mode": "managed", "type": "aws_iam_user", "name": "u", "values": {"tags": '
        + deep
        + "}}]}}}"
    )
    resources, errors = parse_plan(text, "plan.json")
    assert errors == []
    value = resources[0].attrs["tags"]
    while isinstance(value, list) and value:
        value = value[0]
    assert value == Unknown("aws_iam_user.u.tags" + "[0]" * 64 + " (nested too deeply)")


def test_wrong_shapes_inside_a_plan_are_skipped() -> None:
    text = json.dumps(
        {
            "format_version": "1.2",
            "planned_values": {
                "root_module": {
                    "resources": [
                        "nonsense",
                        {"address": 3},
                        {"address": "aws_iam_user.u", "type": "aws_iam_user", "name": "u"},
                    ],
                    "child_modules": {"not": "a list"},
                }
            },
            "resource_changes": [{"address": "aws_iam_user.u", "change": "?"}],
            "configuration": {"root_module": [], "provider_config": {"aws": 1}},
        }
    )
    resources, errors = parse_plan(text, "plan.json")
    assert errors == []
    assert [(r.address, r.attrs) for r in resources] == [("aws_iam_user.u", {})]


# --- helpers -------------------------------------------------------------------------------


def test_traversals() -> None:
    assert parse_traversal('module.a["x"].aws_iam_user.u[0].name') == [
        ("attr", "module"),
        ("attr", "a"),
        ("index", "x"),
        ("attr", "aws_iam_user"),
        ("attr", "u"),
        ("index", 0),
        ("attr", "name"),
    ]
    assert parse_traversal("aws_iam_user.u[*].name") == [
        ("attr", "aws_iam_user"),
        ("attr", "u"),
        ("splat", None),
        ("attr", "name"),
    ]
    assert parse_traversal("upper(var.x)") is None


def test_object_spans_ignore_braces_inside_strings() -> None:
    text = '{"a": {"resources": [\n  {"x": "}{[", "y": [1,\n 2]},\n  {}\n]}}'
    assert object_spans(text) == {("a", "resources", 0): (2, 3), ("a", "resources", 1): (4, 4)}


# --- parity with the HCL front end ---------------------------------------------------------

EXAMPLES = [
    pytest.param(check.id, path, resolve, id=f"{check.id}-{'literal' if resolve else 'opaque'}")
    for check in all_checks().values()
    for path in check.examples()
    if path.suffix == ".tf"
    for resolve in (True, False)
]
"""``literal``: references to configured attributes are known while planning (names written
as literals); ``opaque``: every reference is "known after apply", so resources are linked
only through configuration references."""


def assert_parity(
    tf_path: Path, tmp_path: Path, checks: list[str] | None, resolve_references: bool
) -> None:
    loaded, _ = load([tf_path], ScanOptions(frameworks=["terraform"]))
    plan, degraded = plan_from_resources(loaded.resources, resolve_references)
    plan_path = tmp_path / "plan.json"
    plan_path.write_text(json.dumps(plan, indent=2))
    settings = Settings(own_account_ids=(ACCOUNT_ID,))
    from_hcl = scan([tf_path], ScanOptions(checks=checks, settings=settings))
    from_plan = scan([plan_path], ScanOptions(checks=checks, settings=settings))
    assert from_plan.errors == []

    not_in_plans = {r.address for r in loaded.resources if r.kind in NOT_IN_PLANS}
    expected = {(f.check_id, f.resource) for f in from_hcl.findings}
    expected = {item for item in expected if item[1] not in not_in_plans}
    found = {(f.check_id, f.resource) for f in from_plan.findings}
    assert found - expected == set()
    assert {item for item in expected - found if item[1] not in degraded} == set()

    spans = {r.address: r.location for r in load([plan_path], ScanOptions())[0].resources}
    for finding in from_plan.findings:
        span = spans[finding.resource]
        assert (finding.file, finding.framework) == ("plan.json", "terraform_plan")
        assert span.line <= finding.line <= finding.end_line <= span.end_line


@pytest.mark.parametrize(("check_id", "path", "resolve"), EXAMPLES)
def test_plan_parity_on_check_examples(
    check_id: str, path: Path, resolve: bool, tmp_path: Path
) -> None:
    assert_parity(path, tmp_path, [check_id], resolve)


@pytest.mark.parametrize("resolve", [True, False], ids=["literal", "opaque"])
def test_plan_parity_on_the_demo_repository(resolve: bool, tmp_path: Path) -> None:
    """Modules with for_each, module outputs, data documents, every check at once."""
    assert_parity(REPO / "fixtures" / "demo" / "terraform", tmp_path, None, resolve)


@pytest.mark.parametrize("resolve", [True, False], ids=["literal", "opaque"])
def test_plan_parity_with_partly_known_values(resolve: bool, tmp_path: Path) -> None:
    """Templates and jsonencode objects with holes: the degraded exception at work."""
    folder = PLANS / "partly_known"
    loaded, _ = load([folder], ScanOptions(frameworks=["terraform"]))
    _, degraded = plan_from_resources(loaded.resources, resolve)
    assert degraded == {
        "aws_iam_policy.star_on_bucket",
        "aws_iam_role_policy_attachment.own_account",
        "data.aws_iam_policy_document.bucket",
        "aws_iam_user_policy.bucket",
    }
    assert_parity(folder, tmp_path, None, resolve)


@pytest.mark.parametrize(("policy_refs", "used"), [(["local.admin"], True), ([], False)])
def test_document_reached_through_a_local_is_used(policy_refs: list[str], used: bool) -> None:
    """The configuration shows ``local.admin``, not the document: the rendered text decides."""
    text = '{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}'
    document = {"address": "data.aws_iam_policy_document.admin", "mode": "data"}
    document.update(type="aws_iam_policy_document", name="admin", values={"json": text})
    policy = {"address": "aws_iam_policy.admin", "mode": "managed", "type": "aws_iam_policy"}
    policy.update(name="admin", values={"policy": text})
    expression = {"references": policy_refs} if policy_refs else {"constant_value": text}
    plan = {
        "format_version": "1.2",
        "planned_values": {"root_module": {"resources": [policy]}},
        "prior_state": {"values": {"root_module": {"resources": [document]}}},
        "configuration": {
            "root_module": {
                "resources": [
                    {
                        "address": "aws_iam_policy.admin",
                        "mode": "managed",
                        "type": "aws_iam_policy",
                        "name": "admin",
                        "expressions": {"policy": expression},
                    }
                ]
            }
        },
    }
    resources, _ = parse_plan(json.dumps(plan), "plan.json")
    assert [(r.address, r.metadata) for r in resources] == [
        ("aws_iam_policy.admin", {}),
        ("data.aws_iam_policy_document.admin", {"used": used}),
    ]


def test_caller_identity_account_in_a_plan_is_the_own_account(tmp_path) -> None:
    """A plan renders data.aws_caller_identity as the literal account: trusting it is not
    cross-account (IAM029)."""
    import json as _json

    from iac_iam_checks.engine import ScanOptions, scan

    trust = _json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": "sts:AssumeRole",
                    "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
                }
            ],
        }
    )
    plan = {
        "format_version": "1.2",
        "terraform_version": "1.9.0",
        "planned_values": {
            "root_module": {
                "resources": [
                    {
                        "address": "aws_iam_role.r",
                        "mode": "managed",
                        "type": "aws_iam_role",
                        "name": "r",
                        "values": {"name": "r", "assume_role_policy": trust},
                    }
                ]
            }
        },
        "prior_state": {
            "values": {
                "root_module": {
                    "resources": [
                        {
                            "address": "data.aws_caller_identity.current",
                            "mode": "data",
                            "type": "aws_caller_identity",
                            "name": "current",
                            "values": {"account_id": "111122223333"},
                        }
                    ]
                }
            }
        },
        "resource_changes": [],
    }
    path = tmp_path / "plan.json"
    path.write_text(_json.dumps(plan, indent=2), encoding="utf-8")
    assert scan([path], ScanOptions(checks=["IAM029"])).findings == []
    other = tmp_path / "other" / "plan.json"
    other.parent.mkdir()
    plan["prior_state"]["values"]["root_module"]["resources"][0]["values"]["account_id"] = (
        "999988887777"
    )
    other.write_text(_json.dumps(plan, indent=2), encoding="utf-8")
    assert [f.check_id for f in scan([other], ScanOptions(checks=["IAM029"])).findings] == [
        "IAM029"
    ]
