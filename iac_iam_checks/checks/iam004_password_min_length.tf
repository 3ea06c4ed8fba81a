resource "aws_iam_account_password_policy" "bad_short" {
  minimum_password_length = 8  # expect: IAM004
}

resource "aws_iam_account_password_policy" "bad_unset" {  # expect: IAM004
  require_symbols = true
}

resource "aws_iam_account_password_policy" "good_long" {
  minimum_password_length = 14
}
