locals {
  r = [for i in range(1000) : [for j in range(1000) : [for k in range(1000) : k]]]
}
resource "aws_iam_user_policy" "loops" {
  user   = "a"
  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "s3:GetObject", Resource = local.r }] })
}
