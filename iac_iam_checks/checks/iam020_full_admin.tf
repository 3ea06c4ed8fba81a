# IAM020: Allow of "*" (or "*:*") on Resource "*", in every policy form.

locals {
  every_action  = ["*"]
  all_resources = "*"
}

resource "aws_iam_policy" "bad_jsonencode" {
  name = "admin"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "ReadLogs"
        Effect   = "Allow"
        Action   = ["logs:GetLogEvents"]
        Resource = "arn:aws:logs:eu-west-1:111122223333:log-group:app:*"
      },
      {  # expect: IAM020
        Sid      = "Everything"
        Effect   = "Allow"
        Action   = "*"
        Resource = "*"
      },
    ]
  })
}

resource "aws_iam_role_policy" "bad_heredoc" {
  role   = "ops"
  # expect@+4: IAM020
  policy = <<-EOT
    {
      "Version": "2012-10-17",
      "Statement": {
        "Effect": "Allow",
        "Action": "*:*",
        "Resource": "*"
      }
    }
  EOT
}

data "aws_iam_policy_document" "admin" {
  statement {  # expect: IAM020 bad_data_source
    actions   = ["*"]
    resources = ["*"]
  }
}

resource "aws_iam_group_policy" "bad_data_source" {
  group  = "admins"
  policy = data.aws_iam_policy_document.admin.json
}

resource "aws_iam_role" "bad_inline_policy" {
  name = "deployer"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "codebuild.amazonaws.com" }
    }]
  })
  inline_policy {
    name   = "deploy-everything"
    policy = jsonencode({
      Version   = "2012-10-17"
      Statement = [{ Effect = "Allow", Action = "*", Resource = "*" }]  # expect: IAM020
    })
  }
}

resource "aws_iam_user_policy" "bad_local" {
  user   = "ci"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = {  # expect: IAM020
      Effect   = "Allow"
      Action   = local.every_action
      Resource = local.all_resources
    }
  })
}

# Nothing uses this document: it is checked on its own.
data "aws_iam_policy_document" "bad_unused" {
  statement {  # expect: IAM020
    actions   = ["*"]
    resources = ["*"]
  }
}

# Denies are not grants.
resource "aws_iam_policy" "good_deny_everything_without_mfa" {
  name = "require-mfa"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Deny"
      Action    = "*"
      Resource  = "*"
      Condition = { BoolIfExists = { "aws:MultiFactorAuthPresent" = "false" } }
    }]
  })
}

# An Allow that an unconditional Deny of everything cancels grants nothing.
resource "aws_iam_policy" "good_cancelled_by_deny" {
  name = "frozen"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Effect = "Allow", Action = "*", Resource = "*" },
      { Effect = "Deny", Action = "*", Resource = "*" },
    ]
  })
}

# Every action, but on one bucket's objects only (IAM022's business, not full admin).
resource "aws_iam_policy" "good_one_bucket" {
  name = "bucket-owner"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = "*"
      Resource = "arn:aws:s3:::reports-bucket/*"
    }]
  })
}

resource "aws_iam_policy" "good_read_only" {
  name = "read-reports"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["s3:GetObject", "s3:ListBucket"]
      Resource = ["arn:aws:s3:::reports-bucket", "arn:aws:s3:::reports-bucket/*"]
    }]
  })
}

# Used only as a permissions boundary: it grants nothing, it caps what the role's own policies
# may grant (everything but IAM user management here).
resource "aws_iam_policy" "good_boundary_only" {
  name = "workload-boundary"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Effect = "Allow", Action = "*", Resource = "*" },
      { Effect = "Deny", Action = ["iam:CreateUser", "iam:CreateAccessKey"], Resource = "*" },
    ]
  })
}

resource "aws_iam_role" "bounded_workload" {
  name                 = "workload"
  permissions_boundary = aws_iam_policy.good_boundary_only.arn
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "lambda.amazonaws.com" }
    }]
  })
}
