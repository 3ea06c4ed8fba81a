resource "aws_iam_account_password_policy" "bad_never_expires" {  # expect: IAM007
  minimum_password_length = 14
}

resource "aws_iam_account_password_policy" "bad_zero" {
  max_password_age = 0  # expect: IAM007
}

resource "aws_iam_account_password_policy" "bad_half_year" {
  max_password_age = 180  # expect: IAM007
}

resource "aws_iam_account_password_policy" "good_90_days" {
  max_password_age = 90
}
