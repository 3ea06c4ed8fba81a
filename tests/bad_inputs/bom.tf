resource "aws_iam_user_policy" "bom" {
  user   = "b"
  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "s3:GetObject", Resource = "*" }] })
}
