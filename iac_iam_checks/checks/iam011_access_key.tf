resource "aws_iam_user" "support_user" {
  name = "deployer"
}

# Without pgp_key the secret is stored in plain text in the state: HIGH.
resource "aws_iam_access_key" "bad_no_pgp" {  # expect: IAM011
  user = aws_iam_user.support_user.name
}

resource "aws_iam_access_key" "bad_with_pgp" {  # expect: IAM011
  user    = aws_iam_user.support_user.name
  pgp_key = "keybase:deployer"
}

resource "aws_iam_access_key" "good_inactive" {
  user   = aws_iam_user.support_user.name
  status = "Inactive"
}
