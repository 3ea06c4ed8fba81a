resource "aws_iam_user" "bad_two_keys" {  # expect: IAM014
  name = "alice"
}

resource "aws_iam_access_key" "support_alice_1" {
  user = aws_iam_user.bad_two_keys.name
}

resource "aws_iam_access_key" "support_alice_2" {
  user = aws_iam_user.bad_two_keys.name
}

resource "aws_iam_user" "bad_counted_keys" {  # expect: IAM014
  name = "bob"
}

resource "aws_iam_access_key" "support_bob" {
  count = 2
  user  = aws_iam_user.bad_counted_keys.name
}

# Rotating: the old key is inactive.
resource "aws_iam_user" "good_rotated" {
  name = "ci"
}

resource "aws_iam_access_key" "support_ci_new" {
  user = aws_iam_user.good_rotated.name
}

resource "aws_iam_access_key" "support_ci_old" {
  user   = aws_iam_user.good_rotated.name
  status = "Inactive"
}

# The user is only a name (defined elsewhere): reported on its first key.
resource "aws_iam_access_key" "bad_dave_key" {  # expect: IAM014
  user = "dave"
}

resource "aws_iam_access_key" "support_dave_key" {
  user = "dave"
}

resource "aws_iam_access_key" "good_erin_key" {
  user = "erin"
}
