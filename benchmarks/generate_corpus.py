"""Write a deterministic, realistic corpus of Terraform and CloudFormation for the benchmark.

Why synthetic: the comparison with checkov needs corpora of any size (10 to 5,000 files) that are
the same on every machine, without vendoring public repositories. The content imitates what real
AWS repositories hold: mostly networking, storage and compute, with IAM a minority (~15% of
blocks), variables with defaults, locals, data sources, and about 20% CloudFormation stacks.

Shapes:
  flat     many Terraform roots of ~8 files each (``stacks/<group>/``); CFN in ``cloudformation/``
  modules  a few local modules (``modules/<name>/``) called from many example roots
           (``examples/<n>/main.tf`` with literal inputs), like public AWS module repositories
  repos    several module repositories side by side (``repos/<r>/``), each shaped like a public
           AWS module repository: a large root module (dozens of resources, ~60 documented
           variables, outputs) that calls its own submodules (``modules/<s>/``), and example
           roots (``examples/<e>/``) that call the root module (``../../``) and a submodule
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Callable
from pathlib import Path

CFN_SHARE = 0.2
IAM_SHARE = 0.15
FILES_PER_FLAT_ROOT = 8
REGIONS = ("us-east-1", "eu-west-1", "eu-central-1", "ap-southeast-2")
TEAMS = ("payments", "search", "ledger", "growth", "platform", "media", "identity")
ENVS = ("dev", "staging", "prod")
SERVICES = ("s3", "sqs", "dynamodb", "logs", "sns", "kms", "ec2", "lambda")
READ_ACTIONS = (
    "s3:GetObject",
    "s3:ListBucket",
    "sqs:ReceiveMessage",
    "dynamodb:GetItem",
    "dynamodb:Query",
    "logs:DescribeLogGroups",
    "sns:ListTopics",
    "kms:Decrypt",
)
WRITE_ACTIONS = (
    "s3:PutObject",
    "sqs:SendMessage",
    "dynamodb:PutItem",
    "logs:PutLogEvents",
    "sns:Publish",
    "ec2:StartInstances",
)
SG_SOURCES = ("10.0.0.0/8", "0.0.0.0/0", "172.16.0.0/12")
RISKY_ACTIONS = ("s3:*", "iam:PassRole", "iam:CreateAccessKey", "*")
MANAGED_POLICIES = (
    "arn:aws:iam::aws:policy/ReadOnlyAccess",
    "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
    "arn:aws:iam::aws:policy/CloudWatchLogsFullAccess",
    "arn:aws:iam::aws:policy/AdministratorAccess",
)


class Names:
    """Unique block names within one corpus, so files sharing a root never collide."""

    def __init__(self) -> None:
        self.counter = 0

    def next(self, stem: str) -> str:
        self.counter += 1
        return f"{stem}_{self.counter}"


def _q(value: str) -> str:
    return f'"{value}"'


def _hcl_list(items: list[str]) -> str:
    return "[" + ", ".join(_q(i) for i in items) + "]"


# --- Terraform: non-IAM blocks -------------------------------------------------------------


def tf_vpc(rng: random.Random, names: Names) -> str:
    vpc = names.next("main")
    octet = rng.randrange(0, 250)
    subnets = []
    for i in range(rng.randint(1, 3)):
        subnet = names.next("private")
        subnets.append(
            f'resource "aws_subnet" "{subnet}" {{\n'
            f"  vpc_id            = aws_vpc.{vpc}.id\n"
            f'  cidr_block        = "10.{octet}.{i * 16}.0/20"\n'
            f'  availability_zone = "{rng.choice(REGIONS)}{"abc"[i]}"\n\n'
            f"  tags = {{\n"
            f'    Name = "{subnet}"\n'
            f'    Tier = "private"\n'
            f"  }}\n}}\n"
        )
    return (
        f'resource "aws_vpc" "{vpc}" {{\n'
        f'  cidr_block           = "10.{octet}.0.0/16"\n'
        f"  enable_dns_hostnames = true\n"
        f"  enable_dns_support   = true\n\n"
        f"  tags = merge(local.common_tags, {{\n"
        f'    Name = "{vpc}"\n'
        f"  }})\n}}\n\n" + "\n".join(subnets)
    )


def tf_bucket(rng: random.Random, names: Names) -> str:
    bucket = names.next("artifacts")
    team = rng.choice(TEAMS)
    blocks = [
        f'resource "aws_s3_bucket" "{bucket}" {{\n'
        f'  bucket        = "${{local.prefix}}-{team}-{bucket.replace("_", "-")}"\n'
        f"  force_destroy = {str(rng.random() < 0.2).lower()}\n\n"
        f"  tags = local.common_tags\n}}\n",
        f'resource "aws_s3_bucket_versioning" "{bucket}" {{\n'
        f"  bucket = aws_s3_bucket.{bucket}.id\n\n"
        f"  versioning_configuration {{\n"
        f'    status = "{rng.choice(["Enabled", "Suspended"])}"\n'
        f"  }}\n}}\n",
    ]
    if rng.random() < 0.6:
        blocks.append(
            f'resource "aws_s3_bucket_public_access_block" "{bucket}" {{\n'
            f"  bucket                  = aws_s3_bucket.{bucket}.id\n"
            f"  block_public_acls       = true\n"
            f"  block_public_policy     = true\n"
            f"  ignore_public_acls      = true\n"
            f"  restrict_public_buckets = true\n}}\n"
        )
    return "\n".join(blocks)


def tf_security_group(rng: random.Random, names: Names) -> str:
    sg = names.next("web")
    ports = rng.sample([22, 80, 443, 5432, 6379, 8080, 9200], rng.randint(1, 3))
    ingress = "".join(
        f"  ingress {{\n"
        f'    description = "port {port}"\n'
        f"    from_port   = {port}\n"
        f"    to_port     = {port}\n"
        f'    protocol    = "tcp"\n'
        f"    cidr_blocks = {_hcl_list([rng.choice(SG_SOURCES)])}\n"
        f"  }}\n\n"
        for port in ports
    )
    return (
        f'resource "aws_security_group" "{sg}" {{\n'
        f'  name        = "{sg}"\n'
        f'  description = "Traffic for {sg}"\n'
        f"  vpc_id      = var.vpc_id\n\n"
        f"{ingress}"
        f"  egress {{\n"
        f"    from_port   = 0\n"
        f"    to_port     = 0\n"
        f'    protocol    = "-1"\n'
        f'    cidr_blocks = ["0.0.0.0/0"]\n'
        f"  }}\n}}\n"
    )


def tf_lambda(rng: random.Random, names: Names) -> str:
    fn = names.next("handler")
    runtime = rng.choice(["python3.12", "nodejs20.x", "java21"])
    return (
        f'resource "aws_lambda_function" "{fn}" {{\n'
        f'  function_name = "${{local.prefix}}-{fn}"\n'
        f"  role          = var.lambda_role_arn\n"
        f'  handler       = "index.handler"\n'
        f'  runtime       = "{runtime}"\n'
        f'  filename      = "${{path.module}}/build/{fn}.zip"\n'
        f"  memory_size   = {rng.choice([128, 256, 512, 1024])}\n"
        f"  timeout       = {rng.choice([3, 10, 30, 60])}\n\n"
        f"  environment {{\n"
        f"    variables = {{\n"
        f'      STAGE     = "{rng.choice(ENVS)}"\n'
        f'      LOG_LEVEL = "{rng.choice(["INFO", "DEBUG", "WARN"])}"\n'
        f"    }}\n"
        f"  }}\n}}\n\n"
        f'resource "aws_cloudwatch_log_group" "{fn}" {{\n'
        f'  name              = "/aws/lambda/${{local.prefix}}-{fn}"\n'
        f"  retention_in_days = {rng.choice([7, 14, 30, 90])}\n}}\n"
    )


def tf_queue(rng: random.Random, names: Names) -> str:
    queue = names.next("jobs")
    return (
        f'resource "aws_sqs_queue" "{queue}" {{\n'
        f'  name                       = "${{local.prefix}}-{queue}"\n'
        f"  visibility_timeout_seconds = {rng.choice([30, 60, 300])}\n"
        f"  message_retention_seconds  = {rng.choice([86400, 345600, 1209600])}\n"
        f"  sqs_managed_sse_enabled    = true\n}}\n"
    )


def tf_table(rng: random.Random, names: Names) -> str:
    table = names.next("records")
    return (
        f'resource "aws_dynamodb_table" "{table}" {{\n'
        f'  name         = "${{local.prefix}}-{table}"\n'
        f'  billing_mode = "PAY_PER_REQUEST"\n'
        f'  hash_key     = "pk"\n'
        f'  range_key    = "sk"\n\n'
        f"  attribute {{\n"
        f'    name = "pk"\n'
        f'    type = "S"\n'
        f"  }}\n\n"
        f"  attribute {{\n"
        f'    name = "sk"\n'
        f'    type = "S"\n'
        f"  }}\n\n"
        f"  point_in_time_recovery {{\n"
        f"    enabled = {str(rng.random() < 0.7).lower()}\n"
        f"  }}\n}}\n"
    )


def tf_instance(rng: random.Random, names: Names) -> str:
    """An EC2 instance; half of them get a role through an instance profile (IAM009 bait)."""
    server = names.next("app")
    profile_line = ""
    extra = ""
    if rng.random() < 0.5:
        role = names.next("ec2_role")
        profile_line = f"  iam_instance_profile   = aws_iam_instance_profile.{server}.name\n"
        extra = (
            f'\n\nresource "aws_iam_role" "{role}" {{\n'
            f'  name = "{role}"\n'
            f"  assume_role_policy = jsonencode({{\n"
            f'    Version = "2012-10-17"\n'
            f"    Statement = [{{\n"
            f'      Effect    = "Allow"\n'
            f'      Action    = "sts:AssumeRole"\n'
            f'      Principal = {{ Service = "ec2.amazonaws.com" }}\n'
            f"    }}]\n"
            f"  }})\n}}\n\n"
            f'resource "aws_iam_instance_profile" "{server}" {{\n'
            f'  name = "{server}-profile"\n'
            f"  role = aws_iam_role.{role}.name\n}}\n"
        )
    return (
        f'resource "aws_instance" "{server}" {{\n'
        f"  ami                    = data.aws_ami.base.id\n"
        f'  instance_type          = "{rng.choice(["t3.micro", "t3.small", "m6i.large"])}"\n'
        f"  subnet_id              = var.subnet_id\n"
        f"{profile_line}"
        f"  monitoring             = {str(rng.random() < 0.5).lower()}\n\n"
        f"  metadata_options {{\n"
        f'    http_tokens = "{rng.choice(["required", "optional"])}"\n'
        f"  }}\n\n"
        f"  tags = local.common_tags\n}}" + extra + "\n"
    )


# --- Terraform: IAM blocks ----------------------------------------------------------------


def _actions(rng: random.Random) -> list[str]:
    actions = rng.sample(READ_ACTIONS, rng.randint(1, 3))
    if rng.random() < 0.4:
        actions.append(rng.choice(WRITE_ACTIONS))
    if rng.random() < 0.1:
        actions.append(rng.choice(RISKY_ACTIONS))
    return sorted(set(actions))


def tf_iam_users(rng: random.Random, names: Names) -> str:
    group = names.next("developers")
    users = [names.next("user") for _ in range(rng.randint(1, 3))]
    blocks = [f'resource "aws_iam_group" "{group}" {{\n  name = "{group}"\n}}\n']
    for user in users:
        blocks.append(
            f'resource "aws_iam_user" "{user}" {{\n'
            f'  name = "{user}"\n'
            f'  path = "/{rng.choice(TEAMS)}/"\n\n'
            f"  tags = local.common_tags\n}}\n"
        )
        if rng.random() < 0.3:
            blocks.append(
                f'resource "aws_iam_access_key" "{user}" {{\n'
                f"  user = aws_iam_user.{user}.name\n}}\n"
            )
    members = ",\n    ".join(f"aws_iam_user.{u}.name" for u in users)
    blocks.append(
        f'resource "aws_iam_group_membership" "{group}" {{\n'
        f'  name  = "{group}-membership"\n'
        f"  group = aws_iam_group.{group}.name\n"
        f"  users = [\n    {members},\n  ]\n}}\n"
    )
    blocks.append(
        f'resource "aws_iam_group_policy_attachment" "{group}" {{\n'
        f"  group      = aws_iam_group.{group}.name\n"
        f'  policy_arn = "{rng.choice(MANAGED_POLICIES)}"\n}}\n'
    )
    return "\n".join(blocks)


def tf_iam_role(rng: random.Random, names: Names) -> str:
    role = names.next("service")
    doc = names.next("access")
    service = rng.choice(["lambda", "ecs-tasks", "ec2", "states"])
    actions = _actions(rng)
    resource = rng.choice(["*", "arn:aws:s3:::${var.bucket_name}/*", "arn:aws:sqs:*:*:jobs"])
    trust_extra = ""
    if rng.random() < 0.15:
        trust_extra = (
            f"      }},\n      {{\n"
            f'        Effect    = "Allow"\n'
            f'        Action    = "sts:AssumeRole"\n'
            f'        Principal = {{ AWS = "arn:aws:iam::{rng.randrange(10**11, 10**12)}:root" }}\n'
        )
    return (
        f'data "aws_iam_policy_document" "{doc}" {{\n'
        f"  statement {{\n"
        f'    sid       = "{doc.replace("_", "").title()}"\n'
        f'    effect    = "Allow"\n'
        f"    actions   = {_hcl_list(actions)}\n"
        f'    resources = ["{resource}"]\n'
        f"  }}\n}}\n\n"
        f'resource "aws_iam_role" "{role}" {{\n'
        f'  name = "${{local.prefix}}-{role}"\n'
        f"  assume_role_policy = jsonencode({{\n"
        f'    Version = "2012-10-17"\n'
        f"    Statement = [\n"
        f"      {{\n"
        f'        Effect    = "Allow"\n'
        f'        Action    = "sts:AssumeRole"\n'
        f'        Principal = {{ Service = "{service}.amazonaws.com" }}\n'
        f"{trust_extra}"
        f"      }}\n"
        f"    ]\n"
        f"  }})\n}}\n\n"
        f'resource "aws_iam_policy" "{doc}" {{\n'
        f'  name   = "${{local.prefix}}-{doc}"\n'
        f"  policy = data.aws_iam_policy_document.{doc}.json\n}}\n\n"
        f'resource "aws_iam_role_policy_attachment" "{role}" {{\n'
        f"  role       = aws_iam_role.{role}.name\n"
        f"  policy_arn = aws_iam_policy.{doc}.arn\n}}\n"
    )


def tf_iam_inline(rng: random.Random, names: Names) -> str:
    user = names.next("deployer")
    return (
        f'resource "aws_iam_user" "{user}" {{\n  name = "{user}"\n}}\n\n'
        f'resource "aws_iam_user_policy" "{user}" {{\n'
        f'  name = "{user}-inline"\n'
        f"  user = aws_iam_user.{user}.name\n"
        f"  policy = jsonencode({{\n"
        f'    Version = "2012-10-17"\n'
        f"    Statement = [{{\n"
        f'      Effect   = "Allow"\n'
        f"      Action   = {_hcl_list(_actions(rng))}\n"
        f'      Resource = "*"\n'
        f"    }}]\n"
        f"  }})\n}}\n"
    )


NON_IAM_BLOCKS: tuple[Callable[[random.Random, Names], str], ...] = (
    tf_vpc,
    tf_bucket,
    tf_bucket,
    tf_security_group,
    tf_security_group,
    tf_lambda,
    tf_queue,
    tf_table,
    tf_instance,
)
IAM_BLOCKS: tuple[Callable[[random.Random, Names], str], ...] = (
    tf_iam_users,
    tf_iam_role,
    tf_iam_role,
    tf_iam_inline,
)


def tf_variables(rng: random.Random, names: Names) -> str:
    """Variables with defaults; the names every generated block may refer to are declared once."""
    account = rng.randrange(10**11, 10**12)
    return (
        f'variable "vpc_id" {{\n  type    = string\n'
        f'  default = "vpc-{rng.getrandbits(32):08x}"\n}}\n\n'
        f'variable "subnet_id" {{\n  type    = string\n'
        f'  default = "subnet-{rng.getrandbits(32):08x}"\n}}\n\n'
        f'variable "bucket_name" {{\n  type    = string\n'
        f'  default = "{rng.choice(TEAMS)}-data"\n}}\n\n'
        f'variable "lambda_role_arn" {{\n  type    = string\n'
        f'  default = "arn:aws:iam::{account}:role/lambda-exec"\n}}\n\n'
        f'variable "environment" {{\n  type    = string\n  default = "{rng.choice(ENVS)}"\n}}\n'
    )


def tf_root_header(rng: random.Random) -> str:
    """Provider, locals and the data sources shared by one root."""
    team = rng.choice(TEAMS)
    return (
        f"terraform {{\n"
        f'  required_version = ">= 1.5"\n'
        f"  required_providers {{\n"
        f'    aws = {{\n      source  = "hashicorp/aws"\n      version = "~> 5.0"\n    }}\n'
        f"  }}\n}}\n\n"
        f'provider "aws" {{\n  region = "{rng.choice(REGIONS)}"\n}}\n\n'
        f"locals {{\n"
        f'  prefix = "{team}-${{var.environment}}"\n'
        f"  common_tags = {{\n"
        f'    Team        = "{team}"\n'
        f"    Environment = var.environment\n"
        f'    ManagedBy   = "terraform"\n'
        f"  }}\n}}\n\n"
        f'data "aws_caller_identity" "current" {{}}\n\n'
        f'data "aws_region" "current" {{}}\n\n'
        f'data "aws_ami" "base" {{\n'
        f"  most_recent = true\n"
        f'  owners      = ["amazon"]\n\n'
        f"  filter {{\n"
        f'    name   = "name"\n'
        f'    values = ["al2023-ami-*-x86_64"]\n'
        f"  }}\n}}\n"
    )


def tf_body(rng: random.Random, names: Names, blocks: int) -> str:
    parts = []
    for _ in range(blocks):
        pool = IAM_BLOCKS if rng.random() < IAM_SHARE else NON_IAM_BLOCKS
        parts.append(rng.choice(pool)(rng, names))
    return "\n".join(parts)


# --- CloudFormation ------------------------------------------------------------------------


CFN_POLICY_RESOURCES = ("'*'", "!GetAtt Bucket1.Arn", "!Sub '${Bucket1.Arn}/*'")


def _yaml_scalar(value: str) -> str:
    """Quote what YAML would misread (a bare `*` starts an alias)."""
    return f"'{value}'" if value.startswith("*") else value


def cfn_bucket(rng: random.Random, name: str) -> str:
    return (
        f"  {name}:\n"
        f"    Type: AWS::S3::Bucket\n"
        f"    Properties:\n"
        f"      BucketName: !Sub '${{AWS::StackName}}-{name.lower()}'\n"
        f"      VersioningConfiguration:\n"
        f"        Status: {rng.choice(['Enabled', 'Suspended'])}\n"
        f"      Tags:\n"
        f"        - Key: Environment\n"
        f"          Value: !Ref Environment\n"
    )


def cfn_queue(rng: random.Random, name: str) -> str:
    return (
        f"  {name}:\n"
        f"    Type: AWS::SQS::Queue\n"
        f"    Properties:\n"
        f"      VisibilityTimeout: {rng.choice([30, 60, 300])}\n"
        f"      SqsManagedSseEnabled: true\n"
    )


def cfn_security_group(rng: random.Random, name: str) -> str:
    port = rng.choice([80, 443, 8080, 5432])
    return (
        f"  {name}:\n"
        f"    Type: AWS::EC2::SecurityGroup\n"
        f"    Properties:\n"
        f"      GroupDescription: Traffic for {name}\n"
        f"      VpcId: !Ref VpcId\n"
        f"      SecurityGroupIngress:\n"
        f"        - IpProtocol: tcp\n"
        f"          FromPort: {port}\n"
        f"          ToPort: {port}\n"
        f"          CidrIp: {rng.choice(['10.0.0.0/8', '0.0.0.0/0'])}\n"
    )


def cfn_role_and_function(rng: random.Random, name: str) -> str:
    actions = "\n".join(f"                  - {_yaml_scalar(a)}" for a in _actions(rng))
    return (
        f"  {name}Role:\n"
        f"    Type: AWS::IAM::Role\n"
        f"    Properties:\n"
        f"      AssumeRolePolicyDocument:\n"
        f"        Version: '2012-10-17'\n"
        f"        Statement:\n"
        f"          - Effect: Allow\n"
        f"            Principal:\n"
        f"              Service: lambda.amazonaws.com\n"
        f"            Action: sts:AssumeRole\n"
        f"      ManagedPolicyArns:\n"
        f"        - arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole\n"
        f"      Policies:\n"
        f"        - PolicyName: {name.lower()}-access\n"
        f"          PolicyDocument:\n"
        f"            Version: '2012-10-17'\n"
        f"            Statement:\n"
        f"              - Effect: Allow\n"
        f"                Action:\n{actions}\n"
        f"                Resource: {rng.choice(CFN_POLICY_RESOURCES)}\n"
        f"  {name}:\n"
        f"    Type: AWS::Lambda::Function\n"
        f"    Properties:\n"
        f"      Runtime: {rng.choice(['python3.12', 'nodejs20.x'])}\n"
        f"      Handler: index.handler\n"
        f"      Role: !GetAtt {name}Role.Arn\n"
        f"      Timeout: {rng.choice([3, 10, 30])}\n"
        f"      Code:\n"
        f"        S3Bucket: !Ref ArtifactBucket\n"
        f"        S3Key: {name.lower()}.zip\n"
    )


def cfn_user(rng: random.Random, name: str) -> str:
    text = (
        f"  {name}:\n"
        f"    Type: AWS::IAM::User\n"
        f"    Properties:\n"
        f"      Path: /{rng.choice(TEAMS)}/\n"
        f"      ManagedPolicyArns:\n"
        f"        - {rng.choice(MANAGED_POLICIES)}\n"
    )
    if rng.random() < 0.4:
        text += (
            f"  {name}Key:\n"
            f"    Type: AWS::IAM::AccessKey\n"
            f"    Properties:\n"
            f"      UserName: !Ref {name}\n"
        )
    return text


def cfn_instance(rng: random.Random, name: str) -> str:
    profile = f"      IamInstanceProfile: !Ref {name}Profile\n" if rng.random() < 0.5 else ""
    text = (
        f"  {name}:\n"
        f"    Type: AWS::EC2::Instance\n"
        f"    Properties:\n"
        f"      ImageId: !Ref ImageId\n"
        f"      InstanceType: {rng.choice(['t3.micro', 't3.small'])}\n"
        f"{profile}"
    )
    if profile:
        text += (
            f"  {name}Profile:\n"
            f"    Type: AWS::IAM::InstanceProfile\n"
            f"    Properties:\n"
            f"      Roles:\n"
            f"        - !Ref {name}ProfileRole\n"
            f"  {name}ProfileRole:\n"
            f"    Type: AWS::IAM::Role\n"
            f"    Properties:\n"
            f"      AssumeRolePolicyDocument:\n"
            f"        Statement:\n"
            f"          - Effect: Allow\n"
            f"            Principal: {{Service: ec2.amazonaws.com}}\n"
            f"            Action: sts:AssumeRole\n"
        )
    return text


CFN_NON_IAM = (cfn_queue, cfn_security_group, cfn_instance, cfn_bucket)
CFN_IAM = (cfn_role_and_function, cfn_user)


def cfn_template(rng: random.Random) -> str:
    resources = [cfn_bucket(rng, "Bucket1")]
    for i in range(rng.randint(2, 6)):
        pool = CFN_IAM if rng.random() < IAM_SHARE * 1.5 else CFN_NON_IAM
        resources.append(rng.choice(pool)(rng, f"Res{i}"))
    return (
        "AWSTemplateFormatVersion: '2010-09-09'\n"
        f"Description: {rng.choice(TEAMS)} stack generated for benchmarking\n"
        "Parameters:\n"
        "  Environment:\n"
        "    Type: String\n"
        f"    Default: {rng.choice(ENVS)}\n"
        "    AllowedValues: [dev, staging, prod]\n"
        "  VpcId:\n"
        "    Type: AWS::EC2::VPC::Id\n"
        "  ImageId:\n"
        "    Type: AWS::EC2::Image::Id\n"
        "  ArtifactBucket:\n"
        "    Type: String\n"
        f"    Default: {rng.choice(TEAMS)}-artifacts\n"
        "Conditions:\n"
        "  IsProd: !Equals [!Ref Environment, prod]\n"
        "Resources:\n" + "".join(resources) + "Outputs:\n"
        "  BucketArn:\n"
        "    Value: !GetAtt Bucket1.Arn\n"
    )


# --- Corpus shapes -------------------------------------------------------------------------


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def write_cfn(rng: random.Random, out: Path, count: int) -> None:
    for i in range(count):
        _write(out / "cloudformation" / f"stack_{i:04d}.yaml", cfn_template(rng))


def write_flat(rng: random.Random, out: Path, tf_files: int) -> None:
    names = Names()
    for i in range(tf_files):
        root = out / "stacks" / f"group_{i // FILES_PER_FLAT_ROOT:04d}"
        position = i % FILES_PER_FLAT_ROOT
        if position == 0:
            text = tf_root_header(rng) + "\n" + tf_variables(rng, names)
        else:
            text = tf_body(rng, names, rng.randint(3, 7))
        _write(root / f"{'main' if position == 0 else f'part_{position}'}.tf", text)


MODULES: dict[str, dict[str, str]] = {
    "network": {
        "variables": (
            'variable "name" {\n  type = string\n}\n\n'
            'variable "cidr_block" {\n  type    = string\n  default = "10.0.0.0/16"\n}\n\n'
            'variable "azs" {\n  type    = list(string)\n  default = ["a", "b"]\n}\n'
        ),
        "main": (
            'resource "aws_vpc" "this" {\n  cidr_block = var.cidr_block\n\n'
            "  tags = {\n    Name = var.name\n  }\n}\n\n"
            'resource "aws_subnet" "private" {\n  count             = length(var.azs)\n'
            "  vpc_id            = aws_vpc.this.id\n"
            "  cidr_block        = cidrsubnet(var.cidr_block, 4, count.index)\n"
            "  availability_zone = var.azs[count.index]\n}\n\n"
            'resource "aws_security_group" "default" {\n  name   = "${var.name}-default"\n'
            "  vpc_id = aws_vpc.this.id\n\n  egress {\n    from_port   = 0\n    to_port     = 0\n"
            '    protocol    = "-1"\n    cidr_blocks = ["0.0.0.0/0"]\n  }\n}\n'
        ),
        "outputs": 'output "vpc_id" {\n  value = aws_vpc.this.id\n}\n',
    },
    "storage": {
        "variables": (
            'variable "bucket" {\n  type = string\n}\n\n'
            'variable "versioning" {\n  type    = bool\n  default = true\n}\n'
        ),
        "main": (
            'resource "aws_s3_bucket" "this" {\n  bucket = var.bucket\n}\n\n'
            'resource "aws_s3_bucket_versioning" "this" {\n  bucket = aws_s3_bucket.this.id\n\n'
            "  versioning_configuration {\n"
            '    status = var.versioning ? "Enabled" : "Suspended"\n  }\n}\n\n'
            'data "aws_iam_policy_document" "tls_only" {\n  statement {\n'
            '    sid     = "DenyInsecureTransport"\n    effect  = "Deny"\n'
            '    actions = ["s3:*"]\n'
            '    resources = ["${aws_s3_bucket.this.arn}/*"]\n\n'
            '    principals {\n      type        = "*"\n      identifiers = ["*"]\n    }\n\n'
            '    condition {\n      test     = "Bool"\n      variable = "aws:SecureTransport"\n'
            '      values   = ["false"]\n    }\n  }\n}\n\n'
            'resource "aws_s3_bucket_policy" "this" {\n  bucket = aws_s3_bucket.this.id\n'
            "  policy = data.aws_iam_policy_document.tls_only.json\n}\n"
        ),
        "outputs": 'output "arn" {\n  value = aws_s3_bucket.this.arn\n}\n',
    },
    "service_role": {
        "variables": (
            'variable "name" {\n  type = string\n}\n\n'
            'variable "service" {\n  type    = string\n  default = "lambda.amazonaws.com"\n}\n\n'
            'variable "actions" {\n  type    = list(string)\n  default = ["s3:GetObject"]\n}\n\n'
            'variable "resources" {\n  type    = list(string)\n  default = ["*"]\n}\n\n'
            'variable "create_instance_profile" {\n  type    = bool\n  default = false\n}\n'
        ),
        "main": (
            'resource "aws_iam_role" "this" {\n  name = var.name\n'
            "  assume_role_policy = jsonencode({\n"
            '    Version = "2012-10-17"\n    Statement = [{\n'
            '      Effect    = "Allow"\n      Action    = "sts:AssumeRole"\n'
            "      Principal = { Service = var.service }\n    }]\n  })\n}\n\n"
            'data "aws_iam_policy_document" "this" {\n  statement {\n'
            "    actions   = var.actions\n    resources = var.resources\n  }\n}\n\n"
            'resource "aws_iam_policy" "this" {\n  name   = "${var.name}-policy"\n'
            "  policy = data.aws_iam_policy_document.this.json\n}\n\n"
            'resource "aws_iam_role_policy_attachment" "this" {\n'
            "  role       = aws_iam_role.this.name\n  policy_arn = aws_iam_policy.this.arn\n}\n\n"
            'resource "aws_iam_instance_profile" "this" {\n'
            "  count = var.create_instance_profile ? 1 : 0\n"
            '  name  = "${var.name}-profile"\n  role  = aws_iam_role.this.name\n}\n'
        ),
        "outputs": (
            'output "role_arn" {\n  value = aws_iam_role.this.arn\n}\n\n'
            'output "instance_profile" {\n'
            "  value = try(aws_iam_instance_profile.this[0].name, null)\n}\n"
        ),
    },
    "app_server": {
        "variables": (
            'variable "name" {\n  type = string\n}\n\n'
            'variable "instance_type" {\n  type    = string\n  default = "t3.micro"\n}\n\n'
            'variable "instance_profile" {\n  type    = string\n  default = null\n}\n'
        ),
        "main": (
            'data "aws_ami" "base" {\n  most_recent = true\n  owners      = ["amazon"]\n}\n\n'
            'resource "aws_instance" "this" {\n  ami                  = data.aws_ami.base.id\n'
            "  instance_type        = var.instance_type\n"
            "  iam_instance_profile = var.instance_profile\n\n"
            "  tags = {\n    Name = var.name\n  }\n}\n"
        ),
        "outputs": 'output "id" {\n  value = aws_instance.this.id\n}\n',
    },
    "ci_user": {
        "variables": (
            'variable "name" {\n  type = string\n}\n\n'
            'variable "groups" {\n  type    = list(string)\n  default = []\n}\n\n'
            'variable "create_access_key" {\n  type    = bool\n  default = true\n}\n'
        ),
        "main": (
            'resource "aws_iam_user" "this" {\n  name = var.name\n}\n\n'
            'resource "aws_iam_user_group_membership" "this" {\n'
            "  user   = aws_iam_user.this.name\n  groups = var.groups\n}\n\n"
            'resource "aws_iam_access_key" "this" {\n'
            "  count = var.create_access_key ? 1 : 0\n  user  = aws_iam_user.this.name\n}\n"
        ),
        "outputs": 'output "user_name" {\n  value = aws_iam_user.this.name\n}\n',
    },
}


def module_call(rng: random.Random, module: str, n: int) -> str:
    """A `module` block with literal inputs, as an example root of a module repository has."""
    label = f"{module}_{n}"
    inputs: dict[str, str] = {
        "network": (
            f'  name       = "example-{n}"\n'
            f'  cidr_block = "10.{rng.randrange(250)}.0.0/16"\n'
            f'  azs        = ["{rng.choice(REGIONS)}a", "{rng.choice(REGIONS)}b"]\n'
        ),
        "storage": (
            f'  bucket     = "example-{n}-{rng.choice(TEAMS)}"\n'
            f"  versioning = {str(rng.random() < 0.7).lower()}\n"
        ),
        "service_role": (
            f'  name                    = "example-{n}-{rng.choice(TEAMS)}"\n'
            f'  service                 = "{rng.choice(["lambda", "ec2", "ecs-tasks"])}'
            f'.amazonaws.com"\n'
            f"  actions                 = {_hcl_list(_actions(rng))}\n"
            f'  resources               = ["{rng.choice(["*", "arn:aws:s3:::example/*"])}"]\n'
            f"  create_instance_profile = {str(rng.random() < 0.5).lower()}\n"
        ),
        "app_server": (
            f'  name          = "example-{n}"\n'
            f'  instance_type = "{rng.choice(["t3.micro", "t3.small"])}"\n'
            + (f'  instance_profile = "example-{n}-profile"\n' if rng.random() < 0.5 else "")
        ),
        "ci_user": (
            f'  name              = "ci-{n}-{rng.choice(TEAMS)}"\n'
            f'  groups            = ["deployers"]\n'
            f"  create_access_key = {str(rng.random() < 0.5).lower()}\n"
        ),
    }
    return f'module "{label}" {{\n  source = "../../modules/{module}"\n\n{inputs[module]}}}\n'


def write_modules(rng: random.Random, out: Path, tf_files: int) -> None:
    module_names = sorted(MODULES)[: max(1, min(len(MODULES), tf_files // 12))]
    for name in module_names:
        for part, text in MODULES[name].items():
            _write(out / "modules" / name / f"{part}.tf", text)
    names = Names()
    examples = tf_files - 3 * len(module_names)
    for n in range(examples):
        calls = rng.sample(module_names, rng.randint(1, min(3, len(module_names))))
        body = (
            tf_root_header(rng)
            + "\n"
            + tf_variables(rng, names)
            + "\n"
            + "\n".join(module_call(rng, m, n) for m in calls)
        )
        if rng.random() < 0.3:
            body += "\n" + tf_body(rng, names, 1)
        _write(out / "examples" / f"{n:04d}" / "main.tf", body)


REPO_SUBMODULES = 3
REPO_EXAMPLES = 12
REPO_EXTRA_VARIABLES = 55


def tf_documented_variables(rng: random.Random, names: Names, count: int) -> str:
    """The long, documented variables.tf of a public module (most variables unused here)."""
    blocks = []
    for _ in range(count):
        name = names.next("setting")
        kind, default = rng.choice(
            [("string", f'"{rng.choice(TEAMS)}"'), ("bool", "true"), ("number", "3")]
        )
        description = (
            f"Controls {name.replace('_', ' ')} for the {rng.choice(TEAMS)} team;"
            " see the module documentation."
        )
        blocks.append(
            f'variable "{name}" {{\n  description = "{description}"\n'
            f"  type        = {kind}\n  default     = {default}\n}}\n"
        )
    return "\n".join(blocks)


def tf_module_header(rng: random.Random) -> str:
    """Locals and data sources of a module (no provider: the caller configures it)."""
    return tf_root_header(rng).split("locals {", 1)[1].join(["locals {", ""])


def repo_inputs(rng: random.Random) -> str:
    return (
        f'  vpc_id          = "vpc-{rng.getrandbits(32):08x}"\n'
        f'  subnet_id       = "subnet-{rng.getrandbits(32):08x}"\n'
        f'  bucket_name     = "{rng.choice(TEAMS)}-{rng.choice(ENVS)}"\n'
        f'  environment     = "{rng.choice(ENVS)}"\n'
    )


def write_repo(rng: random.Random, out: Path, examples: int) -> int:
    """One module repository; returns the number of files written."""
    names = Names()
    written = 0
    subs = [f"sub{i}" for i in range(REPO_SUBMODULES)]
    for sub in subs:
        folder = out / "modules" / sub
        _write(folder / "main.tf", tf_module_header(rng) + "\n" + tf_body(rng, names, 10))
        _write(
            folder / "variables.tf",
            tf_variables(rng, names) + "\n" + tf_documented_variables(rng, names, 20),
        )
        _write(folder / "outputs.tf", 'output "prefix" {\n  value = local.prefix\n}\n')
        written += 3
    calls = "\n".join(
        f'module "{sub}" {{\n  source = "./modules/{sub}"\n\n{repo_inputs(rng)}}}\n' for sub in subs
    )
    _write(out / "main.tf", tf_module_header(rng) + "\n" + tf_body(rng, names, 30) + "\n" + calls)
    _write(
        out / "variables.tf",
        tf_variables(rng, names) + "\n" + tf_documented_variables(rng, names, REPO_EXTRA_VARIABLES),
    )
    _write(
        out / "outputs.tf",
        "\n".join(f'output "{sub}_prefix" {{\n  value = module.{sub}.prefix\n}}\n' for sub in subs),
    )
    written += 3
    for n in range(examples):
        body = (
            tf_root_header(rng)
            + f'\nmodule "complete" {{\n  source = "../../"\n\n{repo_inputs(rng)}}}\n'
            + f'\nmodule "{subs[n % len(subs)]}" {{\n'
            + f'  source = "../../modules/{subs[n % len(subs)]}"\n\n{repo_inputs(rng)}}}\n'
        )
        _write(out / "examples" / f"e{n:02d}" / "main.tf", body)
        written += 1
    return written


def write_repos(rng: random.Random, out: Path, tf_files: int) -> None:
    index = 0
    while tf_files > 0:
        examples = max(1, min(REPO_EXAMPLES, tf_files - 3 * REPO_SUBMODULES - 3))
        tf_files -= write_repo(rng, out / "repos" / f"r{index:03d}", examples)
        index += 1


def generate(files: int, shape: str, seed: int, out: Path) -> None:
    """Write exactly `files` IaC files under `out` (which should not exist yet or be empty)."""
    if files < 5:
        raise ValueError("need at least 5 files")
    rng = random.Random(seed)
    cfn_files = round(files * CFN_SHARE)
    tf_files = files - cfn_files
    if shape == "flat":
        write_flat(rng, out, tf_files)
    elif shape == "modules":
        write_modules(rng, out, tf_files)
    elif shape == "repos":
        write_repos(rng, out, tf_files)
    else:
        raise ValueError(f"unknown shape {shape!r}")
    write_cfn(rng, out, cfn_files)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, required=True)
    parser.add_argument("--shape", choices=["flat", "modules", "repos"], default="flat")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    generate(args.files, args.shape, args.seed, args.out)


if __name__ == "__main__":
    main()
