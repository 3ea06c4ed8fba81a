# IAM029: trust of another account without sts:ExternalId or MFA.

locals {
  vendor_account = "444455556666"
}

resource "aws_iam_role" "bad_jsonencode" {
  name = "vendor"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{  # expect: IAM029
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = "arn:aws:iam::444455556666:root" }
    }]
  })
}

resource "aws_iam_role" "bad_heredoc" {
  name               = "partner"
  # expect@+5: IAM029
  assume_role_policy = <<-EOT
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Effect": "Allow",
          "Action": "sts:AssumeRole",
          "Principal": {"AWS": ["arn:aws:iam::777788889999:role/deployer"]},
          "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}}
        }
      ]
    }
  EOT
}

data "aws_iam_policy_document" "audit_trust" {
  statement {  # expect: IAM029 bad_data_source
    actions = ["sts:AssumeRole"]
    principals {
      type        = "AWS"
      identifiers = ["999988887777"]
    }
  }
}

resource "aws_iam_role" "bad_data_source" {
  name               = "auditor"
  assume_role_policy = data.aws_iam_policy_document.audit_trust.json
}

resource "aws_iam_role" "bad_local" {
  name = "vendor-local"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{  # expect: IAM029
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = "arn:aws:iam::${local.vendor_account}:root" }
    }]
  })
}

resource "aws_iam_role" "good_external_id" {
  name = "vendor-with-external-id"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = "arn:aws:iam::444455556666:root" }
      Condition = { StringEquals = { "sts:ExternalId" = "f4c1e2d3-vendor" } }
    }]
  })
}

resource "aws_iam_role" "good_mfa" {
  name = "people"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = "arn:aws:iam::777788889999:root" }
      Condition = { Bool = { "aws:MultiFactorAuthPresent" = "true" } }
    }]
  })
}

resource "aws_iam_role" "good_service" {
  name = "lambda"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "lambda.amazonaws.com" }
    }]
  })
}
