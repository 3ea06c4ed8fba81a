# IAM030: web-identity (OIDC) trust without audience and subject limits.

resource "aws_iam_openid_connect_provider" "github" {
  url             = "https://token.actions.githubusercontent.com"
  client_id_list  = ["sts.amazonaws.com"]
  thumbprint_list = ["ffffffffffffffffffffffffffffffffffffffff"]
}

locals {
  github_audience = "sts.amazonaws.com"
}

# Any repository of the organisation, any branch, any pull request.
resource "aws_iam_role" "bad_org_wildcard" {
  name = "gha-org"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{  # expect: IAM030
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = aws_iam_openid_connect_provider.github.arn }
      Condition = {
        StringEquals = { "token.actions.githubusercontent.com:aud" = "sts.amazonaws.com" }
        StringLike   = { "token.actions.githubusercontent.com:sub" = "repo:example-org/*" }
      }
    }]
  })
}

# No conditions at all: any GitHub repository in the world.
resource "aws_iam_role" "bad_heredoc" {
  name               = "gha-anyone"
  # expect@+5: IAM030
  assume_role_policy = <<-EOT
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Effect": "Allow",
          "Action": "sts:AssumeRoleWithWebIdentity",
          "Principal": {
            "Federated": "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"
          }
        }
      ]
    }
  EOT
}

data "aws_iam_policy_document" "subject_only" {
  statement {  # expect: IAM030 bad_data_source
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = ["arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"]
    }
    condition {
      test     = "StringLike"
      variable = "token.actions.githubusercontent.com:sub"
      values   = ["repo:example-org/app:ref:refs/heads/main"]
    }
  }
}

resource "aws_iam_role" "bad_data_source" {
  name               = "gha-no-audience"
  assume_role_policy = data.aws_iam_policy_document.subject_only.json
}

resource "aws_iam_role" "bad_local" {
  name = "gha-any-subject"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{  # expect: IAM030
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = aws_iam_openid_connect_provider.github.arn }
      Condition = {
        StringEquals = { "token.actions.githubusercontent.com:aud" = local.github_audience }
        StringLike   = { "token.actions.githubusercontent.com:sub" = "*" }
      }
    }]
  })
}

resource "aws_iam_role" "good_main_branch" {
  name = "gha-deploy"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = aws_iam_openid_connect_provider.github.arn }
      Condition = {
        StringEquals = {
          "token.actions.githubusercontent.com:aud" = local.github_audience
          "token.actions.githubusercontent.com:sub" = "repo:example-org/app:ref:refs/heads/main"
        }
      }
    }]
  })
}

data "aws_iam_policy_document" "production_environment" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [aws_iam_openid_connect_provider.github.arn]
    }
    condition {
      test     = "StringEquals"
      variable = "token.actions.githubusercontent.com:aud"
      values   = ["sts.amazonaws.com"]
    }
    condition {
      test     = "StringLike"
      variable = "token.actions.githubusercontent.com:sub"
      values   = ["repo:example-org/app:environment:prod*"]
    }
  }
}

resource "aws_iam_role" "good_environment" {
  name               = "gha-prod"
  assume_role_policy = data.aws_iam_policy_document.production_environment.json
}

# Cognito identity pools are limited by their audience (the pool id).
resource "aws_iam_role" "good_cognito" {
  name = "app-users"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = "cognito-identity.amazonaws.com" }
      Condition = {
        StringEquals = {
          "cognito-identity.amazonaws.com:aud" = "eu-west-1:11111111-2222-3333-4444-555555555555"
        }
        "ForAnyValue:StringLike" = { "cognito-identity.amazonaws.com:amr" = "authenticated" }
      }
    }]
  })
}
