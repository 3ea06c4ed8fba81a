resource "aws_iam_role" "support_role" {
  name = "app"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "ec2.amazonaws.com" } }]
  })
}

resource "aws_iam_instance_profile" "bad_no_role" {  # expect: IAM010
  name = "empty"
}

resource "aws_iam_instance_profile" "good_by_reference" {
  name = "app"
  role = aws_iam_role.support_role.name
}

resource "aws_iam_instance_profile" "good_by_name" {
  name = "app-by-name"
  role = "app"
}

resource "aws_iam_instance_profile" "bad_dangling_reference" {
  name = "ghost"
  role = aws_iam_role.deleted.name  # expect: IAM010
}
