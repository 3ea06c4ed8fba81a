"""Property-based fuzzing of every front end and of the policy-document reader (issue 10).

Two kinds of input: mutations of the checks' own examples (``iac_iam_checks/checks/*.tf`` and
``*.yaml``: byte flips, truncation, inserted braces, quotes, ``${``, ``%{``, YAML tags and
anchors) and generated structures (random JSON/YAML values in every position the readers look
at: resource types, properties, policy documents, plan values, ``.tf.json`` blocks).

The property: a scan of the fuzzed file beside a valid one returns findings or clean errors
(the fuzzed file, a line inside it or none), never raises, never hangs (a watchdog fails the
example after ``WATCHDOG_S``), and the valid file's finding is still reported. Every report
format renders the result. Profiles: ``tests/conftest.py`` (``--hypothesis-profile=long``
searches for longer). A crash found here becomes an ``@example`` below and a fix in the front
end.
"""

from __future__ import annotations

import json
import signal
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml
from hypothesis import example, given
from hypothesis import strategies as st

from iac_iam_checks.checks.registry import all_checks
from iac_iam_checks.engine import ScanOptions, scan
from iac_iam_checks.iam.documents import document_from_value, enforces_mfa
from iac_iam_checks.model.values import Template, Unknown
from iac_iam_checks.report import render

CHECKS_DIR = Path(__file__).resolve().parent.parent / "iac_iam_checks" / "checks"
TF_EXAMPLES = sorted(p.read_bytes() for p in CHECKS_DIR.glob("*.tf"))
YAML_EXAMPLES = sorted(p.read_bytes() for p in CHECKS_DIR.glob("*.yaml"))
JSON_EXAMPLES = sorted(
    json.dumps(yaml.load(text, Loader=yaml.BaseLoader), indent=1).encode() for text in YAML_EXAMPLES
)
WATCHDOG_S = 30

GOOD = """resource "aws_iam_user_policy" "inline" {
  user   = "alice"
  policy = jsonencode({
    Statement = [{ Effect = "Allow", Action = "s3:GetObject", Resource = "*" }]
  })
}
"""
GOOD_FINDING = ("good/main.tf", "aws_iam_user_policy.inline", "IAM001")

INSERTS = [
    b"{",
    b"}",
    b"[",
    b"]",
    b'"',
    b"'",
    b"${",
    b"%{",
    b"}}",
    b"\n",
    b"\\",
    b"=",
    b":",
    b"- ",
    b"<<EOF\n",
    b"!Ref ",
    b"!Sub ",
    b"!GetAtt ",
    b"!!python/object/apply:os.system ['true'] ",
    b"!!binary ",
    b"!Unknown ",
    b"&a ",
    b"*a ",
    b"<<: *a\n",
    b"${var.x}",
    b"${jsonencode({})}",
    b"count = 5\n",
    b"\xff",
    b"\xef\xbb\xbf",
    b"\t",
    b"#",
    b"/*",
    b"*/",
    b"null",
    b"1e999",
]


class Hang(BaseException):
    """An example ran past the watchdog: a BaseException so nothing in the scan swallows it."""


@contextmanager
def watchdog(seconds: float = WATCHDOG_S) -> Iterator[None]:
    def expire(signum: int, frame: Any) -> None:
        raise Hang(f"scan did not finish within {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@st.composite
def mutated(draw: st.DrawFn, examples: list[bytes]) -> bytes:
    """One example with a few byte-level edits."""
    data = bytearray(draw(st.sampled_from(examples)))
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(data)))
        action = draw(st.sampled_from(["flip", "insert", "truncate", "delete", "duplicate"]))
        if action == "flip" and at < len(data):
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif action == "insert":
            data[at:at] = draw(st.sampled_from(INSERTS))
        elif action == "truncate":
            del data[at:]
        elif action == "delete":
            del data[at : at + draw(st.integers(1, 40))]
        elif action == "duplicate":
            end = min(len(data), at + draw(st.integers(1, 200)))
            data[at:at] = data[at:end]
    return bytes(data)


def scan_beside_good(name: str, content: bytes) -> None:
    """Scan ``fuzz/<name>`` beside ``good/main.tf`` and assert the property."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "good").mkdir()
        (root / "good" / "main.tf").write_text(GOOD, encoding="utf-8")
        (root / "fuzz").mkdir()
        (root / "fuzz" / name).write_bytes(content)
        with watchdog():
            result = scan([root], ScanOptions(use_cache=False, jobs=1))
            checks = all_checks()
            for fmt in ("text", "json", "sarif", "junit", "markdown"):
                render(result, fmt, checks).encode("utf-8")  # what stdout or a file takes
    lines = content.count(b"\n") + 1
    for error in result.errors:
        assert error.file == f"fuzz/{name}", error
        assert error.line is None or 1 <= error.line <= lines, error
        assert error.message.strip(), error
    assert GOOD_FINDING in {(f.file, f.resource, f.check_id) for f in result.findings}


# -- mutations of the checks' examples -------------------------------------------------------


@given(mutated(TF_EXAMPLES))
@example(b'locals { x = format("%0999999999d", 1) }\n')
@example(b'locals { x = indent(999999999, "a\\nb") }\n')
@example(b'locals { x = replace("xxxx", "x", format("%99999s", "y")) }\n')
@example(b'locals {\n a = "xx"\n b = "${local.a}${local.a}"\n}\n')
@example(b'data "aws_iam_policy_document" "t" {\n  statement {\n    sid \x1d "a"\n  }\n}\n')
def test_hcl_mutations(content: bytes) -> None:
    scan_beside_good("main.tf", content)


@given(mutated(YAML_EXAMPLES))
@example(b"AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  A:\n    Type: AWS::IAM::Role\n  P")
@example(b"AWSTemplateFormatVersion: '2010-09-09'\nParameters:\n- ? '\xc2\x85  '\nResources: []\n")
@example(b'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  "\\ud800": {Type: "\\udc00"}\n')
def test_cloudformation_yaml_mutations(content: bytes) -> None:
    scan_beside_good("template.yaml", content)


@given(mutated(JSON_EXAMPLES))
@example(b'{\n "AWSTemplateFormatVersion": "2010-09-09",\n "Resources": {\n  "A": {\n   "Type"')
def test_cloudformation_json_mutations(content: bytes) -> None:
    scan_beside_good("template.json", content)


# -- generated structures ---------------------------------------------------------------------

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
    st.sampled_from(["*", "s3:*", "iam:PassRole", "arn:aws:iam::aws:policy/AdministratorAccess"]),
    st.sampled_from(["Allow", "Deny", "${var.x}", "%{ if true }", "AWS::IAM::Role", "Ref"]),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


def statement_like() -> st.SearchStrategy[Any]:
    keys = ["Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Principal"]
    keys += ["NotPrincipal", "Condition"]
    return st.one_of(values, st.dictionaries(st.sampled_from(keys), values, max_size=6))


policy_like = st.one_of(
    values,
    st.fixed_dictionaries(
        {"Version": st.one_of(st.just("2012-10-17"), values)},
        optional={"Statement": st.one_of(statement_like(), st.lists(statement_like(), max_size=3))},
    ),
)

CFN_TYPES = [
    "AWS::IAM::Role",
    "AWS::IAM::Policy",
    "AWS::IAM::ManagedPolicy",
    "AWS::IAM::User",
    "AWS::IAM::Group",
    "AWS::IAM::AccessKey",
    "AWS::IAM::InstanceProfile",
    "AWS::EC2::Instance",
    "AWS::Serverless::Function",
]
CFN_PROPERTIES = [
    "PolicyDocument",
    "AssumeRolePolicyDocument",
    "Policies",
    "ManagedPolicyArns",
    "Roles",
    "Users",
    "Groups",
    "UserName",
    "LoginProfile",
    "IamInstanceProfile",
    "Status",
]
intrinsic = st.one_of(
    st.fixed_dictionaries({"Ref": values}),
    st.fixed_dictionaries({"Fn::Sub": values}),
    st.fixed_dictionaries({"Fn::Join": values}),
    st.fixed_dictionaries({"Fn::If": values}),
    st.fixed_dictionaries({"Fn::GetAtt": values}),
)
cfn_value = st.one_of(values, policy_like, intrinsic)
cfn_templates = st.fixed_dictionaries(
    {
        "AWSTemplateFormatVersion": st.just("2010-09-09"),
        "Resources": st.one_of(
            values,
            st.dictionaries(
                st.text(min_size=1, max_size=6),
                st.one_of(
                    values,
                    st.fixed_dictionaries(
                        {"Type": st.one_of(st.sampled_from(CFN_TYPES), values)},
                        optional={
                            "Properties": st.one_of(
                                values, st.dictionaries(st.sampled_from(CFN_PROPERTIES), cfn_value)
                            ),
                            "Condition": values,
                            "Metadata": values,
                        },
                    ),
                ),
                max_size=3,
            ),
        ),
    },
    optional={
        "Parameters": values,
        "Conditions": values,
        "Mappings": values,
        "Transform": values,
        "Outputs": values,
    },
)


@given(cfn_templates)
def test_cloudformation_generated_json(template: dict[str, Any]) -> None:
    scan_beside_good("template.json", json.dumps(template).encode())


@given(cfn_templates)
def test_cloudformation_generated_yaml(template: dict[str, Any]) -> None:
    text = yaml.safe_dump(template, allow_unicode=True)
    scan_beside_good("template.yaml", text.encode())


TF_KINDS = [
    "aws_iam_policy",
    "aws_iam_role",
    "aws_iam_user_policy",
    "aws_iam_role_policy",
    "aws_iam_user",
    "aws_iam_access_key",
    "aws_instance",
    "aws_iam_account_password_policy",
]
TF_ATTRIBUTES = ["policy", "assume_role_policy", "name", "user", "role", "count", "for_each"]
tf_blocks = st.dictionaries(
    st.one_of(st.sampled_from(TF_KINDS), st.text(max_size=6)),
    st.one_of(
        values,
        st.dictionaries(
            st.text(min_size=1, max_size=6),
            st.one_of(values, st.dictionaries(st.sampled_from(TF_ATTRIBUTES), cfn_value)),
            max_size=2,
        ),
    ),
    max_size=3,
)
tf_json = st.fixed_dictionaries(
    {},
    optional={
        "resource": st.one_of(values, tf_blocks),
        "data": st.one_of(
            values,
            st.fixed_dictionaries(
                {"aws_iam_policy_document": st.dictionaries(st.text(max_size=4), values)}
            ),
        ),
        "locals": values,
        "variable": values,
        "module": values,
        "output": values,
    },
)


@given(tf_json)
@example({"resource": [1, "x", {"aws_iam_user": [[1]]}], "locals": "x", "module": {"m": []}})
def test_terraform_json_generated(document: dict[str, Any]) -> None:
    scan_beside_good("main.tf.json", json.dumps(document).encode())


def hcl(value: Any) -> str:
    """A JSON-like value written in HCL syntax."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(k)} = {hcl(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(hcl(v) for v in value) + "]"
    if value is None:
        return "null"
    return json.dumps(value)


@given(st.sampled_from(TF_KINDS), st.sampled_from(TF_ATTRIBUTES), policy_like, st.booleans())
@example("aws_iam_policy", "policy", {"\U00010000": None}, False)
@example("aws_iam_policy", "policy", {"Statement": "\ud800"}, True)
@example("aws_iam_policy", "policy", "[" * 600 + "]" * 600, False)
def test_hcl_generated(kind: str, attribute: str, value: Any, encode: bool) -> None:
    expression = f"jsonencode({hcl(value)})" if encode else hcl(value)
    text = f'resource "{kind}" "x" {{\n  {attribute} = {expression}\n}}\n'
    scan_beside_good("main.tf", text.encode())


plan_resource = st.fixed_dictionaries(
    {
        "address": st.one_of(st.just("aws_iam_policy.p"), values),
        "mode": st.one_of(st.just("managed"), values),
        "type": st.one_of(st.sampled_from(TF_KINDS), values),
        "name": st.one_of(st.just("p"), values),
        "values": st.one_of(
            values,
            st.dictionaries(
                st.sampled_from(TF_ATTRIBUTES),
                st.one_of(cfn_value, policy_like.map(json.dumps)),
            ),
        ),
    },
    optional={"index": values, "sensitive_values": values},
)
plans = st.fixed_dictionaries(
    {
        "format_version": st.just("1.2"),
        "planned_values": st.fixed_dictionaries(
            {
                "root_module": st.one_of(
                    values,
                    st.fixed_dictionaries(
                        {"resources": st.lists(plan_resource, max_size=3)},
                        optional={"child_modules": values},
                    ),
                )
            }
        ),
    },
    optional={
        "resource_changes": st.one_of(values, st.lists(values, max_size=2)),
        "configuration": values,
        "prior_state": values,
        "variables": values,
    },
)


@given(plans)
@example(
    {"format_version": "1.2", "planned_values": {"root_module": None}, "resource_changes": True}
)
@example(
    {
        "format_version": "1.2",
        "planned_values": {
            "root_module": {
                "resources": [
                    {"address": "a", "type": "aws_iam_policy", "name": "\ud800", "values": {}}
                ]
            }
        },
        "configuration": {"root_module": {"resources": {"x": 1}}},
    }
)
def test_plan_generated(plan: dict[str, Any]) -> None:
    scan_beside_good("plan.json", json.dumps(plan).encode())


# -- the policy-document reader ---------------------------------------------------------------


@given(
    st.one_of(
        policy_like,
        policy_like.map(json.dumps),
        st.builds(
            lambda parts: Template(tuple(parts)),
            st.lists(st.one_of(st.text(max_size=20), st.just(Unknown("var.x"))), min_size=2),
        ),
        mutated([json.dumps({"Statement": [{"Effect": "Allow", "Action": "*"}]}).encode()]).map(
            lambda b: b.decode("utf-8", "replace")
        ),
    ),
    st.sampled_from(["identity", "resource", "trust"]),
)
@example("[" * 600 + "]" * 600, "identity")
@example('{"Statement": [{"Effect": "Allow", "Action": "\\ud800"}]}', "identity")
def test_policy_document_reader(value: Any, kind: str) -> None:
    with watchdog():
        document = document_from_value(value, kind, None)
        enforces_mfa(document)
    for message, _ in document.errors:
        assert isinstance(message, str) and message
