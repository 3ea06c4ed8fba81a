# --- MFA enforced through a group's managed policy built from a policy document data source.

resource "aws_iam_user" "good_team" {
  for_each = toset(["ana", "ben"])
  name     = each.key
}

resource "aws_iam_user_login_profile" "support_team" {
  for_each = aws_iam_user.good_team
  user     = each.value.name
}

resource "aws_iam_user_group_membership" "support_team" {
  for_each = aws_iam_user.good_team
  user     = each.value.name
  groups   = [aws_iam_group.support_console.name]
}

resource "aws_iam_group" "support_console" {
  name = "console-users"
}

resource "aws_iam_group_policy_attachment" "support_require_mfa" {
  group      = aws_iam_group.support_console.name
  policy_arn = aws_iam_policy.support_require_mfa.arn
}

resource "aws_iam_policy" "support_require_mfa" {
  name   = "require-mfa"
  policy = data.aws_iam_policy_document.support_require_mfa.json
}

data "aws_iam_policy_document" "support_require_mfa" {
  statement {
    sid    = "DenyAllButMfaSelfServiceWithoutMfa"
    effect = "Deny"
    not_actions = [
      "iam:*MFA*",
      "iam:ChangePassword",
      "iam:GetUser",
      "sts:GetSessionToken",
    ]
    resources = ["*"]
    condition {
      test     = "BoolIfExists"
      variable = "aws:MultiFactorAuthPresent"
      values   = ["false"]
    }
  }
}

# --- Every Allow requires MFA (Bool, not BoolIfExists): enforcement too.

resource "aws_iam_user" "good_allow_with_mfa" {
  name = "carol"
}

resource "aws_iam_user_policy" "support_allow_with_mfa" {
  name = "read-with-mfa"
  user = aws_iam_user.good_allow_with_mfa.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "s3:GetObject"
      Resource  = "*"
      Condition = { Bool = { "aws:MultiFactorAuthPresent" = "true" } }
    }]
  })
}

# --- Users for which nothing enforces MFA.

resource "aws_iam_user" "bad_console_user" {  # expect: IAM003
  name = "dave"
}

resource "aws_iam_user_login_profile" "support_dave" {
  user = aws_iam_user.bad_console_user.name
}

resource "aws_iam_user" "bad_service_users" {  # expect: IAM003
  for_each = toset(["ci", "backup"])
  name     = "svc-${each.key}"
}

# A Deny while MFA *is* present enforces nothing.
resource "aws_iam_user" "bad_deny_when_mfa_present" {  # expect: IAM003
  name = "erin"
}

resource "aws_iam_user_policy_attachment" "support_wrong_deny" {
  user       = aws_iam_user.bad_deny_when_mfa_present.name
  policy_arn = aws_iam_policy.support_wrong_deny.arn
}

resource "aws_iam_policy" "support_wrong_deny" {
  name = "wrong-deny"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Deny"
      Action    = "*"
      Resource  = "*"
      Condition = { BoolIfExists = { "aws:MultiFactorAuthPresent" = "true" } }
    }]
  })
}

# A NotAction that also exempts credential-creating actions is not enforcement.
resource "aws_iam_user" "bad_exempts_access_keys" {  # expect: IAM003
  name = "frank"
}

resource "aws_iam_user_policy" "support_leaky_deny" {
  name = "leaky-deny"
  user = aws_iam_user.bad_exempts_access_keys.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Deny"
      NotAction = ["iam:*MFA*", "iam:CreateAccessKey"]
      Resource  = "*"
      Condition = { BoolIfExists = { "aws:MultiFactorAuthPresent" = "false" } }
    }]
  })
}

# AWS-managed policies never enforce MFA.
resource "aws_iam_user" "bad_aws_managed_only" {  # expect: IAM003
  name = "grace"
}

resource "aws_iam_user_policy_attachment" "support_read_only" {
  user       = aws_iam_user.bad_aws_managed_only.name
  policy_arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
}
