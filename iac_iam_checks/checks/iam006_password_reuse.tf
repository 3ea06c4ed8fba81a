resource "aws_iam_account_password_policy" "bad_reuse_5" {
  password_reuse_prevention = 5  # expect: IAM006
}

resource "aws_iam_account_password_policy" "bad_reuse_unset" {  # expect: IAM006
  minimum_password_length = 14
}

resource "aws_iam_account_password_policy" "good_reuse_24" {
  password_reuse_prevention = 24
}
