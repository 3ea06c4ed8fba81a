resource "aws_iam_role" "support_role" {
  name = "app"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "ec2.amazonaws.com" } }]
  })
}

resource "aws_iam_instance_profile" "support_profile" {
  name = "app"
  role = aws_iam_role.support_role.name
}

resource "aws_instance" "bad_instance" {  # expect: IAM009
  ami           = "ami-12345678"
  instance_type = "t3.micro"
}

resource "aws_instance" "good_instance" {
  ami                  = "ami-12345678"
  instance_type        = "t3.micro"
  iam_instance_profile = aws_iam_instance_profile.support_profile.name
}

# Launched from a template that carries the profile.
resource "aws_instance" "good_from_template" {
  launch_template {
    id      = aws_launch_template.good_template.id
    version = "$Latest"
  }
}

resource "aws_instance" "bad_from_template_without_profile" {  # expect: IAM009
  launch_template {
    name = "bare"
  }
}

resource "aws_spot_instance_request" "bad_spot_request" {  # expect: IAM009
  ami           = "ami-12345678"
  instance_type = "t3.micro"
}

resource "aws_launch_template" "good_template" {
  name          = "app"
  image_id      = "ami-12345678"
  instance_type = "t3.micro"

  iam_instance_profile {
    arn = aws_iam_instance_profile.support_profile.arn
  }
}

resource "aws_launch_template" "bad_template" {  # expect: IAM009
  name          = "bare"
  image_id      = "ami-12345678"
  instance_type = "t3.micro"
}

# EKS supplies the node role: a template used by a node group is exempt.
resource "aws_launch_template" "good_eks_template" {
  name          = "eks-nodes"
  instance_type = "t3.large"
}

resource "aws_eks_node_group" "support_nodes" {
  cluster_name    = "main"
  node_group_name = "default"
  node_role_arn   = aws_iam_role.support_role.arn
  subnet_ids      = ["subnet-12345678"]

  scaling_config {
    desired_size = 1
    max_size     = 1
    min_size     = 1
  }

  launch_template {
    id      = aws_launch_template.good_eks_template.id
    version = "$Latest"
  }
}

resource "aws_launch_configuration" "bad_launch_configuration" {  # expect: IAM009
  image_id      = "ami-12345678"
  instance_type = "t3.micro"
}

resource "aws_launch_configuration" "good_launch_configuration" {
  image_id             = "ami-12345678"
  instance_type        = "t3.micro"
  iam_instance_profile = aws_iam_instance_profile.support_profile.name
}
