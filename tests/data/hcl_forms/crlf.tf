resource "aws_iam_user" "crlf" {
  name = "a"
  path = <<EOT
/x/
EOT
}
# end
