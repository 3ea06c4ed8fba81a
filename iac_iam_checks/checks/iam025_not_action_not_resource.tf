# IAM025: Allow statements written with NotAction or NotResource.

locals {
  protected_buckets = ["arn:aws:s3:::audit-logs", "arn:aws:s3:::audit-logs/*"]
}

resource "aws_iam_policy" "bad_jsonencode" {
  name = "everything-but-iam"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{  # expect: IAM025
      Effect    = "Allow"
      NotAction = ["iam:*", "organizations:*"]
      Resource  = "*"
    }]
  })
}

resource "aws_iam_role_policy" "bad_heredoc" {
  role   = "analyst"
  # expect@+5: IAM025
  policy = <<-EOT
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Effect": "Allow",
          "Action": "s3:GetObject",
          "NotResource": "arn:aws:s3:::payroll-bucket/*"
        }
      ]
    }
  EOT
}

data "aws_iam_policy_document" "not_billing" {
  statement {  # expect: IAM025 bad_data_source
    not_actions = ["aws-portal:*"]
    resources   = ["*"]
  }
}

resource "aws_iam_group_policy" "bad_data_source" {
  group  = "engineers"
  policy = data.aws_iam_policy_document.not_billing.json
}

resource "aws_iam_role" "bad_inline_policy" {
  name = "cleaner"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "lambda.amazonaws.com" }
    }]
  })
  inline_policy {
    name = "clean-buckets"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [{  # expect: IAM025
        Effect      = "Allow"
        Action      = "s3:DeleteObject"
        NotResource = local.protected_buckets
      }]
    })
  }
}

resource "aws_iam_user_policy" "bad_local" {
  user = "contractor"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = {  # expect: IAM025
      Effect      = "Allow"
      Action      = "s3:PutObject"
      NotResource = local.protected_buckets
    }
  })
}

# NotAction in a Deny narrows: the usual MFA guard.
resource "aws_iam_policy" "good_mfa_guard" {
  name = "require-mfa"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Deny"
      NotAction = ["iam:*MFA*", "iam:ChangePassword", "iam:GetUser", "sts:GetSessionToken"]
      Resource  = "*"
      Condition = { BoolIfExists = { "aws:MultiFactorAuthPresent" = "false" } }
    }]
  })
}

# Cancelled by an unconditional Deny of everything.
resource "aws_iam_policy" "good_cancelled" {
  name = "suspended"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Effect = "Allow", NotAction = "iam:*", Resource = "*" },
      { Effect = "Deny", Action = "*", Resource = "*" },
    ]
  })
}

resource "aws_iam_policy" "good_plain_allow" {
  name = "read-reports"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = "s3:GetObject"
      Resource = "arn:aws:s3:::reports-bucket/*"
    }]
  })
}
