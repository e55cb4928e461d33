# A CodeBuild-hosted GitLab runner for a GitLab Self-Managed instance, in one resource.
#
# `terraform apply` creates the CodeConnections host and connection, then waits while a person
# completes the connection handshake in the AWS console (see the plan's warning and the
# `authorization_url` output), then creates the CodeBuild project and its webhook.

terraform {
  required_providers {
    gitlab-codebuild = { source = "example/gitlab-codebuild" }
  }
}

variable "region" {
  type    = string
  default = "ap-northeast-1"
}

variable "gitlab_url" {
  type    = string
  default = "https://gitlab.example.com"
}

variable "service_role_arn" {
  type        = string
  description = "IAM role CodeBuild assumes; needs codeconnections:GetConnectionToken and GetConnection."
  default     = "arn:aws:iam::123456789012:role/codebuild-gitlab-runner"
}

variable "aws_endpoint" {
  type        = string
  description = "Endpoint override for both services (a VPC endpoint, or the local emulator)."
  default     = null
}

provider "gitlab-codebuild" {
  region = var.region
  endpoints {
    codebuild       = var.aws_endpoint
    codeconnections = var.aws_endpoint
  }
}

resource "gitlab_codebuild_runner" "main" {
  provider         = gitlab-codebuild
  name             = "gitlab-runner"
  gitlab_url       = var.gitlab_url
  source_location  = "${var.gitlab_url}/platform/app"
  service_role_arn = var.service_role_arn

  environment {
    compute_type = "BUILD_GENERAL1_SMALL"
    image        = "aws/codebuild/amazonlinux-x86_64-standard:5.0"
  }

  tags = {
    team = "platform"
  }

  timeouts {
    create = "30m"
  }
}

output "gitlab_ci_tag" {
  description = "Put this under `tags:` of a job in .gitlab-ci.yml."
  value       = gitlab_codebuild_runner.main.runner_tag
}

output "authorization_url" {
  value = gitlab_codebuild_runner.main.authorization_url
}

output "host_arn" {
  value = gitlab_codebuild_runner.main.host_arn
}

output "connection_arn" {
  value = gitlab_codebuild_runner.main.connection_arn
}

output "project_arn" {
  value = gitlab_codebuild_runner.main.project_arn
}
