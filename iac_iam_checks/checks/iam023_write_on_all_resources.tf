# IAM023: write / permissions-management / tagging actions on Resource "*".

locals {
  publish_actions = ["sns:Publish"]
}

resource "aws_iam_policy" "bad_jsonencode" {
  name = "uploader"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = ["s3:ListAllMyBuckets"]
        Resource = "*"
      },
      {  # expect: IAM023
        Effect   = "Allow"
        Action   = ["s3:PutObject", "s3:DeleteObject"]
        Resource = "*"
      },
    ]
  })
}

resource "aws_iam_role_policy" "bad_heredoc" {
  role   = "reaper"
  # expect@+5: IAM023
  policy = <<-EOT
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Effect": "Allow",
          "Action": ["ec2:DescribeInstances", "ec2:TerminateInstances"],
          "Resource": "*"
        }
      ]
    }
  EOT
}

data "aws_iam_policy_document" "queue_writer" {
  statement {  # expect: IAM023 bad_data_source
    actions   = ["sqs:SendMessage", "sqs:DeleteMessage"]
    resources = ["*"]
  }
}

resource "aws_iam_policy" "bad_data_source" {
  name   = "queue-writer"
  policy = data.aws_iam_policy_document.queue_writer.json
}

resource "aws_iam_role" "bad_inline_policy" {
  name = "orders"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "lambda.amazonaws.com" }
    }]
  })
  inline_policy {
    name = "orders-table"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [{  # expect: IAM023
        Effect   = "Allow"
        Action   = ["dynamodb:PutItem", "dynamodb:UpdateItem"]
        Resource = "*"
      }]
    })
  }
}

resource "aws_iam_user_policy" "bad_local" {
  user = "notifier"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{  # expect: IAM023
      Effect   = "Allow"
      Action   = local.publish_actions
      Resource = "*"
    }]
  })
}

# ...IfExists operators do not restrict an Allow: the key may simply be absent.
resource "aws_iam_policy" "bad_if_exists_condition" {
  name = "vpce-uploader"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{  # expect: IAM023
      Effect    = "Allow"
      Action    = "s3:PutObject"
      Resource  = "*"
      Condition = { StringEqualsIfExists = { "aws:SourceVpce" = "vpce-1a2b3c4d" } }
    }]
  })
}

# Actions that only accept "*" have no narrower resource to name.
resource "aws_iam_policy" "good_star_only_actions" {
  name = "log-delivery"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["s3:ListAllMyBuckets", "logs:CreateLogDelivery", "cloudwatch:PutMetricData"]
      Resource = "*"
    }]
  })
}

resource "aws_iam_policy" "good_bucket_objects" {
  name = "upload-reports"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["s3:PutObject", "s3:DeleteObject"]
      Resource = "arn:aws:s3:::reports-bucket/*"
    }]
  })
}

resource "aws_iam_policy" "good_read_only" {
  name = "read-config"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["ssm:GetParameter", "ec2:DescribeInstances"]
      Resource = "*"
    }]
  })
}

# A restricting condition (here on the resource's tags) narrows "*".
data "aws_iam_policy_document" "tagged_instances" {
  statement {
    actions   = ["ec2:StopInstances", "ec2:StartInstances"]
    resources = ["*"]
    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/team"
      values   = ["web"]
    }
  }
}

resource "aws_iam_policy" "good_condition" {
  name   = "web-team-instances"
  policy = data.aws_iam_policy_document.tagged_instances.json
}

resource "aws_iam_policy" "good_deny" {
  name = "no-deletes"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Deny"
      Action   = ["s3:DeleteObject", "s3:DeleteBucket"]
      Resource = "*"
    }]
  })
}

# Already reported by IAM022 (s3:*): not reported again here.
resource "aws_iam_policy" "good_reported_as_wildcard" {
  name = "s3-everything"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "s3:*", Resource = "*" }]
  })
}
