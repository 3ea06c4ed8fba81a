resource "aws_iam_account_password_policy" "bad_no_symbols" {  # expect: IAM005
  minimum_password_length      = 14
  require_uppercase_characters = true
  require_lowercase_characters = true
  require_numbers              = true
  require_symbols              = false
}

resource "aws_iam_account_password_policy" "bad_nothing_required" {  # expect: IAM005
  minimum_password_length = 14
}

resource "aws_iam_account_password_policy" "good_all_classes" {
  require_uppercase_characters = true
  require_lowercase_characters = true
  require_numbers              = true
  require_symbols              = true
}
