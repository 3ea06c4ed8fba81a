"""Skipping resource bodies no check reads keeps lines, lengths and parse errors intact."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from iac_iam_checks.frontends.hcl_blocks import (
    OUTPUT,
    blank_irrelevant,
    hints_at_credentials,
    prepare_folder,
)
from iac_iam_checks.frontends.terraform_loader import local_sources

TEXT = """# a comment with a brace {
resource "aws_s3_bucket" "logs" {
  bucket = "logs-${var.env}-{x}"
  policy = <<EOF
{ "a": "}" }
EOF
  tags = { team = "data" } # }
}
variable "x" { default = "{" }
resource "aws_iam_user" "u" {
  name = "a"
}
"""


def iam_only(kind: str) -> bool:
    return kind.startswith("aws_iam_")


def test_irrelevant_resource_bodies_become_one_comment_of_the_same_shape() -> None:
    out = blank_irrelevant(TEXT, iam_only)
    assert len(out) == len(TEXT)
    assert out.count("\n") == TEXT.count("\n")
    start = TEXT.index('resource "aws_s3_bucket"')
    end = TEXT.index('variable "x"') - 1
    assert out[:start] == TEXT[:start] and out[end:] == TEXT[end:]
    skipped = out[start:end]
    assert skipped.startswith("/*") and skipped.endswith("*/")
    assert skipped[2:-2].strip() == ""


def test_lines_after_a_skipped_block_keep_their_numbers() -> None:
    from iac_iam_checks.frontends.hcl_parser import parse_hcl

    tree = parse_hcl(blank_irrelevant(TEXT, iam_only))
    blocks = [c for c in tree.children[0].children if c.data == "block"]
    assert [b.meta.line for b in blocks] == [9, 10]


def test_blocks_with_credentials_are_kept() -> None:
    text = 'resource "aws_instance" "a" {\n  user_data = "AKIAABCDEFGHIJKLMNOP"\n}\n'
    assert blank_irrelevant(text, lambda kind: False) == text


def test_a_dangling_assignment_is_left_for_the_parser() -> None:
    text = 'resource "aws_s3_bucket" "b" {\n  bucket =\n}\n'
    assert blank_irrelevant(text, iam_only) == text


def test_unbalanced_text_is_returned_unchanged() -> None:
    for text in (
        'resource "aws_s3_bucket" "b" {\n  bucket = "x"\n',
        'resource "aws_s3_bucket" "b" {\n  bucket = "x\n}\n',
        'resource "aws_s3_bucket" {\n  bucket = "x"\n}\n}\n',
    ):
        assert blank_irrelevant(text, iam_only) == text


# The fast text searches answer exactly what the regexes they replace would.

_HINT_REFERENCE = re.compile(r"AKIA|ASIA|secret[_-]*(?:access[_-]*)?key|access_key", re.I)
_SOURCE_REFERENCE = re.compile(r'\bsource\s*=\s*"(\.{1,2}(?:/[^"]*)?)"')
_PIECES = st.sampled_from(
    [
        "source",
        "xsource",
        "_source",
        "é",
        "ṡ",
        "٣",
        ' = "',
        "./",
        "../",
        '"',
        "/",
        "=",
        " ",
        "\n",
        "akia",
        "AsIa",
        "secret",
        "ſecret",
        "access_key",
        "access",
        "key",
        "_",
        "-",
        "KEY",
        "\u212aia",
        "a",
        "s",
        "K",
    ]
)


@given(st.lists(_PIECES, max_size=30).map("".join))
@example("ſecret")
@example("A\u212aIA1234")
@example("my_SECRET")
@example("my_SECRET-_access__Key")
@example("codecatalyst_secrets_per_space")
@example("nothing here")
def test_credential_hints_match_the_case_folding_regex(text: str) -> None:
    assert hints_at_credentials(text) == (_HINT_REFERENCE.search(text) is not None)


@given(st.lists(_PIECES, max_size=30).map("".join))
@example('source = "./a"')
@example('xsource = "./a" source="../b"')
@example('xsource = "./source = "../b"')
@example('é source = "." _source = ".." ṡsource = "./x"')
def test_local_sources_match_the_word_boundary_regex(text: str) -> None:
    assert local_sources(text) == _SOURCE_REFERENCE.findall(text)


def test_outputs_are_skipped_only_when_unread_and_without_credentials() -> None:
    text = (
        'output "arn" {\n  value = aws_iam_role.r.arn\n}\n'
        'output "deploy_key" {\n  value = "AKIA81U33XTPLPFT75V2"\n}\n'
    )
    skipped = blank_irrelevant(text, iam_only)
    assert skipped.startswith("/*") and 'output "deploy_key"' in skipped
    assert len(skipped) == len(text) and skipped.count("\n") == text.count("\n")
    assert blank_irrelevant(text, lambda kind: kind == OUTPUT) == text


def test_variables_nothing_in_the_folder_reads_are_skipped() -> None:
    main = (
        'resource "aws_iam_role" "r" {\n  name = var.role_name\n}\n'
        'resource "aws_s3_bucket" "b" {\n  bucket = var.bucket\n}\n'
    )
    variables = (
        'variable "role_name" {\n  default = "r"\n}\n'
        'variable "bucket" {\n  description = "only a skipped bucket reads it"\n}\n'
        'variable "checked" {\n  validation {\n    condition = var.checked != ""\n'
        '    error_message = "empty"\n  }\n}\n'
        'variable "from_json" {}\n'
        'variable "db_secret_key" {\n  default = "hunter2"\n}\n'
    )
    json_text = '{"locals": {"x": "${var.from_json}"}}'
    main_out, variables_out = prepare_folder([main, variables], iam_only, [json_text])
    assert main_out == blank_irrelevant(main, iam_only)
    assert len(variables_out) == len(variables)
    assert variables_out.count("\n") == variables.count("\n")
    kept = re.findall(r'variable "(\w+)"', variables_out)
    assert kept == ["role_name", "from_json", "db_secret_key"]


def test_any_other_use_of_var_keeps_every_variable() -> None:
    variables = 'variable "a" {}\nvariable "b" {}\n'
    for use in ('x = var["a"]\n', "x = var\n", 'x = "${var .a}"\n', "x = my_var.a\n"):
        [_, out] = prepare_folder([use, variables], iam_only, [])
        if "my_var" in use:
            assert "variable" not in out  # another word, not a reference
        elif "var .a" in use:
            assert re.findall(r'variable "(\w+)"', out) == ["a"]
        else:
            assert out == variables


@pytest.mark.parametrize(
    "target", ["fixtures", "iac_iam_checks/checks", "tests/data", "generated corpus"]
)
def test_skipping_unread_outputs_variables_and_locals_changes_no_result(
    target: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The blocks skipped because nothing reads them (a root's outputs, variables no
    ``var.NAME`` names, locals no ``local.NAME`` names) are exactly that: a scan that parses
    them all reports the same."""
    from iac_iam_checks.engine import ScanOptions, scan
    from iac_iam_checks.frontends import hcl_blocks
    from iac_iam_checks.frontends.terraform_loader import Loader
    from iac_iam_checks.report import render

    root = Path(__file__).resolve().parent.parent
    folder = root / target
    if target == "generated corpus":
        subprocess.run(
            [sys.executable, str(root / "benchmarks" / "generate_corpus.py"), "--files", "40"]
            + ["--shape", "repos", "--seed", "5", "--out", str(tmp_path)],
            check=True,
            capture_output=True,
        )
        folder = tmp_path

    def report() -> str:
        return render(scan([folder], ScanOptions(use_cache=False, jobs=1)), "json", {})

    skipping = report()
    parsed = Loader.parsed
    monkeypatch.setattr(hcl_blocks, "_references", lambda pattern, text, names: True)
    monkeypatch.setattr(Loader, "parsed", lambda self, sources, outputs=True: parsed(self, sources))
    assert report() == skipping


def test_a_reference_right_after_a_longer_word_is_still_found() -> None:
    """``my_var.`` at the end of a comment does not hide the ``var.a`` on the next line."""
    text = "x = [ # see my_var.\n  var.a,\n]\n"
    [_, out] = prepare_folder([text, 'variable "a" {}\nvariable "b" {}\n'], iam_only, [])
    assert re.findall(r'variable "(\w+)"', out) == ["a"]


def kept_locals(texts: list[str], others: list[str] | None = None) -> list[list[str]]:
    """The first local each ``locals`` block that stays defines, file by file."""
    out = prepare_folder(texts, iam_only, others or [])
    return [re.findall(r"locals \{\n  (\w+)", text) for text in out]


def test_locals_nothing_reads_are_skipped_with_the_variables_only_they_read() -> None:
    main = (
        'resource "aws_iam_role" "r" {\n  name = local.role\n}\n'
        'resource "aws_servicequotas_service_quota" "q" {\n  for_each = local.quotas\n}\n'
    )
    locals_tf = (
        "locals {\n  role = local.prefix\n}\n"
        "locals {\n  prefix = var.prefix\n}\n"
        "locals {\n  quotas = { for k, v in local.all : k => v }\n"
        "  all = { a = { desired = var.a } }\n}\n"
        "locals {\n  from_json = 1\n}\n"
        'locals {\n  deploy = { aws_secret_key = "x" }\n}\n'
    )
    variables = 'variable "prefix" {}\nvariable "a" {}\n'
    json_text = '{"resource": {"x": {"y": {"n": "${local.from_json}"}}}}'
    out = prepare_folder([main, locals_tf, variables], iam_only, [json_text])
    assert [len(text) for text in out] == [len(main), len(locals_tf), len(variables)]
    assert re.findall(r"locals \{\n  (\w+)", out[1]) == ["role", "prefix", "from_json", "deploy"]
    assert re.findall(r'variable "(\w+)"', out[2]) == ["prefix"]


def test_any_other_use_of_local_keeps_every_locals_block() -> None:
    locals_tf = "locals {\n  a = 1\n}\nlocals {\n  b = 2\n}\n"
    assert kept_locals(["x = 1\n", locals_tf]) == [[], []]
    for use in ('x = "a local path"\n', "x = local\n", "x = local .b\n", "x = my_local.a\n"):
        found = kept_locals([use, locals_tf])[1]
        if "my_local" in use:
            assert found == []  # another word, not a reference
        elif "local .b" in use:
            assert found == ["b"]
        else:
            assert found == ["a", "b"]
