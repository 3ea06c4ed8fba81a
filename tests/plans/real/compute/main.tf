provider "aws" {
  region                      = "eu-west-1"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
}

resource "aws_iam_role" "app" {
  name = "app"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "ec2.amazonaws.com" }
    }]
  })
}

resource "aws_iam_role" "open" {
  name = "open"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = "*" }
    }]
  })
}

resource "aws_iam_role_policy_attachment" "app_power" {
  role       = aws_iam_role.app.name
  policy_arn = "arn:aws:iam::aws:policy/PowerUserAccess"
}

resource "aws_iam_instance_profile" "app" {
  name = "app"
  role = aws_iam_role.app.name
}

resource "aws_iam_instance_profile" "empty" {
  name = "empty"
}

resource "aws_instance" "app" {
  for_each             = toset(["a", "b"])
  ami                  = "ami-12345678"
  instance_type        = "t3.micro"
  iam_instance_profile = aws_iam_instance_profile.app.name
  tags                 = { Name = "app-${each.key}" }
}

resource "aws_instance" "bare" {
  ami           = "ami-12345678"
  instance_type = "t3.micro"
}

resource "aws_launch_template" "with_profile" {
  name_prefix   = "lt-"
  image_id      = "ami-12345678"
  instance_type = "t3.micro"
  iam_instance_profile {
    arn = aws_iam_instance_profile.app.arn
  }
}

resource "aws_launch_template" "without_profile" {
  name_prefix   = "lt-bare-"
  image_id      = "ami-12345678"
  instance_type = "t3.micro"
}

resource "aws_launch_template" "empty_profile" {
  name_prefix   = "lt-empty-"
  image_id      = "ami-12345678"
  instance_type = "t3.micro"
  iam_instance_profile {
    name = aws_iam_instance_profile.empty.name
  }
}
