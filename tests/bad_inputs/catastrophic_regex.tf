locals {
  a = regex("(a+)+$", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!")
  b = regexall("(a|a)*b", join("", [for i in range(3000) : "a"]))
  c = replace(join("", [for i in range(4000) : "a"]), "/(a*)*$/", "$1$1$1$1$1$1$1$1")
}
resource "aws_iam_user_policy" "regex" {
  user   = "a"
  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "s3:GetObject", Resource = [local.a, local.b, local.c] }] })
}
