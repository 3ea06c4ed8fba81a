"""``access`` and ``diff``: effective permissions computed by hand on small repositories
(Terraform HCL, plan JSON, CloudFormation), new-access diffs with their exit codes, and the
agreement of ``access``'s administrator-equivalence with ``scan``'s IAM020/IAM021."""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from iac_iam_checks.cli import main
from iac_iam_checks.engine import ScanOptions, scan
from iac_iam_checks.engine.access import compute_access, compute_diff
from iac_iam_checks.engine.discover import discover
from iac_iam_checks.engine.loading import load, scan_base
from iac_iam_checks.iam import actions as action_db
from iac_iam_checks.iam.access import PrincipalAccess, kind_of
from iac_iam_checks.iam.graph import Graph
from iac_iam_checks.report.access import stream_json

CHECKS = Path(__file__).resolve().parent.parent / "iac_iam_checks" / "checks"

GROUPS_TF = """
resource "aws_iam_user" "bob" {
  name                 = "bob"
  permissions_boundary = aws_iam_policy.boundary.arn
}
resource "aws_iam_user" "carol" { name = "carol" }
resource "aws_iam_group" "devs" { name = "devs" }
resource "aws_iam_group" "ops" { name = "ops" }
resource "aws_iam_group_membership" "devs" {
  name  = "devs"
  group = aws_iam_group.devs.name
  users = [aws_iam_user.bob.name, aws_iam_user.carol.name]
}
resource "aws_iam_user_group_membership" "carol" {
  user   = aws_iam_user.carol.name
  groups = [aws_iam_group.ops.name]
}
resource "aws_iam_group_policy" "devs" {
  group = aws_iam_group.devs.name
  policy = jsonencode({ Statement = [
    { Effect = "Allow", Action = ["s3:GetObject", "s3:PutObject"],
      Resource = "arn:aws:s3:::data/*" },
    { Effect = "Deny", Action = "s3:PutObject", Resource = "*" },
  ] })
}
resource "aws_iam_policy" "ops" {
  name   = "ops"
  policy = jsonencode({ Statement = [
    { Effect = "Allow", NotAction = ["iam:*", "ec2:*", "s3:*"], Resource = "*" },
  ] })
}
resource "aws_iam_group_policy_attachment" "ops" {
  group      = aws_iam_group.ops.name
  policy_arn = aws_iam_policy.ops.arn
}
resource "aws_iam_user_policy" "bob" {
  user = aws_iam_user.bob.name
  policy = jsonencode({ Statement = [{
    Effect = "Allow", Action = ["dynamodb:GetItem", "sqs:SendMessage"], Resource = "*",
    Condition = { Bool = { "aws:SecureTransport" = "true" } }
  }] })
}
resource "aws_iam_policy" "boundary" {
  name   = "boundary"
  policy = jsonencode({ Statement = [
    { Effect = "Allow", Action = ["s3:*", "dynamodb:*"], Resource = "*" },
  ] })
}
module "team" {
  source   = "./modules/team"
  for_each = toset(["a", "b"])
  name     = each.key
}
"""

TEAM_TF = """
variable "name" {}
resource "aws_iam_role" "this" {
  name = var.name
  assume_role_policy = jsonencode({ Statement = [{
    Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "ec2.amazonaws.com" }
  }] })
}
resource "aws_iam_role_policy" "this" {
  role   = aws_iam_role.this.name
  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "sqs:ReceiveMessage",
    Resource = "arn:aws:sqs:*:*:${var.name}" }] })
}
resource "aws_iam_role_policy_attachment" "admin" {
  role       = aws_iam_role.this.name
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}
"""


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def by_address(path: Path, **kwargs) -> dict[str, PrincipalAccess]:
    result = compute_access([path], ScanOptions(use_cache=False), **kwargs)
    assert not result.errors
    return {p.address: p for p in result.principals}


def decisions(p: PrincipalAccess) -> dict[str, str]:
    return {g.action: g.decision for g in p.grants}


@pytest.fixture
def groups_repo(tmp_path: Path) -> Path:
    return write(tmp_path, {"main.tf": GROUPS_TF, "modules/team/main.tf": TEAM_TF})


def test_boundary_caps_and_deny_wins(groups_repo: Path) -> None:
    bob = by_address(groups_repo)["aws_iam_user.bob"]
    # sqs:SendMessage is outside the boundary; PutObject is denied by the group's own Deny
    assert decisions(bob) == {
        "dynamodb:GetItem": "allow",
        "s3:GetObject": "allow",
        "s3:PutObject": "deny",
    }
    rows = {g.action: g for g in bob.grants}
    assert rows["s3:GetObject"].resources == ["arn:aws:s3:::data/*"]
    assert rows["s3:GetObject"].via == ["aws_iam_group_policy.devs"]
    assert rows["dynamodb:GetItem"].conditions == {"Bool": {"aws:SecureTransport": ["true"]}}
    assert rows["dynamodb:GetItem"].via == ["aws_iam_user_policy.bob"]
    assert bob.boundary == "aws_iam_policy.boundary"
    assert not bob.admin and bob.escalation == []


def test_not_action_through_both_membership_forms(groups_repo: Path) -> None:
    carol = by_address(groups_repo)["aws_iam_user.carol"]
    found = decisions(carol)
    assert found["s3:GetObject"] == "allow"  # devs, through aws_iam_group_membership
    assert found["s3:PutObject"] == "deny"
    assert found["sqs:SendMessage"] == "allow"  # ops, through aws_iam_user_group_membership
    assert "iam:CreateUser" not in found and "ec2:RunInstances" not in found
    rows = {g.action: g for g in carol.grants}
    assert rows["sqs:SendMessage"].via == ["aws_iam_policy.ops"]
    assert not carol.admin
    escalation = {a for e in carol.escalation for a in e.actions}
    assert {"lambda:UpdateFunctionCode", "glue:UpdateDevEndpoint"} <= escalation
    assert not any(a.startswith("iam:") for a in escalation)


def test_module_instances_and_managed_admin(groups_repo: Path) -> None:
    found = by_address(groups_repo)
    role = found['module.team["a"].aws_iam_role.this']
    assert 'module.team["b"].aws_iam_role.this' in found
    assert role.admin and role.escalation
    rows = {g.action: g for g in role.grants}
    assert rows["sqs:ReceiveMessage"].resources == ["*", "arn:aws:sqs:*:*:a"]
    assert set(rows["sqs:ReceiveMessage"].via) == {
        "arn:aws:iam::aws:policy/AdministratorAccess",
        'module.team["a"].aws_iam_role_policy.this',
    }
    assert [t.principal for t in role.trust] == ["Service:ec2.amazonaws.com"]


def test_action_filter_answers_who_can(groups_repo: Path) -> None:
    found = by_address(groups_repo, actions=["sqs:Send*"])
    assert set(found) == {
        "aws_iam_user.carol",
        "aws_iam_group.ops",
        'module.team["a"].aws_iam_role.this',
        'module.team["b"].aws_iam_role.this',
    }
    assert {g.action for g in found["aws_iam_user.carol"].grants} == {"sqs:SendMessage"}


def test_unknown_managed_policy_and_unknown_boundary(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "main.tf": """
variable "boundary" {}
resource "aws_iam_role" "r" {
  name                 = "r"
  permissions_boundary = var.boundary
  assume_role_policy   = "{}"
}
resource "aws_iam_role_policy" "r" {
  role   = aws_iam_role.r.name
  policy = jsonencode({ Statement = [
    { Effect = "Allow", Action = "s3:GetObject", Resource = "*" }] })
}
resource "aws_iam_role_policy_attachment" "ro" {
  role       = aws_iam_role.r.name
  policy_arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
}
"""
        },
    )
    role = by_address(tmp_path)["aws_iam_role.r"]
    assert decisions(role) == {"s3:GetObject": "unknown"}
    values = {n.value for n in role.unresolved}
    assert "arn:aws:iam::aws:policy/ReadOnlyAccess" in values
    assert "var.boundary" in values


CFN = """
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Devs:
    Type: AWS::IAM::Group
    Properties:
      Policies:
        - PolicyName: devs
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: ["s3:GetObject", "s3:DeleteObject"]
                Resource: "arn:aws:s3:::data/*"
  Readers:
    Type: AWS::IAM::Group
  ReadersPolicy:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      Groups: [!Ref Readers]
      PolicyDocument:
        Statement:
          - Effect: Allow
            Action: "sqs:ReceiveMessage"
            Resource: "*"
            Condition: {StringEquals: {"aws:RequestedRegion": "eu-west-1"}}
  Alice:
    Type: AWS::IAM::User
    Properties:
      Groups: [!Ref Devs]
      Policies:
        - PolicyName: no-delete
          PolicyDocument:
            Statement:
              - Effect: Deny
                Action: "s3:Delete*"
                Resource: "*"
  AddAlice:
    Type: AWS::IAM::UserToGroupAddition
    Properties:
      GroupName: !Ref Readers
      Users: [!Ref Alice]
  Boundary:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Statement:
          - Effect: Allow
            Action: "lambda:*"
            Resource: "*"
  Worker:
    Type: AWS::IAM::Role
    Properties:
      PermissionsBoundary: !Ref Boundary
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Action: sts:AssumeRole
            Principal: {AWS: "arn:aws:iam::111122223333:root"}
            Condition: {StringEquals: {"sts:ExternalId": "x"}}
      ManagedPolicyArns: ["arn:aws:iam::aws:policy/PowerUserAccess"]
"""


def test_cloudformation_groups_deny_and_boundary(tmp_path: Path) -> None:
    found = by_address(write(tmp_path, {"t.yaml": CFN}))
    alice = found["Alice"]
    assert decisions(alice) == {
        "s3:DeleteObject": "deny",
        "s3:GetObject": "allow",
        "sqs:ReceiveMessage": "allow",
    }
    rows = {g.action: g for g in alice.grants}
    assert rows["sqs:ReceiveMessage"].conditions == {
        "StringEquals": {"aws:RequestedRegion": ["eu-west-1"]}
    }
    assert rows["sqs:ReceiveMessage"].via == ["ReadersPolicy"]
    worker = found["Worker"]
    # PowerUserAccess is IAM021-administrative, but the boundary allows lambda only
    assert not worker.admin
    assert {g.action.split(":")[0] for g in worker.grants} == {"lambda"}
    assert [(t.principal, t.conditions) for t in worker.trust] == [
        ("AWS:arn:aws:iam::111122223333:root", {"StringEquals": {"sts:ExternalId": ["x"]}})
    ]


def plan(resources: list[dict], prior: list[dict] | None = None) -> str:
    data: dict = {
        "format_version": "1.2",
        "planned_values": {"root_module": {"resources": resources}},
    }
    if prior is not None:
        data["prior_state"] = {"values": {"root_module": {"resources": prior}}}
    return json.dumps(data, indent=1)


def res(address: str, values: dict) -> dict:
    kind, name = address.split(".")
    return {"address": address, "mode": "managed", "type": kind, "name": name, "values": values}


USER = res("aws_iam_user.bob", {"name": "bob"})
GROUP = res("aws_iam_group.devs", {"name": "devs"})
MEMBERSHIP = res(
    "aws_iam_group_membership.devs", {"name": "devs", "group": "devs", "users": ["bob"]}
)


def group_policy(*actions: str) -> dict:
    document = {"Statement": [{"Effect": "Allow", "Action": list(actions), "Resource": "*"}]}
    return res("aws_iam_group_policy.devs", {"group": "devs", "policy": json.dumps(document)})


def test_plan_json_group_membership(tmp_path: Path) -> None:
    write(tmp_path, {"plan.json": plan([USER, GROUP, MEMBERSHIP, group_policy("s3:List*")])})
    bob = by_address(tmp_path / "plan.json")["aws_iam_user.bob"]
    assert decisions(bob) == {a: "allow" for a in ("s3:ListAllMyBuckets", "s3:ListBucket")} | {
        g.action: "allow" for g in bob.grants
    }
    assert "s3:ListBucket" in decisions(bob) and "s3:GetObject" not in decisions(bob)
    assert {g.access_level for g in bob.grants} == {"List"}


# --- diff ---------------------------------------------------------------------------------


def run(*args: str) -> tuple[int, str]:
    outcome = CliRunner().invoke(main, list(args))
    return outcome.exit_code, outcome.output


def two_plans(tmp_path: Path, before: list[str], after: list[str]) -> tuple[str, str]:
    base = write(
        tmp_path / "base", {"plan.json": plan([USER, GROUP, MEMBERSHIP, group_policy(*before)])}
    )
    new = write(
        tmp_path / "new", {"plan.json": plan([USER, GROUP, MEMBERSHIP, group_policy(*after)])}
    )
    return str(base / "plan.json"), str(new / "plan.json")


def test_diff_lists_new_grants_and_gates_by_level(tmp_path: Path) -> None:
    base, new = two_plans(tmp_path, ["s3:GetObject"], ["s3:GetObject", "s3:PutObject"])
    code, out = run("diff", base, new, "--format", "json")
    data = json.loads(out)
    assert code == 0  # Write is below the default permissions-management
    assert {(c["principal"], c["action"]) for c in data["added"]} == {
        ("aws_iam_user.bob", "s3:PutObject"),
        ("aws_iam_group.devs", "s3:PutObject"),
    }
    assert data["removed"] == [] and data["new_trust"] == []
    assert run("diff", base, new, "--fail-on", "write")[0] == 1
    assert run("diff", base, new, "--fail-on", "any")[0] == 1
    assert run("diff", new, base)[0] == 0
    removed = json.loads(run("diff", new, base, "--format", "json")[1])["removed"]
    assert {c["action"] for c in removed} == {"s3:PutObject"}


def test_diff_escalation_fails_at_admin(tmp_path: Path) -> None:
    base, new = two_plans(tmp_path, ["s3:GetObject"], ["s3:GetObject", "iam:CreatePolicyVersion"])
    code, out = run("diff", base, new, "--fail-on", "admin", "--format", "json")
    data = json.loads(out)
    assert code == 1
    assert {e["principal"] for e in data["new_escalation"]} == {
        "aws_iam_user.bob",
        "aws_iam_group.devs",
    }
    same = run("diff", base, base, "--fail-on", "any")
    assert same[0] == 0 and "no new access" in same[1]


def test_diff_single_plan_prior_state_and_new_principal(tmp_path: Path) -> None:
    carol = res("aws_iam_user.carol", {"name": "carol"})
    policy = {"Statement": [{"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "*"}]}
    carol_policy = res("aws_iam_user_policy.carol", {"user": "carol", "policy": json.dumps(policy)})
    text = plan([USER, carol, carol_policy], prior=[USER])
    code, out = run("diff", str(write(tmp_path, {"p.json": text}) / "p.json"), "--format", "json")
    data = json.loads(out)
    assert data["new_principals"] == ["aws_iam_user.carol"]
    assert [(c["principal"], c["action"]) for c in data["added"]] == [
        ("aws_iam_user.carol", "sqs:SendMessage")
    ]
    assert code == 0  # Write, below the default permissions-management


def test_diff_new_trust_from_git_ref(tmp_path: Path) -> None:
    role = """
resource "aws_iam_role" "r" {
  name = "r"
  assume_role_policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "sts:AssumeRole",
    Principal = { AWS = %s } }] })
}
"""
    repo = write(tmp_path, {"infra/main.tf": role % '"arn:aws:iam::111122223333:root"'})
    git = ["git", "-C", str(repo), "-c", "user.email=t@t", "-c", "user.name=t"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "base"], check=True)
    both = '["arn:aws:iam::111122223333:root", "arn:aws:iam::444455556666:root"]'
    write(repo, {"infra/main.tf": role % both})
    result = compute_diff("git:HEAD", str(repo / "infra"), ScanOptions(use_cache=False))
    assert [(t.role, t.principal) for t in result.new_trust] == [
        ("aws_iam_role.r", "AWS:arn:aws:iam::444455556666:root")
    ]
    assert result.added == [] and not result.errors
    code, out = run("diff", "git:no-such-ref", str(repo / "infra"))
    assert code == 2


def test_diff_markdown_has_verdict_and_tables(tmp_path: Path) -> None:
    base, new = two_plans(tmp_path, ["s3:GetObject"], ["s3:GetObject", "iam:AttachUserPolicy"])
    code, out = run("diff", base, new, "--format", "markdown")
    assert code == 1
    assert out.startswith("## IAM access diff: :x:")
    assert "### `aws_iam_user.bob`" in out and "| `iam:AttachUserPolicy` |" in out


# --- agreement with scan ------------------------------------------------------------------


def example_files() -> list[Path]:
    return sorted(p for p in CHECKS.glob("iam02[01]_*") if p.suffix in (".tf", ".yaml"))


@pytest.mark.parametrize("example", example_files(), ids=lambda p: p.name)
def test_admin_agrees_with_iam020_iam021(example: Path, tmp_path: Path) -> None:
    """A principal is administrator-equivalent exactly when an IAM020/IAM021 finding lies on
    something that reaches it (the principal, its policies, attachments, memberships)."""
    shutil.copy(example, tmp_path / example.name)
    options = ScanOptions(checks=["IAM020", "IAM021"], use_cache=False)
    flagged = {f.resource for f in scan([tmp_path], options).findings}
    found = discover([tmp_path], scan_base([tmp_path]), [])
    graph = Graph(load([tmp_path], options, found)[0].resources)
    admins = {p.address for p in compute_access([tmp_path], options).principals if p.admin}
    reported = set()
    for cls_node in [n for n in graph._nodes.values() if kind_of(n)]:  # noqa: SLF001
        links = (
            graph.policies_reaching(cls_node)
            if kind_of(cls_node) == "user"
            else graph.policies_of(cls_node)
        )
        reach = {cls_node.address} | {link.via.address for link in links}
        reach |= {link.holder for link in links if link.holder}
        if reach & flagged:
            reported.add(cls_node.address)
    assert admins == reported
    assert admins, "every admin example has a principal that holds the policy"


# --- grouped grants: administrators stay small --------------------------------------------


def expand_pattern(row: dict) -> set[str]:
    """The concrete actions a JSON row stands for (a wildcard minus its exceptions)."""
    left_out = {a for e in row.get("except", []) for a in action_db.expand(e)}
    return set(action_db.expand(row["action"])) - left_out


def principal_rows(out: str, address: str) -> list[dict]:
    found = [p for p in json.loads(out)["principals"] if p["address"] == address]
    assert len(found) == 1
    return found[0]["grants"]


ROLE_A = 'module.team["a"].aws_iam_role.this'


def test_admin_principal_is_a_compact_row_set(groups_repo: Path) -> None:
    code, out = run("access", str(groups_repo), "--principal", ROLE_A, "--format", "json")
    assert code == 0
    rows = principal_rows(out, ROLE_A)
    everything = action_db.every_action()
    # AdministratorAccess alone grants all but sqs:ReceiveMessage, which the inline policy
    # also grants on its queue: two rows, not 20,000
    assert [(r["action"], r.get("except"), r.get("expanded")) for r in rows] == [
        ("*", ["sqs:ReceiveMessage"], len(everything) - 1),
        ("sqs:ReceiveMessage", None, None),
    ]
    assert rows[0]["access_level"] == "Permissions management"
    assert rows[0]["via"] == ["arn:aws:iam::aws:policy/AdministratorAccess"]
    assert rows[1]["resources"] == ["*", "arn:aws:sqs:*:*:a"]
    assert set().union(*map(expand_pattern, rows)) == everything
    # --expand is the issue's one row per concrete action, the same rows as the engine's
    code, out = run(
        "access", str(groups_repo), "--principal", ROLE_A, "--format", "json", "--expand"
    )
    expanded = principal_rows(out, ROLE_A)
    assert len(expanded) == len(everything) and "expanded" not in expanded[0]
    role = by_address(groups_repo)[ROLE_A]
    assert [r["action"] for r in expanded] == [g.action for g in role.grants]


def test_admin_output_size_is_bounded(groups_repo: Path) -> None:
    """An administrator costs a few hundred bytes in every format, not megabytes."""
    for fmt in ("json", "text", "markdown"):
        code, out = run("access", str(groups_repo), "--principal", ROLE_A, "--format", fmt)
        assert code == 0 and len(out) < 3000, (fmt, len(out))


def test_action_query_still_names_the_admin(groups_repo: Path) -> None:
    code, out = run("access", str(groups_repo), "--action", "iam:PassRole", "--format", "json")
    data = json.loads(out)
    assert {p["address"] for p in data["principals"]} == {
        ROLE_A,
        'module.team["b"].aws_iam_role.this',
    }
    assert [(r["action"], r["decision"]) for r in data["principals"][0]["grants"]] == [
        ("iam:PassRole", "allow")
    ]
    # a whole service asked for is one row; still exact with --expand
    rows = principal_rows(
        run("access", str(groups_repo), "--action", "iam:*", "--format", "json")[1], ROLE_A
    )
    assert [(r["action"], r["expanded"]) for r in rows] == [
        ("iam:*", len(action_db.expand("iam:*")))
    ]


def test_diff_admin_vs_non_admin_is_compact(tmp_path: Path) -> None:
    base, new = two_plans(tmp_path, ["s3:GetObject"], ["*"])
    code, out = run("diff", base, new, "--format", "json", "--fail-on", "admin")
    assert code == 1
    data = json.loads(out)
    assert set(data["new_admin"]) == {"aws_iam_user.bob", "aws_iam_group.devs"}
    everything = action_db.every_action()
    # s3:GetObject was held before, on the same resources: everything else is new
    assert [(c["principal"], c["action"], c["except"], c["expanded"]) for c in data["added"]] == [
        ("aws_iam_user.bob", "*", ["s3:GetObject"], len(everything) - 1),
        ("aws_iam_group.devs", "*", ["s3:GetObject"], len(everything) - 1),
    ]
    assert data["added"][0]["access_level"] == "Permissions management"
    assert len(out) < 5000
    assert run("diff", base, new, "--fail-on", "permissions-management")[0] == 1
    text = run("diff", base, new)[1]
    assert f"+ * ({len(everything) - 1:,} actions, except s3:GetObject)" in text
    # the way back removes the same set, and is not new access
    code, out = run("diff", new, base, "--format", "json", "--fail-on", "any")
    assert code == 0
    assert [(c["action"], c["except"]) for c in json.loads(out)["removed"]] == [
        ("*", ["s3:GetObject"]),
        ("*", ["s3:GetObject"]),
    ]
    expanded = json.loads(run("diff", base, new, "--format", "json", "--expand")[1])["added"]
    assert len(expanded) == 2 * (len(everything) - 1)
    assert {c["action"] for c in expanded} == everything - {"s3:GetObject"}


def test_diff_gates_on_the_highest_level_in_a_group(tmp_path: Path) -> None:
    """A whole service gained is one row; its most sensitive action decides the exit."""
    base, new = two_plans(tmp_path, ["s3:GetObject"], ["s3:GetObject", "iam:*"])
    code, out = run("diff", base, new, "--format", "json")
    assert code == 1  # iam:* holds Permissions management actions
    added = json.loads(out)["added"]
    assert [(c["action"], c["access_level"]) for c in added] == [
        ("iam:*", "Permissions management"),
        ("iam:*", "Permissions management"),
    ]


@pytest.mark.parametrize("seed", range(5))
def test_compact_patterns_name_exactly_the_set(seed: int) -> None:
    rng = random.Random(seed)
    everything = sorted(action_db.every_action())
    s3 = set(action_db.expand("s3:*"))
    cases = [
        set(rng.sample(everything, 50)),
        set(everything) - set(rng.sample(everything, 30)),
        s3 | set(rng.sample(everything, 5)),
        s3 - {rng.choice(sorted(s3))},
        set(everything) - set(action_db.expand("iam:*")) - s3,
    ]
    for actions in cases:
        found = action_db.compact(frozenset(actions))
        rows = [{"action": p.action, "except": list(p.except_)} for p in found]
        assert set().union(*map(expand_pattern, rows)) == actions
        assert sum(p.count for p in found) == len(actions)
        assert len(found) + sum(len(p.except_) for p in found) <= len(actions)


def test_stream_json_matches_json_dumps() -> None:
    data = {"a": [1, {"b": []}], "rows": iter([{"x": [1, 2]}, {"y": {}}]), "none": iter([])}
    expected = {"a": [1, {"b": []}], "rows": [{"x": [1, 2]}, {"y": {}}], "none": []}
    assert "".join(stream_json(data)) == json.dumps(expected, indent=2) + "\n"


def test_diff_computes_the_two_sides_in_parallel_with_the_same_result(tmp_path: Path) -> None:
    """With jobs > 1 the base side is computed in a forked process; nothing may change."""
    base, new = two_plans(tmp_path, ["s3:GetObject"], ["*"])
    alone = compute_diff(base, new, ScanOptions(jobs=1, use_cache=False))
    forked = compute_diff(base, new, ScanOptions(jobs=2, use_cache=False))
    assert forked == alone and alone.new_admin
