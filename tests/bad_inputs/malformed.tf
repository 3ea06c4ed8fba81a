resource "aws_iam_user" "x" {
  name = "a"

resource "aws_iam_user" "y" {
  name = "b" "c"
}
