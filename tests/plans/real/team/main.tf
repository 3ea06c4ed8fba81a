provider "aws" {
  region                      = "eu-west-1"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
}

variable "people" {
  type = map(object({ admin = bool, console = bool }))
  default = {
    alice = { admin = true, console = true }
    bob   = { admin = false, console = false }
  }
}

resource "aws_iam_group" "engineers" {
  name = "engineers"
}

resource "aws_iam_group_policy" "require_mfa" {
  name  = "require-mfa"
  group = aws_iam_group.engineers.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "DenyWithoutMFA"
      Effect    = "Deny"
      NotAction = ["iam:ChangePassword", "sts:GetSessionToken"]
      Resource  = "*"
      Condition = { BoolIfExists = { "aws:MultiFactorAuthPresent" = "false" } }
    }]
  })
}

module "people" {
  source   = "./modules/user"
  for_each = var.people
  name     = each.key
  admin    = each.value.admin
  console  = each.value.console
  group    = aws_iam_group.engineers.name
}

resource "aws_iam_user" "contractor" {
  name = "contractor"
}

resource "aws_iam_user_login_profile" "contractor" {
  user = aws_iam_user.contractor.name
}

resource "aws_iam_account_password_policy" "strict" {
  minimum_password_length        = 12
  require_lowercase_characters   = true
  require_uppercase_characters   = true
  require_numbers                = true
  require_symbols                = false
  password_reuse_prevention      = 24
  max_password_age               = 90
  allow_users_to_change_password = true
}
