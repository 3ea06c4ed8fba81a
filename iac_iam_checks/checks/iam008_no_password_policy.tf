# No aws_iam_account_password_policy in this root: reported once, on the first login profile.

resource "aws_iam_user" "support_alice" {
  name = "alice"
}

resource "aws_iam_user" "support_bob" {
  name = "bob"
}

resource "aws_iam_user_login_profile" "bad_first_profile" {  # expect: IAM008
  user = aws_iam_user.support_alice.name
}

resource "aws_iam_user_login_profile" "good_second_profile" {
  user = aws_iam_user.support_bob.name
}
