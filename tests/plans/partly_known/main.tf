# Values the HCL front end knows in part, a plan only as "known after apply".
data "aws_caller_identity" "current" {}

variable "bucket" {}

resource "aws_s3_bucket" "data" {
  bucket = "data"
}

resource "aws_iam_policy" "star_on_bucket" {
  name = "star-on-bucket"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "*", Resource = aws_s3_bucket.data.arn }]
  })
}

resource "aws_iam_role" "own_account" {
  name = "own-account"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:root" }
    }]
  })
}

resource "aws_iam_role_policy_attachment" "own_account" {
  role       = aws_iam_role.own_account.name
  policy_arn = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:policy/${var.bucket}"
}

data "aws_iam_policy_document" "bucket" {
  statement {
    actions   = ["s3:*"]
    resources = ["arn:aws:s3:::${var.bucket}/*"]
  }
}

resource "aws_iam_user_policy" "bucket" {
  user   = "deployer"
  policy = data.aws_iam_policy_document.bucket.json
}
