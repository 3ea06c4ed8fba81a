# IAM028: role trust policies that let any principal assume the role.

locals {
  anyone = "*"
}

resource "aws_iam_role" "bad_jsonencode" {
  name = "open"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{  # expect: IAM028
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = "*" }
    }]
  })
}

resource "aws_iam_role" "bad_heredoc" {
  name               = "open-heredoc"
  # expect@+5: IAM028
  assume_role_policy = <<-EOT
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Effect": "Allow",
          "Action": ["sts:AssumeRole", "sts:TagSession"],
          "Principal": "*",
          "Condition": {"Bool": {"aws:SecureTransport": "true"}}
        }
      ]
    }
  EOT
}

data "aws_iam_policy_document" "anyone_trust" {
  statement {  # expect: IAM028 bad_data_source
    actions = ["sts:AssumeRole"]
    principals {
      type        = "AWS"
      identifiers = ["*"]
    }
    condition {
      test     = "StringEqualsIfExists"
      variable = "aws:PrincipalOrgID"
      values   = ["o-a1b2c3d4e5"]
    }
  }
}

resource "aws_iam_role" "bad_data_source" {
  name               = "org-if-exists"
  assume_role_policy = data.aws_iam_policy_document.anyone_trust.json
}

resource "aws_iam_role" "bad_local" {
  name = "open-local"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{  # expect: IAM028
      Effect    = "Allow"
      Action    = "sts:AssumeRole*"
      Principal = { AWS = local.anyone }
    }]
  })
}

# Nothing uses this trust document: it is checked on its own.
data "aws_iam_policy_document" "bad_unused" {
  statement {  # expect: IAM028
    actions = ["sts:AssumeRole"]
    principals {
      type        = "AWS"
      identifiers = ["*"]
    }
  }
}

# "*" narrowed to the principals of one AWS Organization.
resource "aws_iam_role" "good_org_only" {
  name = "org-readers"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = "*" }
      Condition = { StringEquals = { "aws:PrincipalOrgID" = "o-a1b2c3d4e5" } }
    }]
  })
}

resource "aws_iam_role" "good_service" {
  name = "web"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "ec2.amazonaws.com" }
    }]
  })
}

resource "aws_iam_role" "good_denied_to_anyone" {
  name = "locked"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect    = "Allow"
        Action    = "sts:AssumeRole"
        Principal = { AWS = "arn:aws:iam::111122223333:role/admin" }
      },
      {
        Effect    = "Deny"
        Action    = "sts:AssumeRole"
        Principal = { AWS = "*" }
        Condition = { Bool = { "aws:MultiFactorAuthPresent" = "false" } }
      },
    ]
  })
}
