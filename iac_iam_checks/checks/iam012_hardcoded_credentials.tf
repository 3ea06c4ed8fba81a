# Fake credentials, written for this example only.

variable "bad_secret_key" {  # expect: IAM012
  default = "PtYgjmUhBel31iEl2hpChYgCfrL1spNxnyVmihA+"
}

variable "good_example_key" {
  description = "AWS's documentation key id passes"
  default     = "AKIAIOSFODNN7EXAMPLE"
}

variable "good_region" {
  default = "eu-west-1"
}

locals {
  bad_deploy_key_id = "AKIA81U33XTPLPFT75V2"  # expect: IAM012
  good_bucket       = "artifacts"
}

resource "aws_instance" "bad_user_data" {
  ami           = "ami-12345678"
  instance_type = "t3.micro"
  # expect@+1: IAM012
  user_data     = <<-EOT
    #!/bin/sh
    export AWS_ACCESS_KEY_ID=AKIASEH60KVJ50CE9UVW
    export AWS_SECRET_ACCESS_KEY=PtYgjmUhBel31iEl2hpChYgCfrL1spNxnyVmihA+
  EOT
}

resource "aws_instance" "good_user_data" {
  ami           = "ami-12345678"
  instance_type = "t3.micro"
  user_data     = "#!/bin/sh\necho hello"
}

resource "aws_db_instance" "bad_secret_key_literal" {
  engine   = "postgres"
  # expect@+1: IAM012
  tags     = { secret_key = "not-in-a-vault" }
}

resource "okta_captcha" "good_other_providers_secret_key" {
  name       = "signup"
  type       = "HCAPTCHA"
  site_key   = "site-key-of-the-captcha"
  secret_key = "secret-of-the-captcha"
}
