# IAM026: iam:PassRole (iam:*, iam:Pass*, ...) on Resource "*".

locals {
  pass_actions = ["iam:Pass*"]
}

resource "aws_iam_policy" "bad_jsonencode" {
  name = "pass-any-role"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{  # expect: IAM026
      Effect   = "Allow"
      Action   = ["iam:GetRole", "iam:PassRole"]
      Resource = "*"
    }]
  })
}

resource "aws_iam_role_policy" "bad_heredoc" {
  role   = "scheduler"
  # expect@+5: IAM026
  policy = <<-EOT
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Effect": "Allow",
          "Action": "IAM:passrole",
          "Resource": "*",
          "Condition": {"Bool": {"aws:SecureTransport": "true"}}
        }
      ]
    }
  EOT
}

data "aws_iam_policy_document" "iam_everything" {
  statement {  # expect: IAM026 bad_data_source
    actions   = ["iam:*"]
    resources = ["*"]
  }
}

resource "aws_iam_policy" "bad_data_source" {
  name   = "iam-operator"
  policy = data.aws_iam_policy_document.iam_everything.json
}

resource "aws_iam_role" "bad_inline_policy" {
  name = "pipeline"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "codepipeline.amazonaws.com" }
    }]
  })
  inline_policy {
    name = "pass-roles"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [{  # expect: IAM026
        Effect   = "Allow"
        Action   = "iam:PassRole"
        Resource = "*"
      }]
    })
  }
}

resource "aws_iam_user_policy" "bad_local" {
  user = "operator"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{  # expect: IAM026
      Effect   = "Allow"
      Action   = local.pass_actions
      Resource = "*"
    }]
  })
}

resource "aws_iam_policy" "good_named_roles" {
  name = "pass-web-role"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "iam:PassRole"
      Resource  = "arn:aws:iam::111122223333:role/web-*"
      Condition = { StringEquals = { "iam:PassedToService" = "ec2.amazonaws.com" } }
    }]
  })
}

resource "aws_iam_policy" "good_denied" {
  name = "no-pass"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Effect = "Allow", Action = ["iam:PassRole", "iam:GetRole"], Resource = "*" },
      { Effect = "Deny", Action = "iam:PassRole", Resource = "*" },
    ]
  })
}

resource "aws_iam_policy" "good_read_roles" {
  name = "read-roles"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = ["iam:GetRole", "iam:ListRoles"], Resource = "*" }]
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
