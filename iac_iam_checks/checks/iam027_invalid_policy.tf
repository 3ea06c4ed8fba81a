# IAM027: invalid policy documents, one finding per problem.

locals {
  read_actions = ["s3:GetObject", "s3:ListBucket"]
}

resource "aws_iam_policy" "bad_not_json" {
  name   = "broken"
  # expect@+7: IAM027
  policy = <<-EOT
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Effect": "Allow"
          "Action": "s3:GetObject",
          "Resource": "*"
        }
      ]
    }
  EOT
}

resource "aws_iam_policy" "bad_version" {
  name = "future"
  policy = jsonencode({  # expect: IAM027
    Version   = "2012-10-18"
    Statement = [{ Effect = "Allow", Action = "s3:GetObject", Resource = "*" }]
  })
}

resource "aws_iam_policy" "bad_effect" {
  name = "lower-case"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{  # expect: IAM027
      Effect   = "allow"
      Action   = "s3:GetObject"
      Resource = "arn:aws:s3:::reports-bucket/*"
    }]
  })
}

resource "aws_iam_user_policy" "bad_malformed_action" {
  user = "reader"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{  # expect: IAM027
      Effect   = "Allow"
      Action   = ["s3GetObject", "s3:Get Object"]
      Resource = "arn:aws:s3:::reports-bucket/*"
    }]
  })
}

resource "aws_iam_policy" "bad_principal_in_identity_policy" {
  name = "confused"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{  # expect: IAM027
      Effect    = "Allow"
      Principal = { AWS = "arn:aws:iam::111122223333:root" }
      Action    = "s3:GetObject"
      Resource  = "arn:aws:s3:::reports-bucket/*"
    }]
  })
}

data "aws_iam_policy_document" "missing_resources" {
  statement {  # expect: IAM027 bad_no_resource
    actions = ["sqs:SendMessage"]
  }
}

resource "aws_iam_policy" "bad_no_resource" {
  name   = "no-resource"
  policy = data.aws_iam_policy_document.missing_resources.json
}

resource "aws_iam_role" "bad_trust_without_principal" {
  name = "nobody"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole" }]  # expect: IAM027
  })
}

resource "aws_iam_group_policy" "bad_duplicate_sid" {
  group = "readers"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Sid = "Read", Effect = "Allow", Action = "s3:GetObject", Resource = "*" },
      { Sid = "Read", Effect = "Allow", Action = "sqs:ReceiveMessage", Resource = "*" },  # expect: IAM027
    ]
  })
}

resource "aws_iam_role" "bad_inline_policy" {
  name = "typos"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "lambda.amazonaws.com" }
    }]
  })
  inline_policy {
    name = "typos"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [{  # expect: IAM027
        Effect    = "Allow"
        Action    = local.read_actions
        Resource  = "*"
        Condition = { StringEqual = { "aws:ResourceTag/team" = "web" } }
      }]
    })
  }
}

resource "aws_iam_policy" "good_valid" {
  name = "valid"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "ReadReports"
        Effect    = "Allow"
        Action    = local.read_actions
        Resource  = ["arn:aws:s3:::reports-bucket", "arn:aws:s3:::reports-bucket/*"]
        Condition = { "ForAnyValue:StringLikeIfExists" = { "aws:TagKeys" = ["team*"] } }
      },
      {
        Sid         = "NotPayroll"
        Effect      = "Deny"
        NotAction   = "s3:Get*"
        NotResource = "arn:aws:s3:::reports-bucket/*"
      },
    ]
  })
}

data "aws_iam_policy_document" "ec2_trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "good_trust" {
  name               = "web"
  assume_role_policy = data.aws_iam_policy_document.ec2_trust.json
}
