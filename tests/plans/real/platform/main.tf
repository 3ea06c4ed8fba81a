provider "aws" {
  region                      = "eu-west-1"
  access_key                  = "AKIA2E0A8F3B244C9986"
  secret_key                  = "Zq3v9Lr2Xw8Nf4Tb6Ys1Kd7Hc5Jm0Pg2Ra9Ue3Wi"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
}

variable "services" {
  type    = list(string)
  default = ["s3", "sqs"]
}

module "ops" {
  source  = "./modules/policy"
  name    = "ops"
  actions = ["iam:*"]
}

module "readonly" {
  source  = "./modules/policy"
  name    = "readonly"
  actions = ["s3:GetObject"]
}

resource "aws_iam_role" "ops" {
  name = "ops"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = "arn:aws:iam::999988887777:root" }
      Condition = { StringEquals = { "sts:ExternalId" = "ops-2024" } }
    }]
  })
}

resource "aws_iam_role_policy_attachment" "ops" {
  role       = aws_iam_role.ops.name
  policy_arn = module.ops.arn
}

resource "aws_iam_policy" "from_file" {
  name   = "from-file"
  policy = file("${path.module}/policies/deploy.json")
}

resource "aws_iam_policy" "templated" {
  name   = "templated"
  policy = templatefile("${path.module}/policies/queue.json.tpl", { queue = "jobs" })
}

data "aws_iam_policy_document" "dynamic" {
  dynamic "statement" {
    for_each = var.services
    content {
      sid       = "All${upper(statement.value)}"
      actions   = ["${statement.value}:*"]
      resources = ["*"]
    }
  }
}

resource "aws_iam_policy" "dynamic" {
  name   = "dynamic"
  policy = data.aws_iam_policy_document.dynamic.json
}

resource "aws_iam_user" "ci" {
  name = "ci"
}

resource "aws_iam_access_key" "ci" {
  count = 2
  user  = aws_iam_user.ci.name
}
