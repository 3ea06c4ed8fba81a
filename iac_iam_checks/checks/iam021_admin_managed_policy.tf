# IAM021: AWS-managed administrative policies, reported where the ARN (or name) is written.

data "aws_partition" "current" {}

locals {
  power_user_arn = "arn:aws:iam::aws:policy/PowerUserAccess"
}

resource "aws_iam_role_policy_attachment" "bad_role_attachment" {
  role       = "ops"
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"  # expect: IAM021
}

resource "aws_iam_user_policy_attachment" "bad_user_attachment" {
  user       = "alice"
  policy_arn = "arn:aws-us-gov:iam::aws:policy/IAMFullAccess"  # expect: IAM021
}

resource "aws_iam_group_policy_attachment" "bad_local" {
  group      = "developers"
  policy_arn = local.power_user_arn  # expect: IAM021
}

resource "aws_iam_group_policy_attachments_exclusive" "bad_exclusive" {
  group_name = "support"
  policy_arns = [
    "arn:aws:iam::aws:policy/ReadOnlyAccess",
    "arn:aws:iam::aws:policy/AWSCloudShellFullAccess",  # expect: IAM021
  ]
}

resource "aws_iam_policy_attachment" "bad_shared_attachment" {
  name       = "admins"
  roles      = ["breakglass"]
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/AdministratorAccess"  # expect: IAM021
}

resource "aws_iam_role" "bad_managed_policy_arns" {
  name = "platform"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "ec2.amazonaws.com" }
    }]
  })
  managed_policy_arns = ["arn:aws:iam::aws:policy/PowerUserAccess"]  # expect: IAM021
}

resource "aws_ssoadmin_managed_policy_attachment" "bad_permission_set" {
  instance_arn       = "arn:aws:sso:::instance/ssoins-1111111111111111"
  permission_set_arn = "arn:aws:sso:::permissionSet/ssoins-1111111111111111/ps-1111111111111111"
  managed_policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"  # expect: IAM021
}

# Looked up by name: reported on the lookup, where the name is written...
data "aws_iam_policy" "bad_lookup" {
  name = "AdministratorAccess"  # expect: IAM021
}

# ...not again on the attachment that uses it.
resource "aws_iam_role_policy_attachment" "good_uses_lookup" {
  role       = "breakglass"
  policy_arn = data.aws_iam_policy.bad_lookup.arn
}

resource "aws_iam_policy" "good_customer_policy" {
  name = "deploy"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = "s3:PutObject"
      Resource = "arn:aws:s3:::artifacts-bucket/*"
    }]
  })
}

resource "aws_iam_role_policy_attachment" "good_customer_attachment" {
  role       = "deployer"
  policy_arn = aws_iam_policy.good_customer_policy.arn
}

resource "aws_iam_user_policy_attachment" "good_read_only" {
  user       = "auditor"
  policy_arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
}

data "aws_iam_policy" "good_lookup_security_audit" {
  arn = "arn:aws:iam::aws:policy/SecurityAudit"
}
