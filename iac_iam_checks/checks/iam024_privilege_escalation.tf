# IAM024: privilege-escalation actions on Resource "*" within one document.

locals {
  inline_policy_writes = ["iam:Put*Policy"]
}

resource "aws_iam_policy" "bad_jsonencode" {
  name = "policy-editor"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = ["iam:GetPolicy", "iam:ListPolicyVersions"]
        Resource = "*"
      },
      {  # expect: IAM024
        Effect   = "Allow"
        Action   = ["iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion"]
        Resource = "*"
      },
    ]
  })
}

# iam:PassRole on "*" with ec2:RunInstances: the finding is on the PassRole statement.
resource "aws_iam_role_policy" "bad_heredoc" {
  role   = "launcher"
  # expect@+10: IAM024
  policy = <<-EOT
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Effect": "Allow",
          "Action": "ec2:RunInstances",
          "Resource": "*"
        },
        {
          "Effect": "Allow",
          "Action": "iam:PassRole",
          "Resource": "*"
        }
      ]
    }
  EOT
}

data "aws_iam_policy_document" "self_service" {
  statement {  # expect: IAM024 bad_data_source
    actions   = ["iam:AttachUserPolicy", "iam:CreateAccessKey"]
    resources = ["*"]
  }
}

resource "aws_iam_group_policy" "bad_data_source" {
  group  = "helpdesk"
  policy = data.aws_iam_policy_document.self_service.json
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
    name = "deploy-functions"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [{  # expect: IAM024
        Effect   = "Allow"
        Action   = "lambda:UpdateFunctionCode"
        Resource = "*"
      }]
    })
  }
}

resource "aws_iam_user_policy" "bad_local" {
  user = "automation"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{  # expect: IAM024
      Effect   = "Allow"
      Action   = local.inline_policy_writes
      Resource = "*"
    }]
  })
}

resource "aws_iam_policy" "good_scoped_to_one_policy" {
  name = "rotate-app-policy"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["iam:CreatePolicyVersion", "iam:DeletePolicyVersion"]
      Resource = "arn:aws:iam::111122223333:policy/app"
    }]
  })
}

# PassRole limited to one role: launching instances is no escalation.
resource "aws_iam_policy" "good_pass_named_role" {
  name = "launch-web"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Effect = "Allow", Action = "ec2:RunInstances", Resource = "*" },
      {
        Effect   = "Allow"
        Action   = "iam:PassRole"
        Resource = "arn:aws:iam::111122223333:role/web-instance"
      },
    ]
  })
}

# Cancelled by an unconditional Deny in the same document.
resource "aws_iam_policy" "good_denied" {
  name = "keys-denied"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Effect = "Allow", Action = "iam:CreateAccessKey", Resource = "*" },
      { Effect = "Deny", Action = "iam:CreateAccessKey", Resource = "*" },
    ]
  })
}

resource "aws_iam_policy" "good_deny_only" {
  name = "no-iam-writes"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Deny", Action = "iam:*", Resource = "*" }]
  })
}

# Full administrative access is IAM020's finding.
resource "aws_iam_policy" "good_reported_as_admin" {
  name = "admin"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "*", Resource = "*" }]
  })
}
