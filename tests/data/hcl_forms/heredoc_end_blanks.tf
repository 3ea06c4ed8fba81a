locals {
  first = <<EOF
{"a": 1}
EOF  
  script = <<-EOT
    cat > /tmp/x <<INNER
    kept as written
    INNER  
    EOT	
  second = <<EOF
plain
EOF
  third = "${local.first}${local.script}"
}

resource "aws_iam_policy" "after_blanks" {
  policy = <<POLICY
{"Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}}
POLICY 	 
}
