resource "aws_iam_user" "support_user" {
  name = "alice"
}

resource "aws_iam_group" "support_group" {
  name = "developers"
}

resource "aws_iam_policy" "support_policy" {
  name = "read-logs"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "logs:GetLogEvents", Resource = "*" }]
  })
}

resource "aws_iam_user_policy_attachment" "bad_user_attachment" {  # expect: IAM002
  user       = aws_iam_user.support_user.name
  policy_arn = aws_iam_policy.support_policy.arn
}

resource "aws_iam_user_policy_attachments_exclusive" "bad_exclusive" {
  user_name   = aws_iam_user.support_user.name
  policy_arns = ["arn:aws:iam::aws:policy/ReadOnlyAccess"]  # expect: IAM002
}

# One finding for the attachment, however many users it lists.
resource "aws_iam_policy_attachment" "bad_policy_attachment" {
  name       = "read-logs"
  users      = [aws_iam_user.support_user.name, "bob"]  # expect: IAM002
  groups     = [aws_iam_group.support_group.name]
  policy_arn = aws_iam_policy.support_policy.arn
}

resource "aws_iam_user_policy" "bad_user_policy" {  # expect: IAM002
  name = "read-logs"
  user = aws_iam_user.support_user.name
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "logs:GetLogEvents", Resource = "*" }]
  })
}

resource "aws_iam_policy_attachment" "good_groups_only" {
  name       = "read-logs-groups"
  groups     = [aws_iam_group.support_group.name]
  policy_arn = aws_iam_policy.support_policy.arn
}

resource "aws_iam_user_policy_attachments_exclusive" "good_exclusive_none" {
  user_name   = aws_iam_user.support_user.name
  policy_arns = []
}

resource "aws_iam_group_policy_attachment" "good_group_attachment" {
  group      = aws_iam_group.support_group.name
  policy_arn = aws_iam_policy.support_policy.arn
}
