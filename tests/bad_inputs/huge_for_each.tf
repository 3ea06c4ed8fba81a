resource "aws_iam_user" "many" {
  for_each = toset([for i in range(100000000) : tostring(i)])
  name     = each.key
}
