"""iac-iam-checks: static analysis of AWS IAM in Terraform and CloudFormation."""

__version__ = "0.1.0"
