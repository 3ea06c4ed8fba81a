# IAM031: actions and action wildcards that match no action the database knows.

resource "aws_iam_policy" "bad_typo" {
  name = "reader"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{  # expect: IAM031
      Effect   = "Allow"
      Action   = ["s3:GetObjects", "s3:ListBucket"]
      Resource = "arn:aws:s3:::reports-bucket/*"
    }]
  })
}

data "aws_iam_policy_document" "read_only" {
  statement {  # expect: IAM031 bad_wildcards
    actions   = ["iam:View*", "kms:BatchGet*", "acm:Describe*"]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "bad_wildcards" {
  name   = "read-only"
  role   = "auditor"
  policy = data.aws_iam_policy_document.read_only.json
}

resource "aws_iam_user_policy" "bad_unknown_service" {
  name = "future"
  user = "builder"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{  # expect: IAM031
      Effect    = "Deny"
      NotAction = ["s4:GetObject"]
      Resource  = "*"
    }]
  })
}

resource "aws_iam_policy" "good_known_actions" {
  name = "known"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["s3:GetObject", "S3:listbucket", "kms:Describe*", "*"]
      Resource = "arn:aws:s3:::reports-bucket/*"
    }]
  })
}
