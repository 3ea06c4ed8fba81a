resource "aws_iam_user" "bad_console_with_key" {  # expect: IAM013
  name = "alice"
}

resource "aws_iam_user_login_profile" "support_alice" {
  user = aws_iam_user.bad_console_with_key.name
}

resource "aws_iam_access_key" "support_alice" {
  user = aws_iam_user.bad_console_with_key.name
}

resource "aws_iam_user" "good_console_only" {
  name = "bob"
}

resource "aws_iam_user_login_profile" "support_bob" {
  user = aws_iam_user.good_console_only.name
}

# An inactive key is not a second credential.
resource "aws_iam_access_key" "support_bob_old" {
  user   = aws_iam_user.good_console_only.name
  status = "Inactive"
}

resource "aws_iam_user" "good_keys_only" {
  name = "ci"
}

resource "aws_iam_access_key" "support_ci" {
  user = aws_iam_user.good_keys_only.name
}

# The user is only a name (defined elsewhere): reported on the key.
resource "aws_iam_user_login_profile" "support_carol" {
  user = "carol"
}

resource "aws_iam_access_key" "bad_carol_key" {  # expect: IAM013
  user = "carol"
}
