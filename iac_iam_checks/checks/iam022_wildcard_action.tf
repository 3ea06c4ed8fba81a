# IAM022: "service:*", or "*" on a resource other than "*", in every policy form.

locals {
  queue_actions = ["sqs:*"]
}

resource "aws_iam_policy" "bad_jsonencode" {
  name = "reports"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = ["s3:GetObject"]
        Resource = "arn:aws:s3:::reports-bucket/*"
      },
      {  # expect: IAM022
        Effect   = "Allow"
        Action   = ["s3:*", "dynamodb:*"]
        Resource = ["arn:aws:s3:::reports-bucket", "arn:aws:s3:::reports-bucket/*"]
      },
    ]
  })
}

resource "aws_iam_role_policy" "bad_heredoc" {
  role   = "reporting"
  # expect@+5: IAM022
  policy = <<EOF
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": "*",
      "Resource": "arn:aws:s3:::reports-bucket/*"
    }
  ]
}
EOF
}

data "aws_iam_policy_document" "ec2_everything" {
  statement {  # expect: IAM022 bad_data_source
    actions   = ["ec2:*"]
    resources = ["*"]
  }
}

resource "aws_iam_policy" "bad_data_source" {
  name   = "ec2-operator"
  policy = data.aws_iam_policy_document.ec2_everything.json
}

resource "aws_iam_role" "bad_inline_policy" {
  name = "table-writer"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "lambda.amazonaws.com" }
    }]
  })
  inline_policy {
    name = "table"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [{  # expect: IAM022
        Effect   = "Allow"
        Action   = "dynamodb:*"
        Resource = "arn:aws:dynamodb:eu-west-1:111122223333:table/orders"
      }]
    })
  }
}

resource "aws_iam_user_policy" "bad_local" {
  user = "worker"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{  # expect: IAM022
      Effect   = "Allow"
      Action   = local.queue_actions
      Resource = "arn:aws:sqs:eu-west-1:111122223333:jobs"
    }]
  })
}

# Prefixes are narrower than a whole service.
resource "aws_iam_policy" "good_prefixes" {
  name = "read-reports"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["s3:Get*", "s3:List*"]
      Resource = ["arn:aws:s3:::reports-bucket", "arn:aws:s3:::reports-bucket/*"]
    }]
  })
}

# A Deny with a wildcard takes permissions away.
resource "aws_iam_policy" "good_deny" {
  name = "tls-only"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Deny"
      Action    = "s3:*"
      Resource  = "*"
      Condition = { Bool = { "aws:SecureTransport" = "false" } }
    }]
  })
}

# Cancelled by an unconditional Deny of the same wildcard.
resource "aws_iam_policy" "good_cancelled" {
  name = "no-s3"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Effect = "Allow", Action = "s3:*", Resource = "arn:aws:s3:::reports-bucket/*" },
      { Effect = "Deny", Action = "s3:*", Resource = "*" },
    ]
  })
}

# Full administrative access is IAM020's finding, not also this one.
resource "aws_iam_policy" "good_reported_as_admin" {
  name = "admin"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = ["*", "s3:*"], Resource = "*" }]
  })
}
