"""Skipping resource bodies no check reads keeps lines, lengths and parse errors intact."""

from __future__ import annotations

from iac_iam_checks.frontends.hcl_blocks import blank_irrelevant

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
