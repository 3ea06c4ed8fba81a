"""Output formats, rendered from hand-built scan results."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from iac_iam_checks import __version__
from iac_iam_checks.checks.registry import Check
from iac_iam_checks.model.findings import Finding, ScanResult, Suppression, UnresolvedEntry
from iac_iam_checks.model.values import ParseError
from iac_iam_checks.report import FORMATS, render

SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text())


def make_check(check_id: str, title: str, severity: str) -> Check:
    return Check(
        id=check_id,
        title=title,
        severity=severity,
        why=f"Why {check_id} matters.",
        fix=f"Fix {check_id}.",
        references=f"CIS {check_id}",
        kinds={"terraform": ("aws_iam_policy",), "cloudformation": ()},
        func=lambda resource, ctx: [],
    )


CHECKS = {
    "IAM001": make_check("IAM001", "Inline IAM policy", "MEDIUM"),
    "IAM003": make_check("IAM003", "IAM user not subject to MFA enforcement", "HIGH"),
    "IAM007": make_check("IAM007", "Password policy: maximum age above 90 days", "LOW"),
    "IAM020": make_check("IAM020", "Full administrative access", "CRITICAL"),
}


def finding(check_id, severity, file, line, resource, message, suppressed=None, end_line=None):
    return Finding(
        check_id=check_id,
        title=CHECKS[check_id].title if check_id in CHECKS else "Wildcard action",
        severity=severity,
        file=file,
        line=line,
        end_line=end_line or line,
        resource=resource,
        message=message,
        framework="terraform",
        fingerprint=f"fp-{check_id}-{resource}",
        suppressed=suppressed,
        scope=".",
    )


def sample() -> ScanResult:
    return ScanResult(
        findings=[
            finding(
                "IAM020",
                "CRITICAL",
                "main.tf",
                12,
                "aws_iam_policy.admin",
                'Allow of "*" on resource "*"',
                end_line=16,
            ),
            finding(
                "IAM001",
                "MEDIUM",
                "main.tf",
                3,
                "aws_iam_user_policy.inline",
                "inline policy on a user",
                Suppression("legacy, removed in Q3", "comment"),
            ),
            finding(
                "IAM022",
                "HIGH",
                "modules/iam dir/policy.tf",
                7,
                'module.iam.aws_iam_policy.p["x"]',
                'Allow of "s3:*"',
            ),
            finding(
                "IAM001",
                "MEDIUM",
                "main.tf",
                20,
                "aws_iam_role_policy.r",
                "inline policy on a role",
            ),
            finding(
                "IAM001",
                "MEDIUM",
                "main.tf",
                25,
                "aws_iam_role_policy.r",
                "second inline policy | on a role",
            ),
        ],
        unresolved=[
            UnresolvedEntry(
                ["IAM003"],
                "aws_iam_user.alice",
                "users.tf",
                1,
                "var.policy",
                "policy attached to the user is not known",
                scope=".",
            ),
        ],
        errors=[
            ParseError("broken.tf", 4, "unexpected token '}'"),
            ParseError("blob.tf", None, "not UTF-8 text"),
        ],
        warnings=[
            "users.tf:2: iac-iam-checks:ignore names unknown check id 'IAM999'; it is ignored"
        ],
        files_scanned=5,
        resources_scanned=12,
    )


def reversed_sample() -> ScanResult:
    result = sample()
    for name in ("findings", "unresolved", "errors", "warnings"):
        getattr(result, name).reverse()
    return result


# --- json ------------------------------------------------------------------------------------


def test_json_is_the_spec_object():
    data = json.loads(render(sample(), "json", CHECKS))
    assert list(data) == [
        "errors",
        "findings",
        "schema_version",
        "summary",
        "unresolved",
        "version",
        "warnings",
    ]
    assert data["schema_version"] == 1
    assert data["version"] == __version__
    assert data["findings"][0] == {
        "check_id": "IAM001",
        "title": "Inline IAM policy",
        "severity": "MEDIUM",
        "file": "main.tf",
        "line": 3,
        "end_line": 3,
        "resource": "aws_iam_user_policy.inline",
        "message": "inline policy on a user",
        "framework": "terraform",
        "fingerprint": "fp-IAM001-aws_iam_user_policy.inline",
        "root": ".",
        "plan": None,
        "suppressed": {"reason": "legacy, removed in Q3", "source": "comment"},
    }
    assert [
        (f["file"], f["line"], f["check_id"], f["suppressed"] is None) for f in data["findings"]
    ] == [
        ("main.tf", 3, "IAM001", False),
        ("main.tf", 12, "IAM020", True),
        ("main.tf", 20, "IAM001", True),
        ("main.tf", 25, "IAM001", True),
        ("modules/iam dir/policy.tf", 7, "IAM022", True),
    ]
    assert data["unresolved"] == [
        {
            "check_ids": ["IAM003"],
            "resource": "aws_iam_user.alice",
            "file": "users.tf",
            "line": 1,
            "value": "var.policy",
            "message": "policy attached to the user is not known",
            "root": ".",
            "plan": None,
        }
    ]
    assert data["errors"] == [
        {"file": "blob.tf", "line": None, "message": "not UTF-8 text"},
        {"file": "broken.tf", "line": 4, "message": "unexpected token '}'"},
    ]
    assert data["warnings"] == [
        "users.tf:2: iac-iam-checks:ignore names unknown check id 'IAM999'; it is ignored"
    ]
    assert data["summary"] == {
        "findings": 4,
        "by_severity": {"CRITICAL": 1, "HIGH": 1, "MEDIUM": 2, "LOW": 0},
        "suppressed": 1,
        "baselined": 0,
        "unresolved": 1,
        "errors": 2,
        "warnings": 1,
        "files_scanned": 5,
        "resources_scanned": 12,
    }


def test_json_is_byte_identical_whatever_the_input_order():
    first = render(sample(), "json", CHECKS)
    assert render(sample(), "json", CHECKS) == first
    assert render(reversed_sample(), "json", CHECKS) == first
    assert first.startswith('{\n  "errors": [\n    {\n      "file": "blob.tf",')
    assert first.endswith("}\n")


# --- sarif -----------------------------------------------------------------------------------


def sarif(result: ScanResult) -> dict:
    return json.loads(render(result, "sarif", CHECKS))


def test_sarif_is_valid_against_the_official_schema():
    jsonschema.Draft7Validator(SCHEMA).validate(sarif(sample()))
    jsonschema.Draft7Validator(SCHEMA).validate(sarif(ScanResult()))


def test_sarif_rules_cover_every_check_given_and_every_result():
    run = sarif(sample())["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == [
        "IAM001",
        "IAM003",
        "IAM007",
        "IAM020",
        "IAM022",
        "unresolved",
    ]
    assert rules[3] == {
        "id": "IAM020",
        "shortDescription": {"text": "Full administrative access"},
        "fullDescription": {"text": "Why IAM020 matters."},
        "help": {
            "text": "Why IAM020 matters.\n\nFix: Fix IAM020.\n\nReferences: CIS IAM020",
            "markdown": "Why IAM020 matters.\n\n**Fix:** Fix IAM020.\n\n**References:** CIS IAM020",
        },
        "defaultConfiguration": {"level": "error"},
        "properties": {
            "tags": ["security", "iam"],
            "severity": "CRITICAL",
            "security-severity": "9.5",
        },
    }
    assert [
        (r["id"], r["defaultConfiguration"]["level"], r["properties"].get("security-severity"))
        for r in rules
    ] == [
        ("IAM001", "warning", "5.5"),
        ("IAM003", "error", "8.0"),
        ("IAM007", "note", "2.0"),
        ("IAM020", "error", "9.5"),
        ("IAM022", "error", "8.0"),
        ("unresolved", "note", None),
    ]
    assert run["tool"]["driver"]["name"] == "iac-iam-checks"
    assert run["tool"]["driver"]["version"] == __version__


def test_sarif_results_locations_fingerprints_and_suppressions():
    results = sarif(sample())["runs"][0]["results"]
    assert [(r["ruleId"], r["ruleIndex"], r["level"]) for r in results] == [
        ("IAM001", 0, "warning"),
        ("IAM020", 3, "error"),
        ("IAM001", 0, "warning"),
        ("IAM001", 0, "warning"),
        ("IAM022", 4, "error"),
        ("unresolved", 5, "note"),
    ]
    admin = results[1]
    assert admin["message"] == {"text": 'aws_iam_policy.admin: Allow of "*" on resource "*"'}
    assert admin["locations"] == [
        {
            "physicalLocation": {
                "artifactLocation": {"uri": "main.tf", "uriBaseId": "%SRCROOT%"},
                "region": {"startLine": 12, "endLine": 16},
            },
            "logicalLocations": [
                {"fullyQualifiedName": "aws_iam_policy.admin", "kind": "resource"}
            ],
        }
    ]
    assert admin["partialFingerprints"] == {"iacIamChecks/v1": "fp-IAM020-aws_iam_policy.admin"}
    assert admin["suppressions"] == []
    assert results[0]["suppressions"] == [
        {
            "kind": "inSource",
            "status": "accepted",
            "justification": "legacy, removed in Q3",
            "properties": {"source": "comment"},
        }
    ]
    assert results[4]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == (
        "modules/iam%20dir/policy.tf"
    )
    unresolved = results[5]
    assert unresolved["message"]["text"] == (
        "aws_iam_user.alice: IAM003 could not decide: policy attached to the user is not known "
        "(unknown: var.policy)"
    )
    assert unresolved["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 1,
        "endLine": 1,
    }
    assert len(unresolved["partialFingerprints"]["iacIamChecks/v1"]) == 64


def test_sarif_external_suppression_and_line_zero_clamped():
    result = ScanResult(
        findings=[
            finding(
                "IAM020",
                "CRITICAL",
                "plan.json",
                0,
                "aws_iam_policy.a",
                "admin",
                Suppression("break-glass", "config"),
            ),
        ]
    )
    log = sarif(result)
    jsonschema.Draft7Validator(SCHEMA).validate(log)
    only = log["runs"][0]["results"][0]
    assert only["suppressions"] == [
        {
            "kind": "external",
            "status": "accepted",
            "justification": "break-glass",
            "properties": {"source": "config"},
        }
    ]
    assert only["locations"][0]["physicalLocation"]["region"] == {"startLine": 1, "endLine": 1}


def test_sarif_errors_and_warnings_are_notifications_without_region():
    invocation = sarif(sample())["runs"][0]["invocations"][0]
    assert invocation == {
        "executionSuccessful": True,
        "toolExecutionNotifications": [
            {
                "level": "error",
                "message": {"text": "not UTF-8 text"},
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": {"uri": "blob.tf", "uriBaseId": "%SRCROOT%"}
                        }
                    }
                ],
            },
            {
                "level": "error",
                "message": {"text": "line 4: unexpected token '}'"},
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": {"uri": "broken.tf", "uriBaseId": "%SRCROOT%"}
                        }
                    }
                ],
            },
            {
                "level": "warning",
                "message": {
                    "text": "users.tf:2: iac-iam-checks:ignore names unknown check id "
                    "'IAM999'; it is ignored"
                },
            },
        ],
    }


def test_sarif_is_byte_identical_whatever_the_input_order():
    assert render(reversed_sample(), "sarif", CHECKS) == render(sample(), "sarif", CHECKS)


# --- junit -----------------------------------------------------------------------------------


def junit(result: ScanResult) -> ET.Element:
    text = render(result, "junit", CHECKS)
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites')
    return ET.fromstring(text)


def counts(element: ET.Element) -> tuple[str, str, str, str]:
    return tuple(element.get(k) for k in ("tests", "failures", "errors", "skipped"))


def test_junit_suites_cases_and_counts():
    root = junit(sample())
    assert root.tag == "testsuites"
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert list(suites) == [
        "IAM001 Inline IAM policy",
        "IAM003 IAM user not subject to MFA enforcement",
        "IAM007 Password policy: maximum age above 90 days",
        "IAM020 Full administrative access",
        "IAM022 Wildcard action",
        "file errors",
    ]
    assert counts(root) == ("8", "3", "2", "2")
    assert counts(suites["IAM001 Inline IAM policy"]) == ("2", "1", "0", "1")
    assert counts(suites["IAM007 Password policy: maximum age above 90 days"]) == (
        "1",
        "0",
        "0",
        "0",
    )
    assert counts(suites["file errors"]) == ("2", "0", "2", "0")
    cases = {(c.get("classname"), c.get("name")): c for c in root.iter("testcase")}
    assert list(cases) == [
        ("IAM001", "aws_iam_role_policy.r"),
        ("IAM001", "aws_iam_user_policy.inline"),
        ("IAM003", "aws_iam_user.alice"),
        ("IAM007", "no findings"),
        ("IAM020", "aws_iam_policy.admin"),
        ("IAM022", 'module.iam.aws_iam_policy.p["x"]'),
        ("errors", "blob.tf"),
        ("errors", "broken.tf"),
    ]


def test_junit_failure_lists_every_finding_of_the_resource():
    cases = {(c.get("classname"), c.get("name")): c for c in junit(sample()).iter("testcase")}
    role = cases[("IAM001", "aws_iam_role_policy.r")]
    assert (role.get("file"), role.get("line")) == ("main.tf", "20")
    failure = role.find("failure")
    assert failure.get("message") == "inline policy on a role"
    assert failure.get("type") == "MEDIUM"
    assert failure.text == (
        "main.tf:20: [MEDIUM] inline policy on a role\n"
        "main.tf:25: [MEDIUM] second inline policy | on a role"
    )


def test_junit_suppressed_and_unresolved_are_skipped():
    cases = {(c.get("classname"), c.get("name")): c for c in junit(sample()).iter("testcase")}
    suppressed = cases[("IAM001", "aws_iam_user_policy.inline")].find("skipped")
    assert suppressed.get("message") == "suppressed by comment: legacy, removed in Q3"
    assert suppressed.text == (
        "main.tf:3: [MEDIUM] inline policy on a user (suppressed by comment: legacy, removed in Q3)"
    )
    unresolved = cases[("IAM003", "aws_iam_user.alice")].find("skipped")
    assert unresolved.get("message") == "unresolved: unknown var.policy"
    error = cases[("errors", "broken.tf")].find("error")
    assert (error.get("message"), error.text) == (
        "unexpected token '}'",
        "broken.tf:4: unexpected token '}'",
    )


def test_junit_replaces_characters_xml_cannot_carry():
    result = ScanResult(errors=[ParseError("bad.tf", 1, "byte \x00\x1b here")])
    cases = list(junit(result).iter("testcase"))
    assert cases[-1].find("error").get("message") == "byte \ufffd\ufffd here"


# --- text ------------------------------------------------------------------------------------


def test_text_groups_by_file_and_ends_with_a_summary():
    assert render(sample(), "text", CHECKS) == (
        "main.tf\n"
        "   3  MEDIUM    IAM001  aws_iam_user_policy.inline: inline policy on a user"
        " [suppressed by comment: legacy, removed in Q3]\n"
        '  12  CRITICAL  IAM020  aws_iam_policy.admin: Allow of "*" on resource "*"\n'
        "  20  MEDIUM    IAM001  aws_iam_role_policy.r: inline policy on a role\n"
        "  25  MEDIUM    IAM001  aws_iam_role_policy.r: second inline policy | on a role\n"
        "\n"
        "modules/iam dir/policy.tf\n"
        '   7  HIGH      IAM022  module.iam.aws_iam_policy.p["x"]: Allow of "s3:*"\n'
        "\n"
        "Unresolved (1):\n"
        "  users.tf:1  aws_iam_user.alice  IAM003  policy attached to the user is not known"
        " (unknown: var.policy)\n"
        "\n"
        "Errors (2):\n"
        "  blob.tf  not UTF-8 text\n"
        "  broken.tf:4  unexpected token '}'\n"
        "\n"
        "Warnings (1):\n"
        "  users.tf:2: iac-iam-checks:ignore names unknown check id 'IAM999'; it is ignored\n"
        "\n"
        "4 findings (1 CRITICAL, 1 HIGH, 2 MEDIUM, 0 LOW), 1 suppressed, 1 unresolved, "
        "2 errors; 12 resources in 5 files\n"
    )


def test_text_of_a_clean_scan_is_the_summary_line():
    result = ScanResult(files_scanned=1, resources_scanned=1)
    assert render(result, "text", CHECKS) == (
        "0 findings (0 CRITICAL, 0 HIGH, 0 MEDIUM, 0 LOW), 0 suppressed, 0 unresolved, "
        "0 errors; 1 resource in 1 file\n"
    )


def test_text_colors_only_on_request_and_escapes_control_characters():
    plain = render(sample(), "text", CHECKS)
    assert "\033[" not in plain
    colored = render(sample(), "text", CHECKS, color=True)
    assert "\033[1;35mCRITICAL\033[0m  IAM020" in colored
    assert "\033[1mmain.tf\033[0m" in colored
    hostile = ScanResult(errors=[ParseError("x.tf", 2, "bad \x1b[31m text")])
    assert "  x.tf:2  bad \\x1b[31m text\n" in render(hostile, "text", CHECKS, color=True)


# --- markdown --------------------------------------------------------------------------------


def test_markdown_summary_for_a_pull_request():
    text = render(sample(), "markdown", CHECKS)
    lines = text.splitlines()
    assert lines[:12] == [
        "### iac-iam-checks: 4 findings",
        "",
        "| | Count |",
        "| --- | ---: |",
        "| CRITICAL | 1 |",
        "| HIGH | 1 |",
        "| MEDIUM | 2 |",
        "| LOW | 0 |",
        "| Suppressed | 1 |",
        "| Unresolved | 1 |",
        "| File errors | 2 |",
        "",
    ]
    start = lines.index("#### Findings")
    assert lines[start + 2 : start + 8] == [
        "| Severity | Check | Resource | Location | Message |",
        "| --- | --- | --- | --- | --- |",
        "| CRITICAL | IAM020 Full administrative access | `aws_iam_policy.admin` | `main.tf:12` "
        '| Allow of "\\*" on resource "\\*" |',
        '| HIGH | IAM022 Wildcard action | `module.iam.aws_iam_policy.p["x"]` '
        '| `modules/iam dir/policy.tf:7` | Allow of "s3:\\*" |',
        "| MEDIUM | IAM001 Inline IAM policy | `aws_iam_role_policy.r` | `main.tf:20` "
        "| inline policy on a role |",
        "| MEDIUM | IAM001 Inline IAM policy | `aws_iam_role_policy.r` | `main.tf:25` "
        "| second inline policy \\| on a role |",
    ]
    assert "<summary>All findings (5, 1 suppressed)</summary>" in lines
    assert (
        "| MEDIUM | IAM001 Inline IAM policy | `aws_iam_user_policy.inline` | `main.tf:3` "
        "| inline policy on a user | suppressed (comment): legacy, removed in Q3 |"
    ) in lines
    assert "<summary>Unresolved (1)</summary>" in lines
    assert (
        "| IAM003 | `aws_iam_user.alice` | `users.tf:1` | `var.policy` "
        "| policy attached to the user is not known |"
    ) in lines
    assert "| `blob.tf` | not UTF-8 text |" in lines
    assert text.endswith("</details>\n")


def test_markdown_of_a_clean_scan():
    text = render(ScanResult(files_scanned=2, resources_scanned=3), "markdown", CHECKS)
    assert text.startswith("### iac-iam-checks: no findings\n")
    assert "<details>" not in text
    assert text.endswith("3 resources in 2 files scanned.\n")


def test_markdown_code_spans_survive_backticks():
    result = ScanResult(findings=[finding("IAM020", "CRITICAL", "a`b.tf", 1, "x", "m")])
    assert "| ``a`b.tf:1`` |" in render(result, "markdown", CHECKS)


# --- dispatch --------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_renders_an_empty_result(fmt):
    assert render(ScanResult(), fmt, CHECKS).endswith("\n")


def test_unknown_format_is_an_error():
    with pytest.raises(ValueError, match="unknown format 'yaml'"):
        render(ScanResult(), "yaml", CHECKS)


def test_ties_in_the_spec_order_are_broken_deterministically():
    a = finding("IAM020", "CRITICAL", "main.tf", 5, "aws_iam_policy.a", "admin")
    b = finding("IAM020", "CRITICAL", "main.tf", 5, "aws_iam_policy.a", "admin", end_line=9)
    u1 = UnresolvedEntry(["IAM003"], "aws_iam_user.u", "u.tf", 1, "var.x", "m")
    u2 = UnresolvedEntry(["IAM013"], "aws_iam_user.u", "u.tf", 1, "var.x", "m")
    for fmt in FORMATS:
        assert render(ScanResult(findings=[a, b], unresolved=[u1, u2]), fmt, CHECKS) == render(
            ScanResult(findings=[b, a], unresolved=[u2, u1]), fmt, CHECKS
        )


# --- findings repeated per instance ------------------------------------------------------------


def instances(keys, check_id="IAM022", line=7, scope="."):
    """One finding per module instance of one source line."""
    out = []
    for key in keys:
        f = finding(
            check_id,
            "HIGH",
            "modules/role/main.tf",
            line,
            f'module.role["{key}"].aws_iam_policy.p',
            'Allow of "s3:*"',
        )
        f.scope = scope
        out.append(f)
    return out


def test_text_names_a_few_instances_and_counts_the_rest():
    keys = [f"k{i:02}" for i in range(19)]
    result = ScanResult(findings=instances(keys) + instances(["a", "b"], "IAM020", 9))
    assert render(result, "text", CHECKS).splitlines()[:3] == [
        "modules/role/main.tf",
        '  7  HIGH      IAM022  module.role["k00"].aws_iam_policy.p, '
        'module.role["k01"].aws_iam_policy.p and 17 more: Allow of "s3:*"',
        '  9  HIGH      IAM020  module.role["a"].aws_iam_policy.p and '
        'module.role["b"].aws_iam_policy.p: Allow of "s3:*"',
    ]
    assert render(result, "text", CHECKS).endswith(
        "21 findings (0 CRITICAL, 21 HIGH, 0 MEDIUM, 0 LOW), 0 suppressed, 0 unresolved, "
        "0 errors; 0 resources in 0 files\n"
    )


def test_instances_with_different_messages_or_status_stay_apart():
    a, b, c = instances(["a", "b", "c"])
    b.message = 'Allow of "iam:*"'
    c.suppressed = Suppression("reviewed", "config")
    assert render(ScanResult(findings=[a, b, c]), "text", CHECKS).splitlines()[1:4] == [
        '  7  HIGH      IAM022  module.role["a"].aws_iam_policy.p: Allow of "s3:*"',
        '  7  HIGH      IAM022  module.role["b"].aws_iam_policy.p: Allow of "iam:*"',
        '  7  HIGH      IAM022  module.role["c"].aws_iam_policy.p: Allow of "s3:*"'
        " [suppressed by config: reviewed]",
    ]


def test_a_message_naming_its_own_instance_still_groups():
    a, b, c = instances(["a", "b", "c"])
    for f in (a, b, c):
        origin = f.resource.replace("aws_iam_policy.p", "data.aws_iam_policy_document.d")
        f.message = f"{f.resource} allows s3:* through {origin}.json"
    (line,) = [
        x
        for x in render(ScanResult(findings=[a, b, c]), "text", CHECKS).splitlines()
        if x.startswith("  7")
    ]
    assert line == (
        '  7  HIGH      IAM022  module.role["a"].aws_iam_policy.p, module.role["b"]'
        '.aws_iam_policy.p and module.role["c"].aws_iam_policy.p: module.role[*]'
        ".aws_iam_policy.p allows s3:* through"
        " module.role[*].data.aws_iam_policy_document.d.json"
    )


def test_json_sarif_and_junit_keep_one_entry_per_instance():
    result = ScanResult(findings=instances(["a", "b", "c"]))
    data = json.loads(render(result, "json", CHECKS))
    assert [f["resource"] for f in data["findings"]] == [
        f'module.role["{k}"].aws_iam_policy.p' for k in "abc"
    ]
    (run,) = sarif(result)["runs"]
    assert [r["message"]["text"] for r in run["results"]] == [
        f'module.role["{k}"].aws_iam_policy.p: Allow of "s3:*"' for k in "abc"
    ]
    assert [len(r["locations"]) for r in run["results"]] == [1, 1, 1]
    cases = junit(result).iter("testcase")
    assert sorted(c.get("name") for c in cases if c.find("failure") is not None) == [
        f'module.role["{k}"].aws_iam_policy.p' for k in "abc"
    ]


def test_markdown_rows_name_the_instances_counts_stay_per_finding():
    keys = [f"k{i:02}" for i in range(5)]
    lines = render(ScanResult(findings=instances(keys)), "markdown", CHECKS).splitlines()
    assert lines[0] == "### iac-iam-checks: 5 findings"
    assert "| HIGH | 5 |" in lines
    row = (
        '| HIGH | IAM022 Wildcard action | `module.role["k00"].aws_iam_policy.p`, '
        '`module.role["k01"].aws_iam_policy.p` and 3 more | `modules/role/main.tf:7` '
        '| Allow of "s3:\\*" |'
    )
    assert lines[lines.index("#### Findings") + 4] == row
    assert "<summary>All findings (5, 0 suppressed)</summary>" in lines
    assert row.removesuffix(" |") + " | open |" in lines


def test_the_root_is_named_when_several_roots_evaluate_one_module_file():
    m1 = instances(["a"], scope="envs/prod")
    m2 = instances(["a"], scope="envs/dev")
    unresolved = [
        UnresolvedEntry(
            ["IAM003"],
            "module.role.aws_iam_user.u",
            "modules/role/main.tf",
            2,
            "var.group",
            "group policies are not known",
            scope=scope,
        )
        for scope in ("envs/dev", "envs/prod")
    ]
    text = render(ScanResult(findings=m1 + m2, unresolved=unresolved), "text", CHECKS)
    assert text.splitlines()[1] == (
        '  7  HIGH      IAM022  module.role["a"].aws_iam_policy.p (root envs/dev) and '
        'module.role["a"].aws_iam_policy.p (root envs/prod): Allow of "s3:*"'
    )
    assert (
        "  modules/role/main.tf:2  module.role.aws_iam_user.u (root envs/dev) and "
        "module.role.aws_iam_user.u (root envs/prod)  IAM003  group policies are not known "
        "(unknown: var.group)"
    ) in text.splitlines()
    markdown = render(ScanResult(findings=m1 + m2), "markdown", CHECKS)
    assert '`module.role["a"].aws_iam_policy.p (root envs/dev)` and' in markdown
    one_root = render(ScanResult(findings=m1), "text", CHECKS)
    assert "root" not in one_root
