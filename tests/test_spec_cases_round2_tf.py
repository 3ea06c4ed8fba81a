"""Terraform spec cases from the second QA round that once disagreed with the spec."""

from __future__ import annotations

from pathlib import Path

from iac_iam_checks.engine import ScanOptions, scan


def found(tmp_path: Path, files: dict[str, str], check_id: str) -> list[tuple[str, str, str, int]]:
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    result = scan([tmp_path], ScanOptions(checks=[check_id]))
    assert result.errors == []
    return [(f.check_id, f.resource, f.file, f.line) for f in result.findings]


def test_heredoc_with_a_resource_reference_keeps_statement_lines(tmp_path: Path) -> None:
    main = """resource "aws_s3_bucket" "b" {
  bucket = "assets"
}

resource "aws_iam_policy" "assets" {
  name   = "assets"
  policy = <<EOF
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": "s3:*",
      "Resource": "${aws_s3_bucket.b.arn}/*"
    }
  ]
}
EOF
}
"""
    assert found(tmp_path, {"main.tf": main}, "IAM022") == [
        ("IAM022", "aws_iam_policy.assets", "main.tf", 11)
    ]


def test_templatefile_with_an_unknown_variable_keeps_statement_lines(tmp_path: Path) -> None:
    main = """variable "bucket" {}

resource "aws_iam_policy" "t" {
  name   = "t"
  policy = templatefile("${path.module}/p.tpl", { bucket = var.bucket })
}
"""
    template = """{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::${bucket}/*"},
    {"Effect": "Allow", "Action": "ec2:*", "Resource": "*"}
  ]
}
"""
    files = {"main.tf": main, "p.tpl": template}
    assert found(tmp_path, files, "IAM022") == [("IAM022", "aws_iam_policy.t", "p.tpl", 5)]
