resource "aws_iam_user_policy" "outside_absolute" {
  user   = "a"
  policy = file("/etc/passwd")
}
resource "aws_iam_user_policy" "outside_relative" {
  user   = "a"
  policy = file("${path.module}/../../outside/admin.json")
}
resource "aws_iam_user_policy" "outside_template" {
  user   = "a"
  policy = templatefile("${path.module}/../../outside/admin.json", {})
}
