resource "aws_iam_user" "many" {
  count = 100000000
  name  = "u${count.index}"
}
