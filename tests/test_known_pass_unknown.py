"""Issue 15 leftovers: every check decides with three values (known fail, known pass, unknown).

An Unknown gives an ``unresolved`` entry and nothing else; ``null`` or an empty string the
provider treats as unset takes the default; a value the front end knows to be a name (another
managed resource's ARN) is decided. Each test scans a few files and asserts the exact findings
and unresolved entries as (check id, resource, line) tuples.
"""

from __future__ import annotations

from pathlib import Path

from iac_iam_checks.engine import ScanOptions, scan
from iac_iam_checks.engine.discover import CLOUDFORMATION, kind_by_content


def run(tmp_path: Path, files: dict[str, str], *check_ids: str) -> tuple[list, list]:
    """(findings, unresolved) of a scan of ``files``; errors must be empty."""
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    result = scan([tmp_path], ScanOptions(checks=list(check_ids), use_cache=False))
    assert result.errors == []
    findings = [(f.check_id, f.resource, f.line) for f in result.findings]
    unresolved = [(tuple(u.check_ids), u.resource, u.line, u.value) for u in result.unresolved]
    return findings, unresolved


# --- 1. discovery of one-line JSON templates ----------------------------------------------

MINIFIED = (
    '{"Resources":{"Key":{"Type":"AWS::IAM::AccessKey","Properties":{"UserName":"alice"}},'
    '"Admin":{"Type":"AWS::IAM::ManagedPolicy","Properties":{"PolicyDocument":{"Statement":'
    '[{"Effect":"Allow","Action":"*","Resource":"*"}]}}}}}'
)


def test_minified_json_template_is_discovered(tmp_path: Path) -> None:
    findings, unresolved = run(tmp_path, {"stack.json": MINIFIED}, "IAM011", "IAM020")
    assert (findings, unresolved) == ([("IAM011", "Key", 1), ("IAM020", "Admin", 1)], [])


def test_json_template_with_resources_and_type_on_one_line_is_discovered(tmp_path: Path) -> None:
    text = '{ "Resources": { "Key": { "Type": "AWS::IAM::AccessKey",\n  "Properties": {} } } }\n'
    assert run(tmp_path, {"stack.json": text}, "IAM011") == ([("IAM011", "Key", 1)], [])


def test_json_that_is_not_a_template_stays_silently_skipped(tmp_path: Path) -> None:
    embedded = MINIFIED.replace('"', '\\"')
    files = {
        "package.json": '{"name": "app", "dependencies": {"aws-sdk": "2"}}',
        "configmap.json": '{"apiVersion": "v1", "kind": "ConfigMap", "data": {"stack": "'
        + embedded
        + '"}}',
        "policy.json": '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Resource":"*"}]}',
        "broken.json": '{"Resources": ',
    }
    assert run(tmp_path, files, "IAM011", "IAM020") == ([], [])
    for name in ("package.json", "configmap.json", "policy.json", "broken.json"):
        assert kind_by_content(name, files[name]) is None
    assert kind_by_content("t.json", '{"AWSTemplateFormatVersion":"2010-09-09"}') == CLOUDFORMATION
    assert kind_by_content("t.yaml", "{Resources: {A: {Type: AWS::IAM::User}}}") == CLOUDFORMATION
