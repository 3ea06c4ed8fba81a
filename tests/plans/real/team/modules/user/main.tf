variable "name" {
  type = string
}

variable "admin" {
  type = bool
}

variable "console" {
  type = bool
}

variable "group" {
  type = string
}

resource "aws_iam_user" "this" {
  name = var.name
}

resource "aws_iam_user_group_membership" "this" {
  user   = aws_iam_user.this.name
  groups = [var.group]
}

resource "aws_iam_user_login_profile" "this" {
  count = var.console ? 1 : 0
  user  = aws_iam_user.this.name
}

resource "aws_iam_access_key" "this" {
  user = aws_iam_user.this.name
}

resource "aws_iam_user_policy_attachment" "admin" {
  count      = var.admin ? 1 : 0
  user       = aws_iam_user.this.name
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}

output "arn" {
  value = aws_iam_user.this.arn
}
