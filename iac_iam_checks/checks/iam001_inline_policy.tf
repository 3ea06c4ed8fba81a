resource "aws_iam_user" "support_user" {
  name = "support-user"
}

resource "aws_iam_group" "support_group" {
  name = "support-group"
}

resource "aws_iam_user_policy" "bad_user_inline" {  # expect: IAM001
  name = "read-logs"
  user = aws_iam_user.support_user.name
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "logs:GetLogEvents", Resource = "*" }]
  })
}

resource "aws_iam_group_policy" "bad_group_inline" {  # expect: IAM001
  name  = "read-logs"
  group = aws_iam_group.support_group.name
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "logs:GetLogEvents", Resource = "*" }]
  })
}

resource "aws_iam_role_policy" "bad_role_inline" {  # expect: IAM001
  name   = "read-logs"
  role   = aws_iam_role.good_role_without_inline.id
  policy = <<-EOT
    {
      "Version": "2012-10-17",
      "Statement": [
        {"Effect": "Allow", "Action": "logs:GetLogEvents", "Resource": "*"}
      ]
    }
  EOT
}

# An inline_policy block with content is an inline policy of the role.
resource "aws_iam_role" "bad_role_with_block" {
  name = "app"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "ec2.amazonaws.com" } }]
  })

  inline_policy {  # expect: IAM001
    name = "read-logs"
    policy = jsonencode({
      Version   = "2012-10-17"
      Statement = [{ Effect = "Allow", Action = "logs:GetLogEvents", Resource = "*" }]
    })
  }
}

# An empty inline_policy block is how Terraform removes inline policies: it passes.
resource "aws_iam_role" "good_role_empty_block" {
  name = "worker"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "ec2.amazonaws.com" } }]
  })

  inline_policy {}
}

resource "aws_iam_role" "good_role_without_inline" {
  name                = "batch"
  managed_policy_arns = [aws_iam_policy.good_managed.arn]
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "ec2.amazonaws.com" } }]
  })
}

resource "aws_iam_policy" "good_managed" {
  name = "read-logs"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "logs:GetLogEvents", Resource = "*" }]
  })
}
